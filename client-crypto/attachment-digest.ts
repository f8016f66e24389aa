// The digest of an attachment's ciphertext, which the sealed manifest carries
// and the server and the reviewer check. Two algorithms, named in the manifest:
//
//   sha256-segments (written now): h_i = SHA-256(segment_i), segments of 1 MiB
//     of ciphertext (the last shorter), then
//     digest = SHA-256("sealbox/v2/attachment-digest\n" || u32be(n) || h_1 || … || h_n)
//   blake2b-256 (read only): BLAKE2b-256 of the whole ciphertext, what pages
//     wrote before; items in flight and stored still carry it.
//
// SHA-256 because browsers compute it natively (crypto.subtle.digest) even
// where WebAssembly is off (Tor Browser's Safer level), where libsodium's
// pure-JavaScript BLAKE2b took seconds per MiB. WebCrypto does not stream,
// hence the list of segment hashes.
import { utf8Encode } from './encoding.ts';
import { getSodium } from './sodium.ts';

export const DIGEST_ALGORITHMS = ['sha256-segments', 'blake2b-256'] as const;
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];
/** What writers use; a manifest entry without `digestAlgorithm` means blake2b-256. */
export const DEFAULT_DIGEST_ALGORITHM: DigestAlgorithm = 'sha256-segments';
export const LEGACY_DIGEST_ALGORITHM: DigestAlgorithm = 'blake2b-256';
export const DIGEST_SEGMENT_BYTES = 1_048_576;
export const ATTACHMENT_DIGEST_LABEL = utf8Encode('sealbox/v2/attachment-digest\n');

export function isDigestAlgorithm(value: unknown): value is DigestAlgorithm {
  return (DIGEST_ALGORITHMS as readonly unknown[]).includes(value);
}

/** Hashes ciphertext fed in order, in pieces of any size. */
export interface AttachmentHasher {
  update(bytes: Uint8Array): Promise<void>;
  /** The digest; the hasher is spent. */
  final(): Promise<Uint8Array>;
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
}

/** The final step of sha256-segments, over the segment hashes in order. */
export async function segmentListDigest(hashes: readonly Uint8Array[]): Promise<Uint8Array> {
  const label = ATTACHMENT_DIGEST_LABEL;
  const list = new Uint8Array(label.length + 4 + 32 * hashes.length);
  list.set(label);
  new DataView(list.buffer).setUint32(label.length, hashes.length);
  hashes.forEach((h, i) => list.set(h, label.length + 4 + 32 * i));
  return sha256(list);
}

class SegmentHasher implements AttachmentHasher {
  private segment = new Uint8Array(DIGEST_SEGMENT_BYTES);
  private filled = 0;
  private readonly hashes: Promise<Uint8Array>[] = [];

  async update(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      const take = Math.min(DIGEST_SEGMENT_BYTES - this.filled, bytes.length - offset);
      this.segment.set(bytes.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === DIGEST_SEGMENT_BYTES) {
        // The segment before this one must be done first, so that at most two
        // segments' copies wait in WebCrypto however long the file.
        await this.hashes[this.hashes.length - 1];
        this.hashes.push(sha256(this.segment));
        this.segment = new Uint8Array(DIGEST_SEGMENT_BYTES);
        this.filled = 0;
      }
    }
  }

  async final(): Promise<Uint8Array> {
    if (this.filled > 0) this.hashes.push(sha256(this.segment.subarray(0, this.filled)));
    this.filled = 0;
    return segmentListDigest(await Promise.all(this.hashes));
  }
}

export async function attachmentHasher(algorithm: DigestAlgorithm): Promise<AttachmentHasher> {
  if (algorithm === 'sha256-segments') return new SegmentHasher();
  const sodium = await getSodium();
  const state = sodium.crypto_generichash_init(null, 32);
  return {
    update(bytes) {
      sodium.crypto_generichash_update(state, bytes);
      return Promise.resolve();
    },
    final() {
      return Promise.resolve(sodium.crypto_generichash_final(state, 32));
    },
  };
}

/** The digest of a whole ciphertext held in memory. */
export async function attachmentDigest(
  ciphertext: Uint8Array,
  algorithm: DigestAlgorithm = DEFAULT_DIGEST_ALGORITHM,
): Promise<Uint8Array> {
  const hasher = await attachmentHasher(algorithm);
  await hasher.update(ciphertext);
  return hasher.final();
}
