// Attachments: each file gets its own random key and is encrypted with
// crypto_secretstream_xchacha20poly1305 in fixed 64 KiB chunks, so truncation,
// reordering, duplication and a wrong key are all detected. The plaintext is
// padded with zero bytes to its Padmé length before encryption; the real size
// lives only in the sealed manifest.
//
//   ciphertext = stream_header (24) || chunk_1 || … || chunk_n
//   chunk_i    = secretstream_push(plain_i, tag = MESSAGE, or FINAL for i = n)
//   digest     = attachment-digest.ts over the ciphertext (sha256-segments by
//                default; blake2b-256 still read)
import {
  type DigestAlgorithm,
  DEFAULT_DIGEST_ALGORITHM,
  LEGACY_DIGEST_ALGORITHM,
  attachmentHasher,
} from './attachment-digest.ts';
import { SealboxError } from './errors.ts';
import { attachmentPaddedLength } from './padding.ts';
import { getSodium } from './sodium.ts';

export const CHUNK_BYTES = 65_536;
export const STREAM_HEADER_BYTES = 24;
export const STREAM_ABYTES = 17;

export function attachmentCiphertextSize(size: number): number {
  const padded = attachmentPaddedLength(size);
  return STREAM_HEADER_BYTES + padded + Math.ceil(padded / CHUNK_BYTES) * STREAM_ABYTES;
}

type ByteSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Reads exactly n bytes at a time from a byte source (fewer only at its end). */
class ExactReader {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private pending: Uint8Array = new Uint8Array(0);
  private done = false;

  constructor(source: ByteSource) {
    this.iterator = (async function* () {
      yield* source;
    })();
  }

  async read(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      if (this.pending.length === 0) {
        if (this.done) break;
        const next = await this.iterator.next();
        if (next.done) {
          this.done = true;
          break;
        }
        this.pending = next.value;
        continue;
      }
      const take = Math.min(n - filled, this.pending.length);
      out.set(this.pending.subarray(0, take), filled);
      this.pending = this.pending.subarray(take);
      filled += take;
    }
    return filled === n ? out : out.subarray(0, filled);
  }
}

/**
 * Re-cuts a byte source into pieces of exactly `size` bytes (the last may be
 * shorter). Each piece is a buffer of its own, so a caller may keep it (the page
 * holds each upload part until the server has it).
 */
export async function* rechunk(source: ByteSource, size: number): AsyncGenerator<Uint8Array> {
  let buffer = new Uint8Array(size);
  let filled = 0;
  for await (const piece of source) {
    let offset = 0;
    while (offset < piece.length) {
      const take = Math.min(size - filled, piece.length - offset);
      buffer.set(piece.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === size) {
        yield buffer;
        buffer = new Uint8Array(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.subarray(0, filled);
}

export interface EncryptedAttachment {
  key: Uint8Array;
  size: number;
  ciphertextSize: number;
  chunks: AsyncIterable<Uint8Array>;
  /** The algorithm `digest` is computed with, for the manifest and the upload's finish. */
  digestAlgorithm: DigestAlgorithm;
  /** The digest of the whole ciphertext; available once `chunks` is consumed. */
  digest(): Uint8Array;
}

export async function encryptAttachment(
  source: ByteSource,
  size: number,
  options: { digestAlgorithm?: DigestAlgorithm } = {},
): Promise<EncryptedAttachment> {
  const sodium = await getSodium();
  const digestAlgorithm = options.digestAlgorithm ?? DEFAULT_DIGEST_ALGORITHM;
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError('attachment size out of range');
  const key = sodium.crypto_secretstream_xchacha20poly1305_keygen();
  const padded = attachmentPaddedLength(size);
  const chunkCount = Math.ceil(padded / CHUNK_BYTES);
  let digest: Uint8Array | undefined;

  async function* chunks(): AsyncGenerator<Uint8Array> {
    const hash = await attachmentHasher(digestAlgorithm);
    const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
    await hash.update(header);
    yield header;
    let seen = 0;
    let index = 0;
    const emit = async (plain: Uint8Array) => {
      index++;
      const tag =
        index === chunkCount
          ? sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
          : sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
      const c = sodium.crypto_secretstream_xchacha20poly1305_push(state, plain, null, tag);
      await hash.update(c);
      return c;
    };
    let pending: Uint8Array | undefined;
    for await (const piece of rechunk(source, CHUNK_BYTES)) {
      seen += piece.length;
      if (seen > size) throw new RangeError('attachment is larger than its declared size');
      if (pending) yield await emit(pending);
      pending = piece;
    }
    if (seen !== size) throw new RangeError('attachment is smaller than its declared size');
    // The last real chunk is topped up with zeros, then whole zero chunks follow.
    let remaining = padded - size;
    if (pending) {
      const top = Math.min(remaining, CHUNK_BYTES - pending.length);
      const full = new Uint8Array(pending.length + top);
      full.set(pending);
      remaining -= top;
      yield await emit(full);
    }
    while (remaining > 0) {
      const n = Math.min(remaining, CHUNK_BYTES);
      remaining -= n;
      yield await emit(new Uint8Array(n));
    }
    digest = await hash.final();
  }

  return {
    key,
    size,
    ciphertextSize: attachmentCiphertextSize(size),
    chunks: chunks(),
    digestAlgorithm,
    digest() {
      if (!digest) throw new Error('digest is known only after the ciphertext is consumed');
      return digest;
    },
  };
}

/**
 * Decrypts an attachment, yielding its plaintext (padding removed). The digest
 * is checked with the entry's algorithm, blake2b-256 when it names none (a
 * manifest written before sha256-segments). Throws
 * STREAM_TAMPERED, STREAM_TRUNCATED or DIGEST_MISMATCH. What it yielded is
 * provisional until the iterator finishes without throwing: callers write to
 * a temporary file and keep it only then.
 */
export async function* decryptAttachment(
  source: ByteSource,
  entry: { key: Uint8Array; size: number; digest: Uint8Array; digestAlgorithm?: DigestAlgorithm },
): AsyncGenerator<Uint8Array> {
  const sodium = await getSodium();
  if (entry.key.length !== 32)
    throw new SealboxError('KEY_INVALID', 'attachment key must be 32 bytes');
  const padded = attachmentPaddedLength(entry.size);
  const chunkCount = Math.ceil(padded / CHUNK_BYTES);
  const hash = await attachmentHasher(entry.digestAlgorithm ?? LEGACY_DIGEST_ALGORITHM);
  const reader = new ExactReader(source);
  const header = await reader.read(STREAM_HEADER_BYTES);
  if (header.length < STREAM_HEADER_BYTES) {
    throw new SealboxError('STREAM_TRUNCATED', 'attachment ends before its header');
  }
  await hash.update(header);
  let state: ReturnType<typeof sodium.crypto_secretstream_xchacha20poly1305_init_pull>;
  try {
    state = sodium.crypto_secretstream_xchacha20poly1305_init_pull(header, entry.key);
  } catch {
    throw new SealboxError('STREAM_TAMPERED', 'attachment header is invalid');
  }
  let index = 0;
  let written = 0;
  let finished = false;
  for (;;) {
    const c = await reader.read(CHUNK_BYTES + STREAM_ABYTES);
    if (c.length === 0) break;
    if (finished) throw new SealboxError('STREAM_TAMPERED', 'data after the final chunk');
    await hash.update(c);
    const expected = index + 1 < chunkCount ? CHUNK_BYTES : padded - (chunkCount - 1) * CHUNK_BYTES;
    if (index < chunkCount && c.length < expected + STREAM_ABYTES) {
      throw new SealboxError('STREAM_TRUNCATED', `attachment ends inside chunk ${index + 1}`);
    }
    const r =
      c.length > STREAM_ABYTES
        ? sodium.crypto_secretstream_xchacha20poly1305_pull(state, c, null)
        : false;
    if (!r)
      throw new SealboxError(
        'STREAM_TAMPERED',
        `attachment chunk ${index + 1} does not authenticate`,
      );
    index++;
    const isFinal = r.tag === sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    const expectedTag =
      index === chunkCount
        ? sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
        : sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    if (r.tag !== expectedTag) {
      throw new SealboxError('STREAM_TAMPERED', 'attachment chunk order is wrong');
    }
    finished = isFinal;
    const keep = Math.max(0, Math.min(r.message.length, entry.size - written));
    for (let i = keep; i < r.message.length; i++) {
      if (r.message[i] !== 0)
        throw new SealboxError('STREAM_TAMPERED', 'attachment padding is not zero');
    }
    written += keep;
    if (keep > 0) yield r.message.subarray(0, keep);
  }
  if (!finished)
    throw new SealboxError('STREAM_TRUNCATED', 'attachment ends before its final chunk');
  const digest = await hash.final();
  if (entry.digest.length !== digest.length || !sodium.memcmp(digest, entry.digest)) {
    throw new SealboxError('DIGEST_MISMATCH', 'attachment digest does not match the manifest');
  }
}
