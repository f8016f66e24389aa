// The bundle: what the courier carries from the server to the air-gapped
// reviewers. A framed sequence of records (docs/protocol-courier.md, "Bundle"):
//
//   record = u8 type || u32be metaLength || meta (UTF-8 JSON)
//            || u64be bodyLength || body || BLAKE2b-256(all record bytes before it)
//
// The first record is `start`, the last is `end`, whose digest covers every
// byte before it. Every record carries its own checksum so that a reader can
// report one damaged item and go on; the end record catches truncation and
// removed records. Checksums detect damage, they do not authenticate: the
// envelopes and attachment streams inside are authenticated by their own AEAD.
//
// Bodies can be GiB (attachment ciphertext), so the reader streams them.
import { toBase64Url, utf8Decode, utf8Encode } from './encoding.ts';
import { SealboxError } from './errors.ts';
import { getSodium, type Sodium } from './sodium.ts';

export const BUNDLE_FORMAT = 'sealbox-bundle-v1';
export const BUNDLE_RECORD_TYPES = {
  start: 1,
  submission: 2,
  attachment: 3,
  followup: 4,
  end: 5,
} as const;
const DIGEST_BYTES = 32;
const MAX_META_BYTES = 1 << 20;
const CHUNK_BYTES = 64 * 1024;
const DEFAULT_MAX_ENVELOPE_BYTES = 64 * 1024 * 1024;

export interface BundleStart {
  format: typeof BUNDLE_FORMAT;
  keysetVersion: number;
  after: number;
  created: string;
}
export interface BundleUpload {
  id: string;
  size: number;
  digest: string;
}
export interface BundleSubmission {
  id: string;
  seq: number;
  received: string;
  keysetVersion: number;
  uploads: BundleUpload[];
}
export interface BundleAttachment {
  /** The case. */
  submissionId: string;
  /** Present when the attachment belongs to a follow-up rather than to the submission. */
  followupId?: string;
  uploadId: string;
  size: number;
  digest: string;
}
export interface BundleFollowup {
  id: string;
  submissionId: string;
  seq: number;
  received: string;
  uploads: BundleUpload[];
}
export interface BundleEnd {
  cursor: number;
  count: number;
  digest: string;
}

/** Bytes as they arrive: a stream's chunks, or an array of buffers. */
export type ByteChunks = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export type BundleItem =
  | { type: 'start'; meta: BundleStart }
  | { type: 'submission'; meta: BundleSubmission; envelope: Uint8Array }
  | { type: 'followup'; meta: BundleFollowup; envelope: Uint8Array }
  /** `body` must be consumed before the next item; its bytes are provisional until it ends without throwing. */
  | { type: 'attachment'; meta: BundleAttachment; body: AsyncIterable<Uint8Array> }
  | { type: 'damaged'; index: number; recordType: number; id?: string; error: SealboxError }
  | { type: 'end'; meta: BundleEnd };

type RecordName = keyof typeof BUNDLE_RECORD_TYPES;

// ---- meta validation (hand-written: client-crypto carries no schema library)

function fail(message: string): never {
  throw new SealboxError('FORMAT_INVALID', message);
}
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const ID = /^[A-Za-z0-9_-]{1,128}$/;
const DIGEST = /^[A-Za-z0-9_-]{43}$/;

function checkKeys(meta: Record<string, unknown>, keys: readonly string[], what: string): void {
  const extra = Object.keys(meta).filter((k) => !keys.includes(k));
  if (extra.length > 0) fail(`${what}: unexpected field ${extra[0]}`);
}
function count(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    fail(`${what} must be a non-negative integer`);
  return v;
}
function text(v: unknown, pattern: RegExp, what: string): string {
  if (typeof v !== 'string' || !pattern.test(v)) fail(`${what} is malformed`);
  return v;
}

function checkUpload(v: unknown): BundleUpload {
  if (!isObject(v)) fail('upload must be an object');
  checkKeys(v, ['id', 'size', 'digest'], 'upload');
  return {
    id: text(v.id, ID, 'upload id'),
    size: count(v.size, 'upload size'),
    digest: text(v.digest, DIGEST, 'upload digest'),
  };
}

const metaCheckers = {
  start(m: Record<string, unknown>): BundleStart {
    checkKeys(m, ['format', 'keysetVersion', 'after', 'created'], 'start');
    if (m.format !== BUNDLE_FORMAT)
      throw new SealboxError('VERSION_UNSUPPORTED', 'not a sealbox-bundle-v1 bundle');
    return {
      format: BUNDLE_FORMAT,
      keysetVersion: count(m.keysetVersion, 'keysetVersion'),
      after: count(m.after, 'after'),
      created: text(m.created, DATE, 'created'),
    };
  },
  submission(m: Record<string, unknown>): BundleSubmission {
    checkKeys(m, ['id', 'seq', 'received', 'keysetVersion', 'uploads'], 'submission');
    if (!Array.isArray(m.uploads)) fail('uploads must be a list');
    return {
      id: text(m.id, ID, 'submission id'),
      seq: count(m.seq, 'seq'),
      received: text(m.received, DATE, 'received'),
      keysetVersion: count(m.keysetVersion, 'keysetVersion'),
      uploads: m.uploads.map(checkUpload),
    };
  },
  attachment(m: Record<string, unknown>): BundleAttachment {
    checkKeys(m, ['submissionId', 'followupId', 'uploadId', 'size', 'digest'], 'attachment');
    return {
      submissionId: text(m.submissionId, ID, 'submissionId'),
      ...(m.followupId === undefined ? {} : { followupId: text(m.followupId, ID, 'followupId') }),
      uploadId: text(m.uploadId, ID, 'uploadId'),
      size: count(m.size, 'size'),
      digest: text(m.digest, DIGEST, 'digest'),
    };
  },
  followup(m: Record<string, unknown>): BundleFollowup {
    checkKeys(m, ['id', 'submissionId', 'seq', 'received', 'uploads'], 'followup');
    if (!Array.isArray(m.uploads)) fail('uploads must be a list');
    return {
      id: text(m.id, ID, 'followup id'),
      submissionId: text(m.submissionId, ID, 'submissionId'),
      seq: count(m.seq, 'seq'),
      received: text(m.received, DATE, 'received'),
      uploads: m.uploads.map(checkUpload),
    };
  },
  end(m: Record<string, unknown>): BundleEnd {
    checkKeys(m, ['cursor', 'count', 'digest'], 'end');
    return {
      cursor: count(m.cursor, 'cursor'),
      count: count(m.count, 'count'),
      digest: text(m.digest, DIGEST, 'digest'),
    };
  },
};

// Serialise with a fixed key order so that a record's bytes are a function of its fields.
function encodeMeta(name: RecordName, meta: object): Uint8Array {
  const checked = metaCheckers[name](JSON.parse(JSON.stringify(meta)) as Record<string, unknown>);
  return utf8Encode(JSON.stringify(checked));
}

function recordHeader(type: number, meta: Uint8Array, bodyLength: number): Uint8Array {
  const out = new Uint8Array(1 + 4 + meta.length + 8);
  const view = new DataView(out.buffer);
  out[0] = type;
  view.setUint32(1, meta.length);
  out.set(meta, 5);
  view.setUint32(5 + meta.length, Math.floor(bodyLength / 2 ** 32));
  view.setUint32(9 + meta.length, bodyLength >>> 0);
  return out;
}

// ---- writing

/**
 * Writes a bundle record by record. The caller sends the returned bytes on, in
 * order. Attachments of a submission must follow it, in the order of its
 * `uploads`; submissions and follow-ups come in increasing `seq`.
 */
export class BundleEncoder {
  readonly #sodium: Sodium;
  readonly #hash: ReturnType<Sodium['crypto_generichash_init']>;
  #started = false;
  #ended = false;
  #count = 0;
  #cursor = 0;
  #pending: BundleUpload[] = [];
  #pendingFor = '';

  private constructor(sodium: Sodium) {
    this.#sodium = sodium;
    this.#hash = sodium.crypto_generichash_init(null, DIGEST_BYTES);
  }

  static async create(): Promise<BundleEncoder> {
    return new BundleEncoder(await getSodium());
  }

  /**
   * Continues a bundle whose first bytes are already written (an interrupted
   * download). `prefix` must be exactly those bytes and end at an item
   * boundary (see `scanBundle`).
   */
  static async resume(prefix: AsyncIterable<Uint8Array>): Promise<BundleEncoder> {
    const encoder = await BundleEncoder.create();
    const sodium = encoder.#sodium;
    async function* tap(): AsyncGenerator<Uint8Array> {
      for await (const chunk of prefix) {
        sodium.crypto_generichash_update(encoder.#hash, chunk);
        yield chunk;
      }
    }
    let boundary = -1;
    let total = 0;
    const hooks = {
      boundary(offset: number) {
        boundary = offset;
      },
    };
    async function* counted(): AsyncGenerator<Uint8Array> {
      for await (const chunk of tap()) {
        total += chunk.length;
        yield chunk;
      }
    }
    for await (const item of readRecords(sodium, counted(), { partial: true, hooks })) {
      if (item.type === 'start') encoder.#started = true;
      else if (item.type === 'end' || item.type === 'damaged')
        fail('the prefix of a bundle to resume must be undamaged');
      else {
        encoder.#count += 1;
        if (item.type !== 'attachment') encoder.#cursor = item.meta.seq;
        else for await (const _ of item.body);
      }
    }
    if (!encoder.#started) fail('the prefix of a bundle to resume has no start record');
    if (boundary !== total) fail('the prefix of a bundle to resume must end after a whole item');
    return encoder;
  }

  get cursor(): number {
    return this.#cursor;
  }
  get count(): number {
    return this.#count;
  }

  start(meta: BundleStart): Uint8Array {
    if (this.#started) fail('a bundle has one start record');
    this.#started = true;
    this.#cursor = meta.after;
    return this.#whole('start', meta, new Uint8Array(0));
  }

  submission(meta: BundleSubmission, envelope: Uint8Array): Uint8Array {
    this.#checkItem(meta.seq);
    const bytes = this.#whole('submission', meta, envelope);
    this.#pending = [...meta.uploads];
    this.#pendingFor = meta.id;
    return bytes;
  }

  followup(meta: BundleFollowup, envelope: Uint8Array): Uint8Array {
    this.#checkItem(meta.seq);
    const bytes = this.#whole('followup', meta, envelope);
    this.#pending = [...meta.uploads];
    this.#pendingFor = meta.id;
    return bytes;
  }

  async *attachment(
    meta: BundleAttachment,
    body: AsyncIterable<Uint8Array>,
  ): AsyncGenerator<Uint8Array> {
    const next = this.#pending[0];
    if (
      !next ||
      attachmentOwner(meta) !== this.#pendingFor ||
      meta.uploadId !== next.id ||
      meta.size !== next.size
    ) {
      fail('an attachment must follow its submission or follow-up, in the order of its uploads');
    }
    this.#pending.shift();
    const sodium = this.#sodium;
    const record = sodium.crypto_generichash_init(null, DIGEST_BYTES);
    const emit = (bytes: Uint8Array): Uint8Array => {
      sodium.crypto_generichash_update(record, bytes);
      sodium.crypto_generichash_update(this.#hash, bytes);
      return bytes;
    };
    this.#count += 1;
    yield emit(
      recordHeader(BUNDLE_RECORD_TYPES.attachment, encodeMeta('attachment', meta), meta.size),
    );
    let written = 0;
    for await (const chunk of body) {
      written += chunk.length;
      if (written > meta.size) break;
      yield emit(chunk);
    }
    if (written !== meta.size) {
      sodium.crypto_generichash_final(record, DIGEST_BYTES);
      throw new SealboxError(
        'STREAM_TRUNCATED',
        `attachment ${meta.uploadId} is not ${meta.size} bytes long`,
      );
    }
    const trailer = sodium.crypto_generichash_final(record, DIGEST_BYTES);
    sodium.crypto_generichash_update(this.#hash, trailer);
    yield trailer;
  }

  end(): Uint8Array {
    if (!this.#started || this.#ended) fail('end needs a started, unfinished bundle');
    if (this.#pending.length > 0) fail('attachments of the last item are missing');
    this.#ended = true;
    const digest = toBase64Url(this.#sodium.crypto_generichash_final(this.#hash, DIGEST_BYTES));
    const meta: BundleEnd = { cursor: this.#cursor, count: this.#count, digest };
    const header = recordHeader(BUNDLE_RECORD_TYPES.end, encodeMeta('end', meta), 0);
    return concat(header, this.#sodium.crypto_generichash(DIGEST_BYTES, header, null));
  }

  #checkItem(seq: number): void {
    if (!this.#started || this.#ended) fail('records go between start and end');
    if (this.#pending.length > 0) fail('attachments of the previous item are missing');
    if (!(seq > this.#cursor)) fail('seq must increase through a bundle');
    this.#cursor = seq;
    this.#count += 1;
  }

  #whole(
    name: Exclude<RecordName, 'attachment' | 'end'>,
    meta: object,
    body: Uint8Array,
  ): Uint8Array {
    const header = recordHeader(BUNDLE_RECORD_TYPES[name], encodeMeta(name, meta), body.length);
    const record = concat(header, body);
    const bytes = concat(record, this.#sodium.crypto_generichash(DIGEST_BYTES, record, null));
    this.#sodium.crypto_generichash_update(this.#hash, bytes);
    return bytes;
  }
}

/** The record an attachment belongs to: its follow-up, or else its submission. */
function attachmentOwner(meta: BundleAttachment): string {
  return meta.followupId ?? meta.submissionId;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

// ---- reading

class ByteSource {
  readonly #it: AsyncIterator<Uint8Array> | Iterator<Uint8Array>;
  #buf: Uint8Array = new Uint8Array(0);
  offset = 0;

  constructor(source: ByteChunks) {
    this.#it =
      Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  }

  /** Up to `max` bytes (at least one), or null at the end of the source. */
  async some(max: number): Promise<Uint8Array | null> {
    while (this.#buf.length === 0) {
      const next = await this.#it.next();
      if (next.done) return null;
      this.#buf = next.value;
    }
    const out = this.#buf.subarray(0, Math.min(max, this.#buf.length));
    this.#buf = this.#buf.subarray(out.length);
    this.offset += out.length;
    return out;
  }

  /** Exactly `n` bytes; null if the source ends before the first one when `eofOk`. */
  async exact(n: number, eofOk = false): Promise<Uint8Array | null> {
    const out = new Uint8Array(n);
    let have = 0;
    while (have < n) {
      const part = await this.some(n - have);
      if (part === null) {
        if (have === 0 && eofOk) return null;
        throw new SealboxError('STREAM_TRUNCATED', 'the bundle ends in the middle of a record');
      }
      out.set(part, have);
      have += part.length;
    }
    return out;
  }
}

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

interface ReadOptions extends ReadBundleOptions {
  partial: boolean;
  hooks?: { boundary(offset: number, cursor: number): void };
}

function damaged(index: number, recordType: number, error: unknown, id?: string): BundleItem {
  if (!(error instanceof SealboxError)) throw error;
  return id === undefined
    ? { type: 'damaged', index, recordType, error }
    : { type: 'damaged', index, recordType, id, error };
}

async function* readRecords(
  sodium: Sodium,
  source: ByteChunks,
  options: ReadOptions,
): AsyncGenerator<BundleItem> {
  const src = new ByteSource(source);
  const maxEnvelope = options.maxEnvelopeBytes ?? DEFAULT_MAX_ENVELOPE_BYTES;
  const bundleHash = sodium.crypto_generichash_init(null, DIGEST_BYTES);
  let index = 0;
  let cursor = 0;
  let records = 0;
  let expected: BundleUpload[] | null = [];
  let expectedFor = '';
  let expectedAt = { index: 0, type: 0 };
  const boundary = (): void => options.hooks?.boundary(src.offset, cursor);

  for (; ; index += 1) {
    const typeByte = await src.exact(1, true);
    if (typeByte === null) {
      sodium.crypto_generichash_final(bundleHash, DIGEST_BYTES);
      if (options.partial) return;
      throw new SealboxError('STREAM_TRUNCATED', 'the bundle has no end record: it was cut short');
    }
    const type = typeByte[0]!;
    const lengthBytes = (await src.exact(4))!;
    const metaLength = new DataView(lengthBytes.buffer).getUint32(0);
    if (metaLength > MAX_META_BYTES)
      throw new SealboxError('FORMAT_INVALID', `record ${index}: metadata too long`);
    const metaBytes = (await src.exact(metaLength))!;
    const bodyLengthBytes = (await src.exact(8))!;
    const view = new DataView(bodyLengthBytes.buffer);
    const high = view.getUint32(0);
    if (high >= 2 ** 21)
      throw new SealboxError('FORMAT_INVALID', `record ${index}: body length out of range`);
    const bodyLength = high * 2 ** 32 + view.getUint32(4);

    const isEnd = type === BUNDLE_RECORD_TYPES.end;
    const bundleDigest = isEnd
      ? toBase64Url(sodium.crypto_generichash_final(bundleHash, DIGEST_BYTES))
      : '';
    const recordHash = sodium.crypto_generichash_init(null, DIGEST_BYTES);
    const absorb = (bytes: Uint8Array): void => {
      sodium.crypto_generichash_update(recordHash, bytes);
      if (!isEnd) sodium.crypto_generichash_update(bundleHash, bytes);
    };
    for (const part of [typeByte, lengthBytes, metaBytes, bodyLengthBytes]) absorb(part);
    let remaining = bodyLength;
    let checked: SealboxError | null | undefined; // undefined: trailer not read yet
    const finish = async (): Promise<void> => {
      if (checked !== undefined) return;
      while (remaining > 0) {
        const part = await src.some(Math.min(remaining, CHUNK_BYTES));
        if (part === null)
          throw new SealboxError('STREAM_TRUNCATED', 'the bundle ends in the middle of a record');
        absorb(part);
        remaining -= part.length;
      }
      const trailer = (await src.exact(DIGEST_BYTES))!;
      if (!isEnd) sodium.crypto_generichash_update(bundleHash, trailer);
      const actual = sodium.crypto_generichash_final(recordHash, DIGEST_BYTES);
      checked = sodium.memcmp(actual, trailer)
        ? null
        : new SealboxError('STREAM_TAMPERED', `record ${index} is damaged (checksum mismatch)`);
    };

    const name = (Object.keys(BUNDLE_RECORD_TYPES) as RecordName[]).find(
      (n) => BUNDLE_RECORD_TYPES[n] === type,
    );
    let meta: ReturnType<(typeof metaCheckers)[RecordName]>;
    try {
      if (name === undefined) fail(`record ${index} has an unknown type ${type}`);
      const parsed: unknown = JSON.parse(utf8Decode(metaBytes));
      if (!isObject(parsed)) fail('record metadata must be an object');
      meta = metaCheckers[name](parsed);
    } catch (error) {
      await finish();
      const failure =
        error instanceof SyntaxError
          ? new SealboxError('FORMAT_INVALID', `record ${index}: metadata is not JSON`)
          : error;
      if (index === 0 || isEnd) throw failure;
      if (name === 'submission' || name === 'followup') expected = null;
      yield damaged(index, type, failure);
      records += 1;
      continue;
    }
    const id = 'id' in meta ? meta.id : 'uploadId' in meta ? meta.uploadId : undefined;

    if (index === 0 || name === 'start') {
      await finish();
      if (index !== 0 || name !== 'start') fail('a bundle begins with one start record');
      if (checked) throw checked;
      if (bodyLength !== 0) fail('the start record has no body');
      cursor = (meta as BundleStart).after;
      yield { type: 'start', meta: meta as BundleStart };
      boundary();
      continue;
    }

    if (name === 'end') {
      await finish();
      const end = meta as BundleEnd;
      if (checked) throw new SealboxError('STREAM_TAMPERED', 'the end record is damaged');
      if (bodyLength !== 0 || utf8Decode(metaBytes) !== JSON.stringify(end))
        fail('the end record is malformed');
      if (
        end.digest !== bundleDigest ||
        end.count !== records ||
        end.cursor !== cursor ||
        (expected?.length ?? 0) > 0
      ) {
        throw new SealboxError(
          'STREAM_TAMPERED',
          'the bundle does not match its end record: records were changed or removed',
        );
      }
      if ((await src.some(1)) !== null) fail('bytes follow the end record');
      yield { type: 'end', meta: end };
      return;
    }

    records += 1;
    if (name === 'attachment') {
      const attachment = meta as BundleAttachment;
      const next = expected?.[0];
      const inPlace =
        expected === null ||
        (next?.id === attachment.uploadId &&
          expectedFor === attachmentOwner(attachment) &&
          next.size === attachment.size);
      expected?.shift();
      if (!inPlace || bodyLength !== attachment.size) {
        await finish();
        yield damaged(
          index,
          type,
          new SealboxError('FORMAT_INVALID', `attachment ${attachment.uploadId} is out of place`),
          id,
        );
        continue;
      }
      let consumed = false;
      const body = {
        async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
          consumed = true;
          while (remaining > 0) {
            const part = await src.some(Math.min(remaining, CHUNK_BYTES));
            if (part === null)
              throw new SealboxError(
                'STREAM_TRUNCATED',
                'the bundle ends in the middle of an attachment',
              );
            absorb(part);
            remaining -= part.length;
            yield part;
          }
          await finish();
          if (checked) throw checked;
        },
      };
      yield { type: 'attachment', meta: attachment, body };
      const wasConsumed = consumed && checked !== undefined;
      await finish();
      if (checked && !wasConsumed) yield damaged(index, type, checked, id);
      if (expected?.length === 0 && !checked) boundary();
      continue;
    }

    // submission or followup: an envelope, small enough to hold and check before handing out
    const item = meta as BundleSubmission | BundleFollowup;
    if (expected !== null && expected.length > 0) {
      yield damaged(
        expectedAt.index,
        expectedAt.type,
        new SealboxError('FORMAT_INVALID', `attachments of ${expectedFor} are missing`),
        expectedFor,
      );
    }
    expected = null; // until this record proves whole
    if (!(item.seq > cursor)) {
      await finish();
      yield damaged(
        index,
        type,
        new SealboxError('FORMAT_INVALID', `record ${index}: seq does not increase`),
        id,
      );
      continue;
    }
    cursor = item.seq;
    if (bodyLength > maxEnvelope) {
      await finish();
      yield damaged(
        index,
        type,
        new SealboxError('FORMAT_INVALID', `envelope of ${item.id} is too large`),
        id,
      );
      continue;
    }
    const envelope = (await src.exact(bodyLength))!;
    absorb(envelope);
    remaining = 0;
    await finish();
    if (checked) {
      yield damaged(index, type, checked, id);
      continue;
    }
    expected = [...item.uploads];
    expectedFor = item.id;
    expectedAt = { index, type };
    yield name === 'submission'
      ? { type: 'submission', meta: item as BundleSubmission, envelope }
      : { type: 'followup', meta: item as BundleFollowup, envelope };
    if (expected.length === 0) boundary();
  }
}
