// The case folder: one sub-folder per case, one sub-folder per item (the
// submission, then each follow-up in order). An item is written completely in
// .sealbox/staging and appears in its case only by one rename, so a failure or
// a crash never leaves partial plaintext among the cases.
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AttachmentManifestEntry, SealedDocument } from '../../client-crypto/document.ts';
import { CliError } from '../errors.ts';
import { ensureDir, toJson, writeFileAtomic } from '../files.ts';
import { answersAsText } from './form-labels.ts';
import {
  type AttachmentRecord,
  type CaseItem,
  type CaseRecord,
  type FolderState,
  CASE_FORMAT,
  emptyState,
  isCaseRecord,
  isFolderState,
} from './records.ts';
import { caseIdFromName, caseName, isSafeId, safeFileName, uniqueFileName } from './safe-name.ts';

export interface ItemContent {
  itemId: string;
  caseId: string;
  kind: 'submission' | 'followup';
  /** Date the server received the item (YYYY-MM-DD); never a time. */
  date: string;
  document: SealedDocument;
}

/** Writes one attachment's plaintext to `path`; throws if it cannot be verified. */
export type AttachmentWriter = (entry: AttachmentManifestEntry, path: string) => Promise<void>;

const STATE_DIR = '.sealbox';

export class CaseFolder {
  private constructor(
    readonly root: string,
    public state: FolderState,
  ) {}

  static async open(root: string, options: { create: boolean }): Promise<CaseFolder> {
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
      const folder = new CaseFolder(root, emptyState());
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
    // Leftovers of an interrupted run: incomplete items, never shown as cases.
    await rm(join(root, STATE_DIR, 'staging'), { recursive: true, force: true });
    return new CaseFolder(root, state);
  }

  async saveState(): Promise<void> {
    await writeFileAtomic(join(this.root, STATE_DIR, 'state.json'), toJson(this.state));
  }

  isOpened(itemId: string): boolean {
    return Object.hasOwn(this.state.opened, itemId);
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

  async writeCase(record: CaseRecord): Promise<void> {
    await writeFileAtomic(join(this.caseDir(record.caseId), 'case.json'), toJson(record));
  }

  async allCases(): Promise<CaseRecord[]> {
    const entries = await readdir(this.root, { withFileTypes: true });
    const records: CaseRecord[] = [];
    for (const entry of entries) {
      const caseId = caseIdFromName(entry.name);
      if (!entry.isDirectory() || !isSafeId(caseId) || caseName(caseId) !== entry.name) continue;
      const record = await this.readCase(caseId);
      if (record) records.push(record);
    }
    return records.sort(
      (a, b) => a.received.localeCompare(b.received) || a.caseId.localeCompare(b.caseId),
    );
  }

  /**
   * Starts writing one decrypted item: its texts go to a staging folder at
   * once, its attachments as the bundle delivers them. Nothing is visible in
   * the case until `commit`; `discard` removes every byte of it.
   */
  async stage(item: ItemContent): Promise<StagedItem> {
    if (!isSafeId(item.itemId) || !isSafeId(item.caseId)) {
      throw new CliError('BUNDLE_TAMPERED', `Item "${item.itemId}" has an invalid id.`);
    }
    const staging = join(this.root, STATE_DIR, 'staging', randomBytes(8).toString('hex'));
    try {
      const attachments = await stageTexts(staging, item);
      return new StagedItem(item, staging, attachments, (atts) => this.commit(item, staging, atts));
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
  }

  /** Stages, writes every attachment through `writeAttachment`, commits; or leaves no trace. */
  async addItem(item: ItemContent, writeAttachment: AttachmentWriter): Promise<CaseItem> {
    const staged = await this.stage(item);
    try {
      for (const entry of item.document.attachments) {
        await staged.writeAttachment(entry.uploadId, writeAttachment);
      }
      return await staged.commit();
    } finally {
      await staged.discard();
    }
  }

  private async commit(
    item: ItemContent,
    staging: string,
    attachments: AttachmentRecord[],
  ): Promise<CaseItem> {
    const caseDir = this.caseDir(item.caseId);
    await ensureDir(caseDir);
    const existing = await this.readCase(item.caseId);
    const record = existing ?? newCaseRecord(item);
    const recorded = record.items.find((i) => i.itemId === item.itemId);
    if (recorded) {
      this.state.opened[item.itemId] = { caseId: item.caseId, folder: recorded.folder };
      await this.saveState();
      return recorded;
    }
    const caseItem = await placeItem(caseDir, record.items.length + 1, item, staging, attachments);
    record.items.push(caseItem);
    if (item.date > record.lastActivity) record.lastActivity = item.date;
    // A follow-up that arrives before its submission (bundles opened out of
    // order) opens the case; the submission's answers then take over.
    if (item.kind === 'submission') {
      record.answers = item.document.answers;
      record.locale = item.document.locale;
      record.form = item.document.form;
      if (item.date < record.received) record.received = item.date;
    }
    record.replyPublicKey ||= item.document.replyPublicKey;
    await this.writeCase(record);
    this.state.opened[item.itemId] = { caseId: item.caseId, folder: caseItem.folder };
    await this.saveState();
    return caseItem;
  }
}

function newCaseRecord(item: ItemContent): CaseRecord {
  return {
    format: CASE_FORMAT,
    caseId: item.caseId,
    received: item.date,
    lastActivity: item.date,
    locale: item.document.locale,
    form: item.document.form,
    answers: item.kind === 'submission' ? item.document.answers : {},
    replyPublicKey: item.document.replyPublicKey,
    status: 'received',
    items: [],
    statements: [],
  };
}

interface PlannedAttachment {
  entry: AttachmentManifestEntry;
  record: AttachmentRecord;
  path: string;
  written: boolean;
}

export class StagedItem {
  readonly #planned: Map<string, PlannedAttachment>;
  #done = false;

  constructor(
    readonly item: ItemContent,
    private readonly staging: string,
    planned: PlannedAttachment[],
    private readonly commitWith: (attachments: AttachmentRecord[]) => Promise<CaseItem>,
  ) {
    this.#planned = new Map(planned.map((p) => [p.entry.uploadId, p]));
  }

  expects(uploadId: string): boolean {
    const planned = this.#planned.get(uploadId);
    return planned !== undefined && !planned.written;
  }

  async writeAttachment(uploadId: string, writer: AttachmentWriter): Promise<void> {
    const planned = this.#planned.get(uploadId);
    if (!planned || planned.written) {
      throw new CliError('BUNDLE_TAMPERED', `Attachment ${uploadId} is not expected here.`);
    }
    await writer(planned.entry, planned.path);
    planned.written = true;
  }

  missing(): AttachmentManifestEntry[] {
    return [...this.#planned.values()].filter((p) => !p.written).map((p) => p.entry);
  }

  async commit(): Promise<CaseItem> {
    const missing = this.missing();
    if (missing.length > 0) {
      throw new CliError(
        'BUNDLE_TAMPERED',
        `${missing.length} attachment(s) of item ${this.item.itemId} are missing from the bundle.`,
      );
    }
    const caseItem = await this.commitWith([...this.#planned.values()].map((p) => p.record));
    this.#done = true;
    // Gone after the rename; still here when an item placed before a crash was adopted.
    await rm(this.staging, { recursive: true, force: true });
    return caseItem;
  }

  async discard(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await rm(this.staging, { recursive: true, force: true });
  }
}

async function stageTexts(staging: string, item: ItemContent): Promise<PlannedAttachment[]> {
  const { document } = item;
  await ensureDir(staging);
  await writeFileAtomic(join(staging, 'message.txt'), document.message);
  await writeFileAtomic(join(staging, 'answers.txt'), answersAsText(document.answers));
  await writeFileAtomic(join(staging, 'answers.json'), toJson(document.answers));
  if (document.attachments.length === 0) return [];
  const dir = join(staging, 'attachments');
  await ensureDir(dir);
  const taken = new Set<string>();
  return document.attachments.map((entry) => {
    const file = uniqueFileName(safeFileName(entry.name), taken);
    taken.add(file);
    return {
      entry,
      path: join(dir, file),
      written: false,
      record: { file, originalName: entry.name, type: entry.type, size: entry.size },
    };
  });
}

// Moves the staged item into its case under the next free number. If a crash
// came after an earlier rename but before the record was saved, the item is
// already there (item.json names it): adopt it instead of writing it twice.
async function placeItem(
  caseDir: string,
  firstNumber: number,
  item: ItemContent,
  staging: string,
  attachments: AttachmentRecord[],
): Promise<CaseItem> {
  const kind = item.kind === 'submission' ? 'submission' : 'follow-up';
  for (let n = firstNumber; ; n++) {
    const folder = `${String(n).padStart(2, '0')}-${kind}-${item.date}`;
    const caseItem: CaseItem = {
      itemId: item.itemId,
      kind: item.kind,
      date: item.date,
      folder,
      attachments,
    };
    const target = join(caseDir, folder);
    const placed = await readItemFile(target);
    if (placed?.itemId === item.itemId) return { ...placed, folder };
    if (placed || (await exists(target))) continue;
    await writeFileAtomic(join(staging, 'item.json'), toJson(caseItem));
    await rename(staging, target);
    return caseItem;
  }
}

async function readItemFile(folder: string): Promise<CaseItem | null> {
  try {
    const value: unknown = JSON.parse(await readFile(join(folder, 'item.json'), 'utf8'));
    const item = value as CaseItem;
    return typeof item.itemId === 'string' && Array.isArray(item.attachments) ? item : null;
  } catch {
    return null;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
