// The reader's view of bytes and records: a source cut into exact lengths, and
// one record's framing (type, meta, body length) with its running checksum.
// bundle-reader.ts decides what each record means.
import {
  type ByteChunks,
  type RecordName,
  BODY_PIECE_BYTES,
  BUNDLE_RECORD_TYPES,
  DIGEST_BYTES,
  MAX_META_BYTES,
  recordName,
} from './bundle-format.ts';
import { toBase64Url } from './encoding.ts';
import { SealboxError } from './errors.ts';
import type { Sodium } from './sodium.ts';

type HashState = ReturnType<Sodium['crypto_generichash_init']>;

export class ByteSource {
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

/**
 * One record whose framing has been read: its body is still in the source.
 * Every byte read for it goes into its checksum and, unless it is the end
 * record, into the bundle digest.
 */
export class RecordFrame {
  readonly name: RecordName | undefined;
  /** For the end record: the digest of every byte before it. */
  readonly bundleDigest: string;
  /** Body bytes not read yet. */
  remaining: number;
  /** Undefined until the checksum is read; then null when it matches, else the error. */
  checked: SealboxError | null | undefined;
  readonly #recordHash: HashState;

  private constructor(
    readonly sodium: Sodium,
    readonly src: ByteSource,
    readonly bundleHash: HashState,
    readonly index: number,
    readonly type: number,
    readonly metaBytes: Uint8Array,
    readonly bodyLength: number,
  ) {
    this.name = recordName(type);
    this.bundleDigest = this.isEnd
      ? toBase64Url(sodium.crypto_generichash_final(bundleHash, DIGEST_BYTES))
      : '';
    this.remaining = bodyLength;
    this.#recordHash = sodium.crypto_generichash_init(null, DIGEST_BYTES);
  }

  /** The next record's framing, or null when the source ends cleanly before it. */
  static async read(
    sodium: Sodium,
    src: ByteSource,
    bundleHash: HashState,
    index: number,
  ): Promise<RecordFrame | null> {
    const typeByte = await src.exact(1, true);
    if (typeByte === null) return null;
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
    const frame = new RecordFrame(
      sodium,
      src,
      bundleHash,
      index,
      typeByte[0]!,
      metaBytes,
      bodyLength,
    );
    for (const part of [typeByte, lengthBytes, metaBytes, bodyLengthBytes]) frame.absorb(part);
    return frame;
  }

  get isEnd(): boolean {
    return this.type === BUNDLE_RECORD_TYPES.end;
  }

  absorb(bytes: Uint8Array): void {
    this.sodium.crypto_generichash_update(this.#recordHash, bytes);
    if (!this.isEnd) this.sodium.crypto_generichash_update(this.bundleHash, bytes);
  }

  /** The rest of the body, piece by piece; `what` names the record if the source ends early. */
  async *body(what: string): AsyncGenerator<Uint8Array> {
    while (this.remaining > 0) {
      const part = await this.src.some(Math.min(this.remaining, BODY_PIECE_BYTES));
      if (part === null)
        throw new SealboxError('STREAM_TRUNCATED', `the bundle ends in the middle of ${what}`);
      this.absorb(part);
      this.remaining -= part.length;
      yield part;
    }
  }

  /** The whole rest of the body at once (an envelope). */
  async wholeBody(): Promise<Uint8Array> {
    const body = (await this.src.exact(this.remaining))!;
    this.absorb(body);
    this.remaining = 0;
    return body;
  }

  /** Reads what is left of the body and the checksum, and sets `checked`. */
  async finish(): Promise<void> {
    if (this.checked !== undefined) return;
    for await (const _ of this.body('a record'));
    const trailer = (await this.src.exact(DIGEST_BYTES))!;
    if (!this.isEnd) this.sodium.crypto_generichash_update(this.bundleHash, trailer);
    const actual = this.sodium.crypto_generichash_final(this.#recordHash, DIGEST_BYTES);
    this.checked = this.sodium.memcmp(actual, trailer)
      ? null
      : new SealboxError('STREAM_TAMPERED', `record ${this.index} is damaged (checksum mismatch)`);
  }
}
