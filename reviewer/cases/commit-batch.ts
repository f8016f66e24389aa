// Group commit: the items staged since the last commit become visible
// together. One fsync per file and a rewrite of state.json after every item
// made `review open` wait on the disk for each item; a batch instead costs a
// few rounds of fsyncs issued all at once.
//
// A commit, in an order that shows no half-written item after a crash or a
// power cut:
//  1. everything new is written where no one looks: each item in its folder
//     under .sealbox/staging; a new case's whole folder (its items, case.json
//     and index.html) there too; an existing case's new index.html and
//     case.json as temp files beside the old ones;
//  2. all of it is fsynced;
//  3. new case folders, and new items of existing cases, are renamed into
//     place; their parent folders are fsynced;
//  4. the index.html then case.json of existing cases replace the old ones;
//     their folders are fsynced;
//  5. the caller records the items in the journal.
// While one commit waits on the disk, the next batch is decrypted and staged
// (CaseFolder keeps at most one commit in flight).
// A crash between 3 and 4 leaves an item folder that its case.json does not
// list; when that item comes again, its item.json names it and it is adopted
// instead of written twice. (Items that open a new case need no item.json:
// their case appears whole, case.json included, by one rename.)
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { readFile, rename, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { StagedFiles, syncAll, toJson } from '../files.ts';
import { casePage } from './html.ts';
import { type ItemText, readItemText } from './item-text.ts';
import type { JournalEntry } from './journal.ts';
import {
  type CaseItem,
  type CaseRecord,
  type ItemContent,
  addToRecord,
  newCaseRecord,
  openedKey,
} from './records.ts';
import type { StagedItem } from './staged-item.ts';
import { type StepHook, noSteps } from './steps.ts';

export interface CaseStore {
  readonly root: string;
  caseDir(caseId: string): string;
  readCase(caseId: string): Promise<CaseRecord | null>;
}

interface PendingItem {
  staged: StagedItem;
  caseItem: CaseItem;
}

/** What this run knows of a case it adds to. */
interface KnownCase {
  record: CaseRecord;
  /** Its folder is among the cases already (else it appears with its first commit). */
  exists: boolean;
  /** Item numbers in use in its folder. */
  numbers: Set<number>;
  /** Item folders that case.json does not list (a crash between steps 3 and 4), by item id. */
  unlisted: Map<string, CaseItem>;
  /** Items waiting for the next commit. */
  pending: PendingItem[];
}

/** Items taken out of the batch, to be made visible while the next batch fills. */
export interface Commit {
  cases: CaseCommit[];
  entries: JournalEntry[];
}

interface CaseCommit {
  caseDir: string;
  /** The case record as it is to be written (a copy: later items change the batch's). */
  record: CaseRecord;
  exists: boolean;
  pending: PendingItem[];
}

export class CommitBatch {
  readonly #cases = new Map<string, KnownCase>();
  readonly #changed = new Set<KnownCase>();
  #entries: JournalEntry[] = [];
  /** Items added and not yet recorded in the journal: their envelope digests, by opened key. */
  readonly #digests = new Map<string, string>();

  constructor(
    private readonly store: CaseStore,
    private readonly step: StepHook = noSteps,
  ) {}

  get size(): number {
    return this.#entries.length;
  }

  /** Files of the pending items, open until their commit. */
  get openFiles(): number {
    let open = 0;
    for (const known of this.#changed) for (const p of known.pending) open += p.staged.files.count;
    return open;
  }

  digest(key: string): string | null {
    return this.#digests.get(key) ?? null;
  }

  /** The record as this run left it, for a case it added to. */
  record(caseId: string): CaseRecord | undefined {
    return this.#cases.get(caseId)?.record;
  }

  /**
   * The name the item's folder will have in its case, so that it is staged
   * under it. Items are staged one at a time, each committed or discarded
   * before the next, so the number stays free until `add`.
   */
  async folderFor(item: ItemContent): Promise<string> {
    const known = await this.#load(item);
    let number = known.record.items.length + 1;
    while (known.numbers.has(number)) number++;
    const kind = item.kind === 'submission' ? 'submission' : 'follow-up';
    const aside = item.flag ? 'set-aside-' : '';
    return `${String(number).padStart(2, '0')}-${aside}${kind}-${item.date}`;
  }

  async add(staged: StagedItem): Promise<CaseItem> {
    const { item } = staged;
    const known = await this.#load(item);
    const { record } = known;
    const listed = record.items.find((i) => openedKey(i) === item.openedAs);
    if (listed) {
      // Made visible before a crash that came before the journal recorded it.
      staged.files.close();
      await rm(staged.outer, { recursive: true, force: true });
      return this.#note(item, listed);
    }
    let caseItem = known.unlisted.get(item.openedAs);
    if (caseItem) {
      known.unlisted.delete(item.openedAs);
      staged.files.close();
      await rm(staged.outer, { recursive: true, force: true });
    } else {
      known.numbers.add(itemNumber(staged.folder) ?? 0);
      caseItem = {
        itemId: item.itemId,
        kind: item.kind,
        date: item.date,
        folder: staged.folder,
        attachments: staged.attachments,
        digest: item.digest,
        ...(item.flag ? { flag: item.flag } : {}),
        ...(item.openedAs !== item.itemId ? { openedAs: item.openedAs } : {}),
      };
      if (known.exists) staged.files.writeFile(join(staged.dir, 'item.json'), toJson(caseItem));
      known.pending.push({ staged, caseItem });
    }
    addToRecord(record, item, caseItem);
    this.#changed.add(known);
    return this.#note(item, caseItem);
  }

  /** Takes out every item added so far; `write` then makes them visible. */
  take(): Commit {
    const cases = [...this.#changed].map((known) => {
      const taken: CaseCommit = {
        caseDir: this.store.caseDir(known.record.caseId),
        record: structuredClone(known.record),
        exists: known.exists,
        pending: known.pending,
      };
      // The next batch's items of this case go into the folder this commit makes.
      known.exists = true;
      known.pending = [];
      return taken;
    });
    this.#changed.clear();
    const entries = this.#entries;
    this.#entries = [];
    return { cases, entries };
  }

  /** The items of `commit` are in the journal: they count as opened through the state now. */
  recorded(commit: Commit): void {
    for (const e of commit.entries) this.#digests.delete(e.itemId);
  }

  /** Steps 1–4 for the items of `commit`. */
  async write(commit: Commit): Promise<void> {
    const records = new StagedFiles();
    const synced = { fds: [] as number[], dirs: [] as string[] };
    const moves: [string, string][] = [];
    const replaces: [string, string][] = [];
    const emptied: string[] = [];
    const movedInto = new Set<string>();
    const replacedIn = new Set<string>();
    for (const { caseDir, record, exists, pending } of commit.cases) {
      const page = casePage(record, await texts(record, pending, caseDir));
      const json = toJson(record);
      if (!exists) {
        // The first item's outer folder becomes the case folder.
        const outer = pending[0]!.staged.outer;
        for (const { staged } of pending) {
          if (staged.outer !== outer) {
            await rename(staged.dir, join(outer, staged.folder));
            emptied.push(staged.outer);
          }
          addStaged(synced, join(outer, staged.folder), staged);
        }
        records.writeFile(join(outer, 'index.html'), page);
        records.writeFile(join(outer, 'case.json'), json);
        synced.dirs.push(outer);
        moves.push([outer, caseDir]);
        movedInto.add(this.store.root);
      } else {
        for (const { staged } of pending) {
          addStaged(synced, staged.dir, staged);
          moves.push([staged.dir, join(caseDir, staged.folder)]);
          emptied.push(staged.outer);
          movedInto.add(caseDir);
        }
        // The page first: a record never lists an item its page might lack.
        for (const [name, text] of [
          ['index.html', page],
          ['case.json', json],
        ] as const) {
          const temp = join(caseDir, `.${randomBytes(6).toString('hex')}.tmp`);
          records.writeFile(temp, text);
          replaces.push([temp, join(caseDir, name)]);
        }
        replacedIn.add(caseDir);
      }
    }
    synced.fds.push(...records.take());
    await this.step('written');
    await syncAll(synced);
    await this.step('synced');
    for (const [from, to] of moves) {
      await rename(from, to);
      await this.step('moved');
    }
    await syncAll({ fds: [], dirs: [...movedInto] });
    for (const [from, to] of replaces) {
      await rename(from, to);
      await this.step('replaced');
    }
    await syncAll({ fds: [], dirs: [...replacedIn] });
    for (const dir of emptied) await rmdir(dir);
  }

  #note(item: ItemContent, caseItem: CaseItem): CaseItem {
    this.#entries.push({
      itemId: item.openedAs,
      caseId: item.caseId,
      folder: caseItem.folder,
      digest: item.digest,
      ...(item.epoch !== undefined ? { epoch: item.epoch } : {}),
    });
    this.#digests.set(item.openedAs, item.digest);
    return caseItem;
  }

  async #load(item: ItemContent): Promise<KnownCase> {
    const cached = this.#cases.get(item.caseId);
    if (cached) return cached;
    const caseDir = this.store.caseDir(item.caseId);
    // Synchronous: the thread pool is busy with the commit in flight, and
    // most cases are new (one look, no error object).
    const names = existsSync(caseDir) ? readdirSync(caseDir) : null;
    const stored = names === null ? null : await this.store.readCase(item.caseId);
    const known: KnownCase = {
      record: stored ?? newCaseRecord(item),
      exists: names !== null,
      numbers: new Set(),
      unlisted: new Map(),
      pending: [],
    };
    const listed = new Set(known.record.items.map((i) => i.folder));
    for (const name of [...listed, ...(names ?? [])]) {
      const number = itemNumber(name);
      if (number !== null) known.numbers.add(number);
      if (TEMP_FILE.test(name)) await rm(join(caseDir, name), { force: true }); // cut off in step 1
      if (number === null || listed.has(name)) continue;
      const placed = await readItemFile(join(caseDir, name));
      if (placed) known.unlisted.set(openedKey(placed), { ...placed, folder: name });
    }
    this.#cases.set(item.caseId, known);
    return known;
  }
}

async function texts(
  record: CaseRecord,
  pending: readonly PendingItem[],
  caseDir: string,
): Promise<ItemText[]> {
  const documents = new Map(pending.map((p) => [p.caseItem.folder, p.staged.item.document]));
  return Promise.all(
    record.items.map(async (item) => {
      const document = documents.get(item.folder);
      if (document) return { item, message: document.message, answers: document.answers };
      return readItemText(join(caseDir, item.folder), item);
    }),
  );
}

const TEMP_FILE = /^\.[0-9a-f]{12}\.tmp$/;

function itemNumber(folder: string): number | null {
  const digits = /^(\d+)-/.exec(folder)?.[1];
  return digits === undefined ? null : Number(digits);
}

function addStaged(synced: { fds: number[]; dirs: string[] }, dir: string, staged: StagedItem) {
  synced.fds.push(...staged.files.take());
  for (const sub of staged.dirs) synced.dirs.push(join(dir, sub));
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
