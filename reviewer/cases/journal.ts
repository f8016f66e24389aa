// .sealbox/opened.jsonl: the items opened since state.json was last written,
// one JSON line each, appended (and fsynced) as each batch of items becomes
// visible. A run folds it into state.json when it ends; a run that was cut off
// leaves it behind, and the next one folds it in before anything else.
// (Rewriting state.json, which lists every item ever opened, after each item
// made a long run quadratic.)
import { type FileHandle, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { CliError } from '../errors.ts';
import { FILE_MODE, syncDir } from '../files.ts';
import { isSafeId } from './safe-name.ts';
import { type StepHook, noSteps } from './steps.ts';

export const JOURNAL_FILE = 'opened.jsonl';
/** An item's folder in its case: number, kind (set-aside items say so) and date. */
export const ITEM_FOLDER = /^\d{2,}-(set-aside-)?(submission|follow-up)-\d{4}-\d{2}-\d{2}$/;

const safeId = z.string().refine(isSafeId, 'not an item or case id');
/** An item id, or `id.digest` for other content that came under an id already opened. */
const openedKey = z.string().regex(/^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{43})?$/);

const journalEntry = z.strictObject({
  itemId: openedKey,
  caseId: safeId,
  folder: z.string().regex(ITEM_FOLDER),
  digest: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/)
    .optional(),
  epoch: z.number().int().min(0).max(0xffffffff).optional(),
});

export type JournalEntry = z.infer<typeof journalEntry>;

/**
 * The entries of a journal left on disk, or null if there is none. A last
 * line without its line end is an append that a crash cut off: its item was
 * visible already or is not yet, and the next open adopts or writes it. Any
 * other line that is not an entry means the file was damaged, and is refused.
 */
export async function readJournal(path: string): Promise<JournalEntry[] | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const lines = text.split('\n');
  lines.pop(); // '' after the last line end, or a torn append
  return lines.map((line, index) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    const entry = journalEntry.safeParse(value);
    if (!entry.success) {
      throw new CliError(
        'CASES_FOLDER_INVALID',
        `${path} is damaged: line ${index + 1} is not a record of an opened item.`,
      );
    }
    return entry.data;
  });
}

export class JournalWriter {
  #handle: FileHandle | null = null;
  #appended = false;

  constructor(
    readonly path: string,
    private readonly step: StepHook = noSteps,
  ) {}

  /** True once an entry was appended: state.json must then take them in. */
  get appended(): boolean {
    return this.#appended;
  }

  async append(entries: readonly JournalEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const created = this.#handle === null;
    this.#handle ??= await open(this.path, 'a', FILE_MODE);
    // One write per batch: a crash can only cut off the end of it.
    await this.#handle.write(entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
    await this.step('journal-written');
    await this.#handle.sync();
    await this.step('journal-synced');
    if (created) await syncDir(dirname(this.path));
    this.#appended = true;
  }

  async close(): Promise<void> {
    await this.#handle?.close();
    this.#handle = null;
  }
}
