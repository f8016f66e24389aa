// Writes a bundle (docs/protocol-courier.md, "Bundle"): the server's export
// and the courier's resumed download. The format is in bundle-format.ts.
import {
  type BundleAttachment,
  type BundleEnd,
  type BundleFollowup,
  type BundleStart,
  type BundleSubmission,
  type BundleUpload,
  type RecordName,
  BUNDLE_RECORD_TYPES,
  DIGEST_BYTES,
  attachmentOwner,
  encodeMeta,
  recordHeader,
} from './bundle-format.ts';
import { readRecords } from './bundle-reader.ts';
import { concatBytes, toBase64Url } from './encoding.ts';
import { SealboxError, fail } from './errors.ts';
import { getSodium, type Sodium } from './sodium.ts';

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
    return concatBytes(header, this.#sodium.crypto_generichash(DIGEST_BYTES, header, null));
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
    const record = concatBytes(header, body);
    const bytes = concatBytes(record, this.#sodium.crypto_generichash(DIGEST_BYTES, record, null));
    this.#sodium.crypto_generichash_update(this.#hash, bytes);
    return bytes;
  }
}
