// review open: a bundle from the courier becomes readable case folders.
// Every item is opened on its own: one that is damaged, not for this key, or
// whose attachments do not verify is reported by id and leaves nothing behind;
// the others are written. Items already opened are skipped, so the same or a
// newer bundle can be opened again and only adds what is new.
import { createReadStream } from 'node:fs';
import {
  type AttachmentManifestEntry,
  type ReviewerIdentity,
  decryptAttachment,
  fromBase64Url,
  isSealboxError,
  openEnvelope,
} from '../../client-crypto/index.ts';
import { type BundleItem, BUNDLE_RECORD_TYPES, readBundle } from '../../client-crypto/bundle.ts';
import { type CaseFolder, type StagedItem, CaseFolder as Folder } from '../cases/case-folder.ts';
import { writeFolderIndex } from '../cases/indexes.ts';
import { CliError, isCliError } from '../errors.ts';
import { inputFileSize } from '../files.ts';
import type { CommandIo } from '../io.ts';
import { keyOptions } from '../io.ts';
import { loadReviewerIdentity } from '../keys.ts';
import { progressBar } from '../progress.ts';
import { terminalField } from '../terminal-text.ts';
import { type TrustOptions, folderKeyset, isMember } from '../trust.ts';

export interface OpenOptions extends TrustOptions {
  bundle: string;
  key: string;
  cases: string;
  passphraseFile?: string | undefined;
}

export interface ItemFailure {
  id: string;
  code: string;
  message: string;
}

export interface OpenReport {
  opened: string[];
  alreadyOpened: number;
  notForThisKey: string[];
  failed: ItemFailure[];
  /** Set when the bundle as a whole is incomplete or was altered (after every good item was written). */
  bundleError: ItemFailure | null;
  cases: string[];
}

export async function reviewOpen(options: OpenOptions, io: CommandIo): Promise<OpenReport> {
  const size = await inputFileSize(options.bundle, 'bundle');
  const folder = await Folder.open(options.cases, { create: true });
  const keyset = await folderKeyset(folder, options, io);
  const identity = await loadReviewerIdentity(options.key, keyOptions(io, options.passphraseFile));
  if (!isMember(keyset, identity)) {
    io.print(
      `Note: your key is not in keyset version ${keyset.version}; only older items may open.`,
    );
  }
  const report: OpenReport = {
    opened: [],
    alreadyOpened: 0,
    notForThisKey: [],
    failed: [],
    bundleError: null,
    cases: [],
  };
  const touched = new Set<string>();
  const progress = progressBar(io.stderr, 'Opening bundle', size, 'bytes');
  const source = createReadStream(options.bundle, { highWaterMark: 64 * 1024 });
  source.on('data', (chunk) => progress.advance(chunk.length));
  const opener = new ItemOpener(folder, identity, keyset.version, report, touched);
  try {
    for await (const item of readBundle(source)) await opener.handle(item);
    await opener.settle();
  } catch (error) {
    await opener.settle();
    if (isCliError(error, 'BUNDLE_OTHER_KEYSET')) throw error;
    if (!isSealboxError(error)) throw error;
    report.bundleError = { id: 'bundle', code: error.code, message: error.message };
  } finally {
    progress.stop();
    source.destroy();
  }
  // The last batch becomes visible; the journal goes into state.json. Each
  // case's page was written with its case; the folder's index comes last.
  await folder.close();
  report.cases = [...touched].sort();
  await writeFolderIndex(folder);
  printReport(report, options.cases, io);
  return report;
}

class ItemOpener {
  #pending: StagedItem | null = null;

  constructor(
    private readonly folder: CaseFolder,
    private readonly identity: ReviewerIdentity,
    private readonly keysetVersion: number,
    private readonly report: OpenReport,
    private readonly touched: Set<string>,
  ) {}

  async handle(item: BundleItem): Promise<void> {
    switch (item.type) {
      case 'start':
        if (item.meta.keysetVersion > this.keysetVersion) {
          throw new CliError(
            'BUNDLE_OTHER_KEYSET',
            `This bundle was made for keyset version ${item.meta.keysetVersion}, but this case folder knows only version ${this.keysetVersion}. Ask the organisation for the newest keyset file and give it with --keyset.`,
          );
        }
        return;
      case 'submission':
      case 'followup':
        await this.settle();
        return this.openItem(item);
      case 'attachment':
        return this.attachment(item.meta.uploadId, item.body);
      case 'damaged': {
        const pending = this.#pending;
        const id = item.id;
        if (pending && id !== undefined && (id === pending.item.itemId || pending.expects(id))) {
          return this.fail(pending.item.itemId, item.error);
        }
        // A damaged attachment of an item skipped or opened before changes nothing.
        if (item.recordType === BUNDLE_RECORD_TYPES.attachment) return;
        this.report.failed.push(failure(id ?? `record ${item.index}`, item.error));
        return;
      }
      case 'end':
        return this.settle();
    }
  }

  private async openItem(
    item: Extract<BundleItem, { type: 'submission' | 'followup' }>,
  ): Promise<void> {
    const itemId = item.meta.id;
    const caseId = item.type === 'submission' ? item.meta.id : item.meta.submissionId;
    if (this.folder.isOpened(itemId)) {
      this.report.alreadyOpened += 1;
      return;
    }
    try {
      const opened = await openEnvelope(item.envelope, this.identity);
      if (!opened) {
        this.report.notForThisKey.push(itemId);
        return;
      }
      if (opened.document.kind !== item.type) {
        throw new CliError('BUNDLE_TAMPERED', `Item ${itemId} is filed as the wrong kind.`);
      }
      const staged = await this.folder.stage({
        itemId,
        caseId,
        kind: item.type,
        date: item.meta.received,
        document: opened.document,
      });
      this.#pending = staged;
    } catch (error) {
      this.report.failed.push(failure(itemId, error));
    }
  }

  private async attachment(uploadId: string, body: AsyncIterable<Uint8Array>): Promise<void> {
    const pending = this.#pending;
    // Attachments of an item we skip are left to the reader, which reads past them.
    if (!pending?.expects(uploadId)) return;
    try {
      await pending.writeAttachment(uploadId, (entry) => decrypted(entry, body));
    } catch (error) {
      await this.fail(pending.item.itemId, error);
    }
  }

  private async fail(itemId: string, error: unknown): Promise<void> {
    this.report.failed.push(failure(itemId, error));
    await this.#pending?.discard();
    this.#pending = null;
  }

  /** Commits the item in progress if all its attachments arrived and verified. */
  async settle(): Promise<void> {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = null;
    try {
      await pending.commit();
      this.report.opened.push(pending.item.itemId);
      this.touched.add(pending.item.caseId);
    } catch (error) {
      this.report.failed.push(failure(pending.item.itemId, error));
    } finally {
      await pending.discard();
    }
  }
}

function decrypted(
  entry: AttachmentManifestEntry,
  body: AsyncIterable<Uint8Array>,
): AsyncIterable<Uint8Array> {
  return decryptAttachment(body, {
    key: fromBase64Url(entry.key),
    size: entry.size,
    digest: fromBase64Url(entry.digest),
  });
}

function failure(id: string, error: unknown): ItemFailure {
  if (isSealboxError(error) || isCliError(error)) {
    return { id, code: error.code, message: error.message };
  }
  throw error;
}

function printReport(report: OpenReport, cases: string, io: CommandIo): void {
  io.print(`Opened ${report.opened.length} new item(s) into ${cases}.`);
  if (report.alreadyOpened > 0) io.print(`${report.alreadyOpened} item(s) were opened before.`);
  if (report.notForThisKey.length > 0) {
    io.print(`${report.notForThisKey.length} item(s) are not sealed to your key.`);
  }
  // A message may quote what the submitter sealed (an answer id, a name).
  for (const f of report.failed) {
    io.print(`Skipped item ${terminalField(f.id)}: ${terminalField(f.message)}`);
  }
  if (report.bundleError) {
    io.print(`The bundle itself: ${terminalField(report.bundleError.message)}`);
  }
  io.print(`Open ${cases}/index.html in a browser to read the cases.`);
}

/**
 * What the command line reports after an open: nothing if every item was
 * opened, otherwise the error that names what went wrong first and worst.
 */
export function openOutcome(report: OpenReport): CliError | null {
  const truncated = (code: string): boolean =>
    code === 'STREAM_TRUNCATED' || code === 'BUNDLE_TRUNCATED';
  const all = [...report.failed, ...(report.bundleError ? [report.bundleError] : [])];
  if (all.some((f) => truncated(f.code))) {
    return new CliError(
      'BUNDLE_TRUNCATED',
      `The bundle is incomplete; ${report.opened.length} item(s) were opened, ${report.failed.length} skipped.`,
    );
  }
  if (all.length > 0) {
    return new CliError(
      'BUNDLE_TAMPERED',
      `${all.length} problem(s) in the bundle (${all.map((f) => f.id).join(', ')}); ${report.opened.length} item(s) were opened.`,
    );
  }
  if (report.opened.length === 0 && report.alreadyOpened === 0 && report.notForThisKey.length > 0) {
    return new CliError(
      'NOTHING_FOR_THIS_KEY',
      'None of the items in this bundle could be opened with your key.',
    );
  }
  return null;
}
