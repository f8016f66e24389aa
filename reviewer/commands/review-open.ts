// review open: a bundle from the courier becomes readable case folders.
// Every item is opened on its own: one that is damaged, not for this key, or
// whose attachments do not verify is reported by id and leaves nothing behind;
// the others are written. Items already opened are skipped, so the same or a
// newer bundle can be opened again and only adds what is new.
//
// Whoever carries or stores bundles (the courier, the server) can seal
// anything to the reviewers' public keys, so an item's place in a case is
// checked, not believed: a follow-up must be signed by the author key of its
// case's submission (else it is refused), and a second submission for a case,
// or other content under an id already opened, is kept apart and flagged,
// never merged and never silently dropped.
//
// Items are opened with the reviewer's key ring (epoch keys not yet erased,
// and the identity key of files from before epoch keys); the folder records
// which epoch opened each, which follow-ups wait, and which bundles were
// opened completely, and the run ends by erasing the secrets that are due
// (reviewer/epochs/). An item sealed to an erased epoch is reported as such.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import {
  type AttachmentManifestEntry,
  type BundleStart,
  type KemKeyPair,
  type Keyset,
  decryptAttachment,
  type OpenedDocument,
  checkAuthor,
  fromBase64Url,
  getSodium,
  isSealboxError,
  openDocument,
  readBundle,
  reviewerKeyRing,
  toBase64Url,
  type BundleItem,
  BUNDLE_RECORD_TYPES,
} from '../../client-crypto/index.ts';
import { type CaseFolder, type StagedItem, CaseFolder as Folder } from '../cases/case-folder.ts';
import type { StepHook } from '../cases/steps.ts';
import { looksLikeHandover } from '../cases/handover-file.ts';
import { writeFolderIndex } from '../cases/indexes.ts';
import { adoptHandover } from './handover-adopt.ts';
import { CliError, isCliError } from '../errors.ts';
import { inputFileSize } from '../files.ts';
import { openedKey } from '../cases/records.ts';
import { isSafeId } from '../cases/safe-name.ts';
import type { CommandIo } from '../io.ts';
import { keyOptions } from '../io.ts';
import { loadReviewerKey } from '../keys.ts';
import { whyNotOpened } from '../epochs/erased-items.ts';
import { type BundleEnd, afterOpen } from './open-bookkeeping.ts';
import { progressBar } from '../progress.ts';
import { terminalField } from '../terminal-text.ts';
import { type TrustOptions, folderKeyset, isMember } from '../trust.ts';

export interface OpenOptions extends TrustOptions {
  bundle: string;
  key: string;
  cases: string;
  passphraseFile?: string | undefined;
  /** Told of each durable step (fault tests stop a run there); the tool passes none. */
  onStep?: StepHook | undefined;
  /** Told after each record of the bundle is handled (the workbench counts them to show progress). */
  onRecord?: ((item: BundleItem) => void) | undefined;
}

export interface ItemFailure {
  id: string;
  code: string;
  message: string;
}

export interface OpenReport {
  opened: string[];
  alreadyOpened: number;
  /** Items written but kept apart from their case, with the reason. */
  setAside: ItemFailure[];
  /** Follow-ups whose case's submission is not opened yet: open again after it. */
  waiting: string[];
  notForThisKey: string[];
  /** Desk envelopes for a desk this reviewer is not in: its stanza is a decoy. */
  forOtherDesks: string[];
  /** Items sealed to a key this reviewer erased: nothing can open them any more. */
  sealedToErased: { id: string; epoch: number }[];
  failed: ItemFailure[];
  /** Set when the bundle as a whole is incomplete or was altered (after every good item was written). */
  bundleError: ItemFailure | null;
  cases: string[];
}

export async function reviewOpen(options: OpenOptions, io: CommandIo): Promise<OpenReport> {
  const size = await inputFileSize(options.bundle, 'bundle');
  const folder = await Folder.open(options.cases, { create: true, onStep: options.onStep });
  const keyset = await folderKeyset(folder, options, io);
  const key = await loadReviewerKey(options.key, keyOptions(io, options.passphraseFile));
  if (!isMember(keyset, key.secrets)) {
    io.print(
      `Note: your key is not in keyset version ${keyset.version}; only older items may open.`,
    );
  }
  if (await isHandoverFile(options.bundle)) {
    const adopted = await adoptHandover({ file: options.bundle, folder, keyset, key }, io);
    return { ...emptyReport(), opened: [adopted.caseId], cases: [adopted.caseId] };
  }
  const report = emptyReport();
  const touched = new Set<string>();
  const progress = progressBar(io.stderr, 'Opening bundle', size, 'bytes');
  const source = createReadStream(options.bundle, { highWaterMark: 64 * 1024 });
  source.on('data', (chunk) => progress.advance(chunk.length));
  const opener = new ItemOpener(folder, keyRing(key.secrets), keyset, report, touched);
  try {
    for await (const item of readBundle(source)) {
      await opener.handle(item);
      options.onRecord?.(item);
    }
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
  await afterOpen(
    { folder, key, report, start: opener.start, end: opener.end, now: options.now },
    io,
  );
  return report;
}

function emptyReport(): OpenReport {
  return {
    opened: [],
    alreadyOpened: 0,
    setAside: [],
    waiting: [],
    notForThisKey: [],
    forOtherDesks: [],
    sealedToErased: [],
    failed: [],
    bundleError: null,
    cases: [],
  };
}

/** A handover file (JSON) rather than a bundle from the courier (binary). */
async function isHandoverFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(16);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return looksLikeHandover(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/** The key ring, each key with the epoch it belongs to (0: the identity key). */
function keyRing(secrets: Parameters<typeof reviewerKeyRing>[0]): RingKey[] {
  const epochs = new Map(secrets.epochs.map((e) => [e.keyPair.publicKey, e.epoch]));
  return reviewerKeyRing(secrets).map((k) => ({ ...k, epoch: epochs.get(k.publicKey) ?? 0 }));
}

interface RingKey extends KemKeyPair {
  epoch: number;
}

class ItemOpener {
  #pending: StagedItem | null = null;
  start: BundleStart | null = null;
  end: BundleEnd | null = null;

  constructor(
    private readonly folder: CaseFolder,
    private readonly ring: RingKey[],
    private readonly keyset: Keyset,
    private readonly report: OpenReport,
    private readonly touched: Set<string>,
  ) {}

  async handle(item: BundleItem): Promise<void> {
    switch (item.type) {
      case 'start':
        if (item.meta.keysetVersion > this.keyset.version) {
          throw new CliError(
            'BUNDLE_OTHER_KEYSET',
            `This bundle was made for keyset version ${item.meta.keysetVersion}, but this case folder knows only version ${this.keyset.version}. Ask the organisation for the newest keyset file and give it with --keyset.`,
          );
        }
        this.start = item.meta;
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
        this.end = item.meta;
        return this.settle();
    }
  }

  private async openItem(
    item: Extract<BundleItem, { type: 'submission' | 'followup' }>,
  ): Promise<void> {
    const itemId = item.meta.id;
    const caseId = item.type === 'submission' ? item.meta.id : item.meta.submissionId;
    const sodium = await getSodium();
    const digest = toBase64Url(sodium.crypto_generichash(32, item.envelope, null));
    // Same id, same bytes: opened before. Same id, other bytes: both are kept.
    let openedAs = itemId;
    let flag: string | undefined;
    const before = this.folder.openedDigest(itemId);
    if (before !== null && (before === '' || before === digest)) {
      this.report.alreadyOpened += 1;
      return;
    }
    if (before !== null) {
      openedAs = `${itemId}.${digest}`;
      if (this.folder.isOpened(openedAs)) {
        this.report.alreadyOpened += 1;
        return;
      }
      flag = setAside.otherContent(itemId);
    }
    try {
      const opened = await openDocument(item.envelope, this.ring);
      if (!opened) {
        const why = whyNotOpened(item.envelope, this.folder.state);
        if (why === 'other desk') this.report.forOtherDesks.push(itemId);
        else if (why === 'not for this key') this.report.notForThisKey.push(itemId);
        else this.report.sealedToErased.push({ id: itemId, epoch: why.erased });
        return;
      }
      const epoch = this.ring.find((k) => k.publicKey === opened.openedWith)?.epoch ?? 0;
      if (opened.document.kind !== item.type) {
        throw new CliError('BUNDLE_TAMPERED', `Item ${itemId} is filed as the wrong kind.`);
      }
      const place = await this.placeInCase(item.type, itemId, openedAs, caseId, digest, opened);
      if (place === 'wait') {
        this.report.waiting.push(itemId);
        (this.folder.state.waiting ??= {})[itemId] = epoch;
        return;
      }
      if (this.folder.state.waiting) delete this.folder.state.waiting[itemId];
      flag ??= place.flag;
      openedAs = place.openedAs ?? openedAs;
      const staged = await this.folder.stage({
        itemId,
        openedAs,
        caseId,
        kind: item.type,
        date: item.meta.received,
        document: opened.document,
        author: toBase64Url(opened.author),
        digest,
        epoch,
        authored: opened.authored,
        ...deskNames(this.keyset, opened.document.desk),
        ...(flag ? { flag } : {}),
        ...(item.type === 'submission' && item.meta.effort !== undefined
          ? { effort: item.meta.effort }
          : {}),
      });
      this.#pending = staged;
    } catch (error) {
      this.report.failed.push(failure(itemId, error));
    }
  }

  /**
   * Where an opened item goes: a follow-up must be signed by its case's
   * author (else DOCUMENT_NOT_BY_AUTHOR) and waits if its case is not opened
   * yet; a second submission, or a repeat of an item's content under another
   * id, is set aside with the reason.
   */
  private async placeInCase(
    kind: 'submission' | 'followup',
    itemId: string,
    openedAs: string,
    caseId: string,
    digest: string,
    opened: OpenedDocument,
  ): Promise<'wait' | { flag?: string; openedAs?: string }> {
    if (!isSafeId(itemId) || !isSafeId(caseId)) {
      throw new CliError('BUNDLE_TAMPERED', `Item "${itemId}" has an invalid id.`);
    }
    const record = await this.folder.existingCase(caseId);
    if (!record) return kind === 'submission' ? {} : 'wait';
    // Listed by its case already: a crash came before the state recorded it,
    // and the case folder adopts it. Other content listed under its id is not it.
    const listed = record.items.find((i) => openedKey(i) === openedAs);
    if (listed && (listed.digest ?? digest) === digest) return {};
    if (listed) {
      return {
        openedAs: `${itemId}.${digest}`,
        flag: setAside.otherContent(itemId),
      };
    }
    if (kind === 'submission') {
      return {
        flag: setAside.secondSubmission(caseId),
      };
    }
    await checkAuthor(opened, fromBase64Url(record.authorPublicKey));
    const twin = record.items.find((i) => i.digest === digest);
    if (twin) {
      return {
        flag: setAside.repeated(twin.itemId, itemId),
      };
    }
    return {};
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
      await pending.handOver();
      const { itemId, caseId, flag } = pending.item;
      if (flag) this.report.setAside.push({ id: itemId, code: 'ITEM_SET_ASIDE', message: flag });
      else this.report.opened.push(itemId);
      this.touched.add(caseId);
    } catch (error) {
      this.report.failed.push(failure(pending.item.itemId, error));
    } finally {
      await pending.discard();
    }
  }
}

/** The keyset's names of the desk a document names (none if the keyset no longer has it). */
export function deskNames(
  keyset: Keyset,
  desk: string | undefined,
): { deskNames?: Record<string, string> } {
  const names = keyset.desks?.find((d) => d.id === desk)?.names;
  return names ? { deskNames: names } : {};
}

/** Why an item was kept apart from its case, in words for the reviewer. */
const setAside = {
  otherContent: (itemId: string) =>
    `Item ${itemId} came again with different content. It is kept apart here; the item first opened under this id is unchanged. Someone may be trying to replace what the submitter sent.`,
  secondSubmission: (caseId: string) =>
    `A second submission for case ${caseId}. It is kept apart here; the case stays as its first submission made it. Someone may be trying to take over this case.`,
  repeated: (first: string, again: string) =>
    `The same follow-up as item ${first}, sent again as item ${again}. It is kept apart here.`,
};

function decrypted(
  entry: AttachmentManifestEntry,
  body: AsyncIterable<Uint8Array>,
): AsyncIterable<Uint8Array> {
  return decryptAttachment(body, {
    key: fromBase64Url(entry.key),
    size: entry.size,
    digest: fromBase64Url(entry.digest),
    // Absent in manifests written before sha256-segments: the reader takes blake2b-256.
    ...(entry.digestAlgorithm ? { digestAlgorithm: entry.digestAlgorithm } : {}),
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
  if (report.forOtherDesks.length > 0) {
    io.print(`${report.forOtherDesks.length} item(s) went to desks you are not in.`);
  }
  for (const { id, epoch } of report.sealedToErased) {
    io.print(
      `Item ${terminalField(id)} is sealed to ${epoch === 0 ? 'your original key' : `your key ${epoch}`}, which was erased: no one can open it with your key file any more. Another reviewer may still hold a copy they can open.`,
    );
  }
  for (const id of report.waiting) {
    io.print(
      `Item ${terminalField(id)} is a follow-up to a case that is not opened yet. It waits: open the bundle that holds its case, then this one again.`,
    );
  }
  for (const f of report.setAside) io.print(`WARNING: ${terminalField(f.message)}`);
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
  if (report.setAside.length > 0 && report.failed.length === 0 && !report.bundleError) {
    return new CliError(
      'ITEMS_SET_ASIDE',
      `${report.setAside.length} item(s) were set aside (${report.setAside.map((f) => f.id).join(', ')}); ${report.opened.length} item(s) were opened.`,
    );
  }
  if (all.length > 0) {
    return new CliError(
      'BUNDLE_TAMPERED',
      `${all.length} problem(s) in the bundle (${all.map((f) => f.id).join(', ')}); ${report.opened.length} item(s) were opened.`,
    );
  }
  if (report.sealedToErased.length > 0) {
    return new CliError(
      'EPOCH_ERASED',
      `${report.sealedToErased.length} item(s) are sealed to an erased epoch (${report.sealedToErased.map((f) => f.id).join(', ')}); ${report.opened.length} item(s) were opened.`,
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
