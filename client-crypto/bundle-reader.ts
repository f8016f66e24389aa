// Reads a bundle (docs/protocol-courier.md, "Reading"): record by record, one
// function per record type. A damaged record is reported and reading goes on;
// what damages the whole bundle throws. Framing is in bundle-frame.ts.
import {
  type BundleAttachment,
  type BundleEnd,
  type BundleFollowup,
  type BundleItem,
  type BundleStart,
  type BundleSubmission,
  type BundleUpload,
  type ByteChunks,
  DEFAULT_MAX_ENVELOPE_BYTES,
  DIGEST_BYTES,
  attachmentOwner,
  isObject,
  metaCheckers,
} from './bundle-format.ts';
import { ByteSource, RecordFrame } from './bundle-frame.ts';
import { utf8Decode } from './encoding.ts';
import { SealboxError, fail } from './errors.ts';
import { getSodium, type Sodium } from './sodium.ts';

export interface ReadBundleOptions {
  /** Largest envelope read into memory; a larger one is reported damaged. Default 64 MiB. */
  maxEnvelopeBytes?: number;
}

/**
 * Reads a bundle. Yields every record that checks out; a record that does not
 * is yielded as `damaged` (by index and, when readable, id) and reading goes
 * on. After the last record it throws STREAM_TRUNCATED when the end record is
 * missing and STREAM_TAMPERED when it does not match what came before, so a
 * caller must treat the bundle as complete only when the loop ends normally.
 */
export async function* readBundle(
  source: ByteChunks,
  options: ReadBundleOptions = {},
): AsyncGenerator<BundleItem> {
  yield* readRecords(await getSodium(), source, { partial: false, ...options });
}

export interface BundleScan {
  /** The start record, when the bytes hold a whole one. */
  start?: BundleStart;
  /** Byte length of the longest prefix that ends after a whole item (a submission with all its attachments, or a follow-up). */
  boundary: number;
  /** The cursor at that boundary: the last whole item's seq (or the start's `after`). */
  cursor: number;
  /** True when the bytes are a whole, verified bundle. */
  complete: boolean;
}

/** Finds where an interrupted bundle can be continued from. Never throws on damage: it stops there. */
export async function scanBundle(source: ByteChunks): Promise<BundleScan> {
  const scan: BundleScan = { boundary: 0, cursor: 0, complete: false };
  const hooks = {
    boundary(offset: number, cursor: number) {
      scan.boundary = offset;
      scan.cursor = cursor;
    },
  };
  try {
    for await (const item of readRecords(await getSodium(), source, { partial: true, hooks })) {
      if (item.type === 'damaged') break;
      if (item.type === 'start') scan.start = item.meta;
      if (item.type === 'end') scan.complete = true;
      if (item.type === 'attachment') for await (const _ of item.body);
    }
  } catch (error) {
    if (!(error instanceof SealboxError)) throw error;
    scan.complete = false;
  }
  return scan;
}

export interface ReadOptions extends ReadBundleOptions {
  /** A prefix of a bundle: ending without an end record is not an error. */
  partial: boolean;
  /** Called at each item boundary with the offset after it and the cursor there. */
  hooks?: { boundary(offset: number, cursor: number): void };
}

/** What the reader knows between records. */
interface ReaderState {
  readonly src: ByteSource;
  readonly options: ReadOptions;
  cursor: number;
  /** Records read between start and end. */
  records: number;
  /** Attachments the last item announced and that have not come yet; null while it is not whole. */
  expected: BundleUpload[] | null;
  expectedFor: string;
  expectedAt: { index: number; type: number };
}

type Parsed = {
  [N in keyof typeof metaCheckers]: { name: N; meta: ReturnType<(typeof metaCheckers)[N]> };
}[keyof typeof metaCheckers];

function damaged(index: number, recordType: number, error: unknown, id?: string): BundleItem {
  if (!(error instanceof SealboxError)) throw error;
  return id === undefined
    ? { type: 'damaged', index, recordType, error }
    : { type: 'damaged', index, recordType, id, error };
}

function boundary(state: ReaderState): void {
  state.options.hooks?.boundary(state.src.offset, state.cursor);
}

function parseMeta(frame: RecordFrame): Parsed {
  if (frame.name === undefined) fail(`record ${frame.index} has an unknown type ${frame.type}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8Decode(frame.metaBytes));
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    fail(`record ${frame.index}: metadata is not JSON`);
  }
  if (!isObject(parsed)) fail('record metadata must be an object');
  const name = frame.name;
  return { name, meta: metaCheckers[name](parsed) } as Parsed;
}

export async function* readRecords(
  sodium: Sodium,
  source: ByteChunks,
  options: ReadOptions,
): AsyncGenerator<BundleItem> {
  const src = new ByteSource(source);
  const bundleHash = sodium.crypto_generichash_init(null, DIGEST_BYTES);
  const state: ReaderState = {
    src,
    options,
    cursor: 0,
    records: 0,
    expected: [],
    expectedFor: '',
    expectedAt: { index: 0, type: 0 },
  };
  for (let index = 0; ; index += 1) {
    const frame = await RecordFrame.read(sodium, src, bundleHash, index);
    if (frame === null) {
      sodium.crypto_generichash_final(bundleHash, DIGEST_BYTES);
      if (options.partial) return;
      throw new SealboxError('STREAM_TRUNCATED', 'the bundle has no end record: it was cut short');
    }
    let parsed: Parsed;
    try {
      parsed = parseMeta(frame);
    } catch (error) {
      await frame.finish();
      if (index === 0 || frame.isEnd) throw error;
      if (frame.name === 'submission' || frame.name === 'followup') state.expected = null;
      yield damaged(index, frame.type, error);
      state.records += 1;
      continue;
    }
    if (index === 0 || parsed.name === 'start') {
      yield* readStart(state, frame, parsed);
      continue;
    }
    if (parsed.name === 'end') {
      yield* readEnd(state, frame, parsed.meta);
      return;
    }
    state.records += 1;
    if (parsed.name === 'attachment') yield* readAttachment(state, frame, parsed.meta);
    else yield* readItem(state, frame, parsed);
  }
}

async function* readStart(
  state: ReaderState,
  frame: RecordFrame,
  parsed: Parsed,
): AsyncGenerator<BundleItem> {
  await frame.finish();
  if (frame.index !== 0 || parsed.name !== 'start') fail('a bundle begins with one start record');
  if (frame.checked) throw frame.checked;
  if (frame.bodyLength !== 0) fail('the start record has no body');
  state.cursor = parsed.meta.after;
  yield { type: 'start', meta: parsed.meta };
  boundary(state);
}

async function* readEnd(
  state: ReaderState,
  frame: RecordFrame,
  end: BundleEnd,
): AsyncGenerator<BundleItem> {
  await frame.finish();
  if (frame.checked) throw new SealboxError('STREAM_TAMPERED', 'the end record is damaged');
  if (frame.bodyLength !== 0 || utf8Decode(frame.metaBytes) !== JSON.stringify(end))
    fail('the end record is malformed');
  if (
    end.digest !== frame.bundleDigest ||
    end.count !== state.records ||
    end.cursor !== state.cursor ||
    (state.expected?.length ?? 0) > 0
  ) {
    throw new SealboxError(
      'STREAM_TAMPERED',
      'the bundle does not match its end record: records were changed or removed',
    );
  }
  if ((await state.src.some(1)) !== null) fail('bytes follow the end record');
  yield { type: 'end', meta: end };
}

async function* readAttachment(
  state: ReaderState,
  frame: RecordFrame,
  attachment: BundleAttachment,
): AsyncGenerator<BundleItem> {
  const { index, type } = frame;
  const id = attachment.uploadId;
  const next = state.expected?.[0];
  const inPlace =
    state.expected === null ||
    (next?.id === attachment.uploadId &&
      state.expectedFor === attachmentOwner(attachment) &&
      next.size === attachment.size);
  state.expected?.shift();
  if (!inPlace || frame.bodyLength !== attachment.size) {
    await frame.finish();
    const error = new SealboxError('FORMAT_INVALID', `attachment ${id} is out of place`);
    yield damaged(index, type, error, id);
    return;
  }
  let consumed = false;
  const body = {
    async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
      consumed = true;
      yield* frame.body('an attachment');
      await frame.finish();
      if (frame.checked) throw frame.checked;
    },
  };
  yield { type: 'attachment', meta: attachment, body };
  const wasConsumed = consumed && frame.checked !== undefined;
  await frame.finish();
  if (frame.checked && !wasConsumed) yield damaged(index, type, frame.checked, id);
  if (state.expected?.length === 0 && !frame.checked) boundary(state);
}

/** A submission or follow-up: an envelope, small enough to hold and check before handing out. */
async function* readItem(
  state: ReaderState,
  frame: RecordFrame,
  parsed: Extract<Parsed, { name: 'submission' | 'followup' }>,
): AsyncGenerator<BundleItem> {
  const { index, type } = frame;
  const item: BundleSubmission | BundleFollowup = parsed.meta;
  if (state.expected !== null && state.expected.length > 0) {
    const { expectedAt, expectedFor } = state;
    const error = new SealboxError('FORMAT_INVALID', `attachments of ${expectedFor} are missing`);
    yield damaged(expectedAt.index, expectedAt.type, error, expectedFor);
  }
  state.expected = null; // until this record proves whole
  const problem = !(item.seq > state.cursor)
    ? `record ${index}: seq does not increase`
    : frame.bodyLength > (state.options.maxEnvelopeBytes ?? DEFAULT_MAX_ENVELOPE_BYTES)
      ? `envelope of ${item.id} is too large`
      : undefined;
  if (item.seq > state.cursor) state.cursor = item.seq;
  if (problem !== undefined) {
    await frame.finish();
    yield damaged(index, type, new SealboxError('FORMAT_INVALID', problem), item.id);
    return;
  }
  const envelope = await frame.wholeBody();
  await frame.finish();
  if (frame.checked) {
    yield damaged(index, type, frame.checked, item.id);
    return;
  }
  state.expected = [...item.uploads];
  state.expectedFor = item.id;
  state.expectedAt = { index, type };
  yield parsed.name === 'submission'
    ? { type: 'submission', meta: parsed.meta, envelope }
    : { type: 'followup', meta: parsed.meta, envelope };
  if (state.expected.length === 0) boundary(state);
}
