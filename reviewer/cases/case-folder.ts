// The case folder: one sub-folder per case, one sub-folder per item (the
// submission, then each follow-up in order). An item is written completely in
// .sealbox/staging and appears in its case only by a rename (a new case's
// whole folder by one rename), so a failure or a crash never leaves partial
// plaintext among the cases. Items become visible in batches (commit-batch.ts),
// recorded in a journal that state.json takes in at the end of the run.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from '../errors.ts';
import { DIR_MODE, ensureDir, syncDir, toJson, writeFileAtomic } from '../files.ts';
import { CommitBatch } from './commit-batch.ts';
import { type JournalEntry, JOURNAL_FILE, JournalWriter, readJournal } from './journal.ts';
import {
  type CaseItem,
  type CaseRecord,
  type FolderState,
  type ItemContent,
  type OpenedItem,
  emptyState,
  isCaseRecord,
  isFolderState,
} from './records.ts';
import { caseIdFromName, caseName, isSafeId } from './safe-name.ts';
import { StagedItem } from './staged-item.ts';
import { type StepHook, noSteps } from './steps.ts';

export { type AttachmentSource, StagedItem } from './staged-item.ts';
export type { ItemContent } from './records.ts';

const STATE_DIR = '.sealbox';
/** Items per commit: enough to share the fsyncs, few enough to redo after a crash. */
const BATCH_ITEMS = 64;
/** Files held open for a commit (attachments count): far below any system's limit. */
const BATCH_FILES = 512;

export class CaseFolder {
  readonly staging: string;
  readonly #batch: CommitBatch;
  readonly #journal: JournalWriter;
  #inFlight: Promise<{ error: unknown } | null> | null = null;
  #stagingMade = false;

  private constructor(
    readonly root: string,
    public state: FolderState,
    private readonly step: StepHook = noSteps,
  ) {
    this.staging = join(root, STATE_DIR, 'staging');
    this.#batch = new CommitBatch(this, step);
    this.#journal = new JournalWriter(join(root, STATE_DIR, JOURNAL_FILE), step);
  }

  static async open(
    root: string,
    options: { create: boolean; onStep?: StepHook | undefined },
  ): Promise<CaseFolder> {
    const statePath = join(root, STATE_DIR, 'state.json');
    let text: string;
    try {
      text = await readFile(statePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      if (!options.create) {
        throw new CliError('CASES_FOLDER_INVALID', `${root} is not a Sealbox case folder.`);
      }
      if ((await readdir(root).catch(() => [])).length > 0) {
        throw new CliError(
          'CASES_FOLDER_INVALID',
          `${root} already holds other files. Choose an empty or new folder for the cases.`,
        );
      }
      await ensureDir(join(root, STATE_DIR));
      const folder = new CaseFolder(root, emptyState(), options.onStep);
      await folder.saveState();
      return folder;
    }
    let state: unknown;
    try {
      state = JSON.parse(text);
    } catch {
      state = undefined;
    }
    if (!isFolderState(state)) {
      throw new CliError('CASES_FOLDER_INVALID', `${statePath} is damaged.`);
    }
    const folder = new CaseFolder(root, state, options.onStep);
    // Leftovers of an interrupted run: incomplete items, never shown as cases,
    // and the journal of the items it did make visible.
    await rm(folder.staging, { recursive: true, force: true });
    const journal = await readJournal(folder.#journal.path);
    if (journal) await folder.#takeIn(journal);
    return folder;
  }

  async saveState(): Promise<void> {
    await writeFileAtomic(join(this.root, STATE_DIR, 'state.json'), toJson(this.state));
  }

  isOpened(key: string): boolean {
    return this.openedDigest(key) !== null;
  }

  /**
   * The envelope digest an item was opened with ('' if an older version of
   * the tool opened it without one), or null if it was not opened.
   */
  openedDigest(key: string): string | null {
    if (Object.hasOwn(this.state.opened, key)) return this.state.opened[key]!.digest ?? '';
    return this.#batch.digest(key);
  }

  /** The case as it stands, with what this run added to it; null if there is none. */
  async existingCase(caseId: string): Promise<CaseRecord | null> {
    return this.#batch.record(caseId) ?? (await this.readCase(caseId));
  }

  caseDir(caseId: string): string {
    if (!isSafeId(caseId)) throw new CliError('CASE_UNKNOWN', `"${caseId}" is not a case number.`);
    return join(this.root, caseName(caseId));
  }

  async readCase(caseId: string): Promise<CaseRecord | null> {
    let text: string;
    try {
      text = await readFile(join(this.caseDir(caseId), 'case.json'), 'utf8');
    } catch {
      return null;
    }
    const record: unknown = JSON.parse(text);
    if (!isCaseRecord(record)) {
      throw new CliError('CASES_FOLDER_INVALID', `The record of case ${caseId} is damaged.`);
    }
    return record;
  }

  async requireCase(caseId: string): Promise<CaseRecord> {
    const record = await this.readCase(caseId);
    if (!record) throw new CliError('CASE_UNKNOWN', `There is no case ${caseId} in ${this.root}.`);
    return record;
  }

  /**
   * The case a person means by what they typed: its number as shown, or any
   * start of it that fits one case only, in any case and with the look-alikes
   * l/I/1 and O/0 taken as the same.
   */
  async findCase(typed: string): Promise<CaseRecord> {
    const exact = caseIdFromName(typed.trim());
    if (isSafeId(exact)) {
      const record = await this.readCase(exact);
      if (record) return record;
    }
    const wanted = lookAlike(exact);
    const names = await readdir(this.root).catch(() => [] as string[]);
    const matches = names
      .map(caseIdFromName)
      .filter((id) => isSafeId(id) && wanted.length > 0 && lookAlike(id).startsWith(wanted));
    if (matches.length > 1) {
      const shown = matches.slice(0, 5).map(caseName).join(', ');
      throw new CliError(
        'CASE_UNKNOWN',
        `"${typed}" fits ${matches.length} cases (${shown}${matches.length > 5 ? ', …' : ''}). Type more of the case number.`,
      );
    }
    const record = matches.length === 1 ? await this.readCase(matches[0]!) : null;
    if (!record) throw new CliError('CASE_UNKNOWN', `There is no case ${typed} in ${this.root}.`);
    return record;
  }

  async writeCase(record: CaseRecord): Promise<void> {
    await writeFileAtomic(join(this.caseDir(record.caseId), 'case.json'), toJson(record));
  }

  async allCases(): Promise<CaseRecord[]> {
    const entries = await readdir(this.root, { withFileTypes: true });
    const records: CaseRecord[] = [];
    for (const entry of entries) {
      const caseId = caseIdFromName(entry.name);
      if (!entry.isDirectory() || !isSafeId(caseId) || caseName(caseId) !== entry.name) continue;
      // Cases this run committed are known without reading them back.
      const record = this.#batch.record(caseId) ?? (await this.readCase(caseId));
      if (record) records.push(record);
    }
    return records.sort(
      (a, b) => a.received.localeCompare(b.received) || a.caseId.localeCompare(b.caseId),
    );
  }

  /**
   * Starts writing one decrypted item: its texts go to a staging folder at
   * once, its attachments as the bundle delivers them. Nothing is visible in
   * the case until its batch is committed; `discard` removes every byte of it.
   */
  async stage(item: ItemContent): Promise<StagedItem> {
    if (!isSafeId(item.itemId) || !isSafeId(item.caseId)) {
      throw new CliError('BUNDLE_TAMPERED', `Item "${item.itemId}" has an invalid id.`);
    }
    if (!this.#stagingMade) {
      await mkdir(this.staging, { recursive: true, mode: DIR_MODE });
      this.#stagingMade = true;
    }
    const folder = await this.#batch.folderFor(item);
    const outer = join(this.staging, randomBytes(8).toString('hex'));
    try {
      return StagedItem.create(outer, folder, item, (staged) => this.#enqueue(staged));
    } catch (error) {
      await rm(outer, { recursive: true, force: true });
      throw error;
    }
  }

  /** Makes every committed item visible and records it in the journal; waits for it. */
  async flush(): Promise<void> {
    await this.#settleCommit();
    this.#startCommit();
    await this.#settleCommit();
  }

  /** Flushes, then writes state.json with every item opened, and drops the journal. */
  async close(): Promise<void> {
    await this.flush();
    await this.#journal.close();
    if (this.#journal.appended) await this.#fold();
  }

  /** Takes a staged item into the batch; commits the batch once it is full. */
  async #enqueue(staged: StagedItem): Promise<CaseItem> {
    const caseItem = await this.#batch.add(staged);
    if (this.#batch.size >= BATCH_ITEMS || this.#batch.openFiles >= BATCH_FILES) {
      await this.#settleCommit();
      this.#startCommit();
    }
    return caseItem;
  }

  // One commit at a time, in the background: while it waits on the disk, the
  // next batch is decrypted and staged. Its failure is thrown by the next
  // #settleCommit (before the next commit, or at close).
  #startCommit(): void {
    if (this.#batch.size === 0) return;
    const commit = this.#batch.take();
    this.#inFlight = (async () => {
      await this.#batch.write(commit);
      await this.#journal.append(commit.entries);
      for (const e of commit.entries) this.state.opened[e.itemId] = openedItem(e);
      this.#batch.recorded(commit);
    })().then(
      () => null,
      (error: unknown) => ({ error }),
    );
  }

  async #settleCommit(): Promise<void> {
    const outcome = await this.#inFlight;
    this.#inFlight = null;
    if (outcome) throw outcome.error;
  }

  async #takeIn(entries: readonly JournalEntry[]): Promise<void> {
    for (const e of entries) this.state.opened[e.itemId] = openedItem(e);
    await this.#fold();
  }

  // state.json first, made durable, then the journal goes: a crash in between
  // only leaves entries that state.json holds already.
  async #fold(): Promise<void> {
    await this.saveState();
    await syncDir(join(this.root, STATE_DIR));
    await this.step('state-saved');
    await rm(this.#journal.path, { force: true });
  }
}

function openedItem(e: JournalEntry): OpenedItem {
  return {
    caseId: e.caseId,
    folder: e.folder,
    ...(e.digest ? { digest: e.digest } : {}),
    ...(e.epoch !== undefined ? { epoch: e.epoch } : {}),
  };
}

/** Case numbers as people read them: no case, and the look-alikes l/I/1 and O/0 alike. */
function lookAlike(text: string): string {
  return text.toLowerCase().replace(/[il]/g, '1').replace(/o/g, '0');
}
