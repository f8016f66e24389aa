// One decrypted item being written in .sealbox/staging, in a folder of its own
// that holds the item's folder under its final name: its texts at once, its
// attachments as the bundle delivers them. Nothing of it is among the cases
// until it is handed over to a batch and that batch is committed (made
// visible, commit-batch.ts); `discard` removes every
// byte of it. For an item that opens a new case, that outer folder becomes the
// case's folder (commit-batch.ts).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AttachmentManifestEntry } from '../../client-crypto/document.ts';
import { CliError } from '../errors.ts';
import { StagedFiles, makeStagedDir, toJson } from '../files.ts';
import { answersAsText } from './form-labels.ts';
import {
  type AttachmentRecord,
  type CaseItem,
  type ItemContent,
  AUTHORED_FILE,
} from './records.ts';
import { safeFileName, uniqueFileName } from './safe-name.ts';

/** One attachment's plaintext; the iteration throws if it cannot be verified. */
export type AttachmentSource = (entry: AttachmentManifestEntry) => AsyncIterable<Uint8Array>;

interface PlannedAttachment {
  entry: AttachmentManifestEntry;
  record: AttachmentRecord;
  file: string;
  written: boolean;
}

const ATTACHMENTS = 'attachments';

export class StagedItem {
  readonly #planned: Map<string, PlannedAttachment>;
  /** Its files, open until its commit makes them durable. */
  readonly files = new StagedFiles();
  #done = false;

  private constructor(
    readonly item: ItemContent,
    /** The folder of its own in .sealbox/staging. */
    readonly outer: string,
    /** The item's folder, `outer`/`folder`. */
    readonly dir: string,
    readonly folder: string,
    planned: PlannedAttachment[],
    private readonly handOverTo: (staged: StagedItem) => Promise<CaseItem>,
  ) {
    this.#planned = new Map(planned.map((p) => [p.entry.uploadId, p]));
  }

  static create(
    outer: string,
    folder: string,
    item: ItemContent,
    handOverTo: (staged: StagedItem) => Promise<CaseItem>,
  ): StagedItem {
    const { document } = item;
    const dir = join(outer, folder);
    makeStagedDir(outer);
    makeStagedDir(dir);
    // A handover carries documents only: the files stay with the desk that had them.
    const entries = item.handedOver ? [] : document.attachments;
    if (entries.length > 0) makeStagedDir(join(dir, ATTACHMENTS));
    const taken = new Set<string>();
    const planned = entries.map((entry) => {
      const file = uniqueFileName(safeFileName(entry.name), taken);
      taken.add(file);
      return {
        entry,
        file,
        written: false,
        record: { file, originalName: entry.name, type: entry.type, size: entry.size },
      };
    });
    const staged = new StagedItem(item, outer, dir, folder, planned, handOverTo);
    try {
      staged.files.writeFile(join(dir, 'message.txt'), document.message);
      if (item.authored) staged.files.writeFile(join(dir, AUTHORED_FILE), item.authored);
      // A follow-up from the status page answers no questions: no empty files.
      if (Object.keys(document.answers).length > 0) {
        staged.files.writeFile(join(dir, 'answers.txt'), answersAsText(document.answers));
        staged.files.writeFile(join(dir, 'answers.json'), toJson(document.answers));
      }
    } catch (error) {
      staged.files.close();
      throw error;
    }
    return staged;
  }

  /** Sub-folders of `dir` (relative) that hold files. */
  get dirs(): string[] {
    return this.#planned.size > 0 ? ['', ATTACHMENTS] : [''];
  }

  get attachments(): AttachmentRecord[] {
    return [...this.#planned.values()].map((p) => p.record);
  }

  expects(uploadId: string): boolean {
    const planned = this.#planned.get(uploadId);
    return planned !== undefined && !planned.written;
  }

  async writeAttachment(uploadId: string, source: AttachmentSource): Promise<void> {
    const planned = this.#planned.get(uploadId);
    if (!planned || planned.written) {
      throw new CliError('BUNDLE_TAMPERED', `Attachment ${uploadId} is not expected here.`);
    }
    await this.files.writeStream(join(this.dir, ATTACHMENTS, planned.file), source(planned.entry));
    planned.written = true;
  }

  missing(): AttachmentManifestEntry[] {
    return [...this.#planned.values()].filter((p) => !p.written).map((p) => p.entry);
  }

  /** Hands the item to the case folder's next batch; from then on the batch owns `dir`. */
  async handOver(): Promise<CaseItem> {
    const missing = this.missing();
    if (missing.length > 0) {
      throw new CliError(
        'BUNDLE_TAMPERED',
        `${missing.length} attachment(s) of item ${this.item.itemId} are missing from the bundle.`,
      );
    }
    const caseItem = await this.handOverTo(this);
    this.#done = true;
    return caseItem;
  }

  async discard(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    this.files.close();
    await rm(this.outer, { recursive: true, force: true });
  }
}
