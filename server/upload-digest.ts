// The sha256-segments digest of an upload's ciphertext (docs/protocol.md,
// "Attachment digest"), hashed while its parts arrive, so that finishing a
// 1 GiB upload does not read 1 GiB back from the database. Only the digest
// pages write now is followed: an upload finished with a blake2b-256 digest
// (a page loaded before the change) is hashed from its stored parts at finish.
// It is a shortcut kept in this process only, never the truth: with the hash
// goes a fingerprint of the row version of every part it took in, and finish
// trusts it only while those rows are still the stored ones. A restart, a part
// stored or replaced through another instance, or parts that arrive too far
// out of order make finish read the parts it lacks from the database instead.
import { type Hash, createHash } from 'node:crypto';
import {
  type getSodium,
  ATTACHMENT_DIGEST_LABEL,
  DIGEST_SEGMENT_BYTES,
} from '../client-crypto/index.ts';

type Sodium = Awaited<ReturnType<typeof getSodium>>;
type VersionState = ReturnType<Sodium['crypto_generichash_init']>;

// libsodium copies its input into its WebAssembly memory, which never shrinks:
// slices keep that copy small whatever the part size.
const SLICE = 64 * 1024;

/** sha256-segments over bytes fed in order, with node:crypto. */
export class SegmentDigest {
  private segment: Hash = createHash('sha256');
  private filled = 0;
  private readonly hashes: Buffer[] = [];

  update(bytes: Uint8Array): void {
    let offset = 0;
    while (offset < bytes.length) {
      const take = Math.min(DIGEST_SEGMENT_BYTES - this.filled, bytes.length - offset);
      this.segment.update(bytes.subarray(offset, offset + take));
      this.filled += take;
      offset += take;
      if (this.filled === DIGEST_SEGMENT_BYTES) this.close();
    }
  }

  final(): Uint8Array {
    if (this.filled > 0) this.close();
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.hashes.length);
    const list = createHash('sha256').update(ATTACHMENT_DIGEST_LABEL).update(count);
    for (const h of this.hashes) list.update(h);
    return new Uint8Array(list.digest());
  }

  private close(): void {
    this.hashes.push(this.segment.digest());
    this.segment = createHash('sha256');
    this.filled = 0;
  }
}

/** BLAKE2b-256 of a whole ciphertext, for uploads finished with the digest pages wrote before. */
export async function blake2bOf(
  sodium: Sodium,
  source: AsyncIterable<Uint8Array>,
): Promise<Uint8Array> {
  const state = sodium.crypto_generichash_init(null, 32);
  try {
    for await (const bytes of source) {
      for (let at = 0; at < bytes.length; at += SLICE) {
        sodium.crypto_generichash_update(state, bytes.subarray(at, at + SLICE));
      }
    }
  } catch (error) {
    // final frees the state in libsodium's memory.
    sodium.crypto_generichash_final(state, 32);
    throw error;
  }
  return sodium.crypto_generichash_final(state, 32);
}

interface Running {
  /** Parts 0 … next − 1 are in `hash`, and their row versions in `versions`. */
  next: number;
  hash: SegmentDigest;
  versions: VersionState;
  /** Parts stored before their turn, held until the ones before them arrive. */
  ahead: Map<number, { bytes: Uint8Array; version: string }>;
  /** A part came too far ahead to be held: hashing stops at `next`, finish reads the rest. */
  stalled: boolean;
  touched: number;
}

/** Where finish starts hashing: `from` parts are in `state` already. */
export interface DigestResume {
  state: SegmentDigest;
  from: number;
}

export class RunningDigests {
  private readonly uploads = new Map<string, Running>();
  private aheadBytes = 0;

  constructor(
    private readonly sodium: Sodium,
    private readonly limits: {
      /** Uploads followed at once; the least recently written beyond it are forgotten. */
      uploads: number;
      /** Bytes of early parts held, all uploads together. */
      aheadBytes: number;
      /** An upload with no part written for this long is forgotten. */
      idleMs: number;
    },
    private readonly now: () => number = Date.now,
  ) {}

  /** An upload was created here: follow it from its first part. */
  created(id: string): void {
    this.sweep();
    this.forget(id);
    this.follow(id);
  }

  /**
   * A part's transaction has committed: `version` is the row version `putPart`
   * returned. True when the part came early and its bytes are held until the
   * parts before it arrive: the caller must not reuse them.
   */
  stored(id: string, part: number, bytes: Uint8Array, version: string): boolean {
    this.sweep();
    let running = this.uploads.get(id);
    if (running && part < running.next) {
      // A part that is already hashed was replaced: the hash no longer holds.
      this.forget(id);
      running = undefined;
    }
    // Not followed (created before a restart or by another instance): only a
    // first part can start a hash.
    if (!running && part !== 0) return false;
    running = this.follow(id);
    if (running.stalled) return false;
    this.dropAhead(running, part);
    if (part === running.next) {
      this.take(running, bytes, version);
      for (let early = running.ahead.get(running.next); early;) {
        this.dropAhead(running, running.next);
        this.take(running, early.bytes, early.version);
        early = running.ahead.get(running.next);
      }
    } else if (this.aheadBytes + bytes.length <= this.limits.aheadBytes) {
      running.ahead.set(part, { bytes, version });
      this.aheadBytes += bytes.length;
      return true;
    } else {
      for (const early of running.ahead.keys()) this.dropAhead(running, early);
      running.stalled = true;
    }
    return false;
  }

  /**
   * Hands over the running hash of an upload (and stops following it) if the
   * stored rows are still those it hashed; `versions` lists every stored
   * part's row version in part order. Otherwise a fresh state from part 0.
   */
  resume(id: string, versions: readonly string[]): DigestResume {
    const running = this.uploads.get(id);
    if (running) {
      this.uploads.delete(id);
      for (const part of running.ahead.keys()) this.dropAhead(running, part);
      const fingerprint = this.sodium.crypto_generichash_init(null, 32);
      for (const version of versions.slice(0, running.next)) {
        this.sodium.crypto_generichash_update(fingerprint, `${version}\n`);
      }
      const expected = this.sodium.crypto_generichash_final(running.versions, 32);
      const actual = this.sodium.crypto_generichash_final(fingerprint, 32);
      if (running.next <= versions.length && this.sodium.memcmp(expected, actual)) {
        return { state: running.hash, from: running.next };
      }
    }
    return { state: new SegmentDigest(), from: 0 };
  }

  /** Hashes the rest of the ciphertext into `state`; the state is spent either way. */
  async finish(state: SegmentDigest, rest: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
    for await (const bytes of rest) state.update(bytes);
    return state.final();
  }

  /** How many uploads are followed and how many early bytes are held (for tests). */
  get size(): { uploads: number; aheadBytes: number } {
    return { uploads: this.uploads.size, aheadBytes: this.aheadBytes };
  }

  forget(id: string): void {
    const running = this.uploads.get(id);
    if (!running) return;
    this.uploads.delete(id);
    for (const part of running.ahead.keys()) this.dropAhead(running, part);
    // final frees the state in libsodium's memory; the result is not needed.
    this.sodium.crypto_generichash_final(running.versions, 32);
  }

  /** The upload's running state, created if need be and marked as the most recently used. */
  private follow(id: string): Running {
    const running = this.uploads.get(id) ?? {
      next: 0,
      hash: new SegmentDigest(),
      versions: this.sodium.crypto_generichash_init(null, 32),
      ahead: new Map<number, { bytes: Uint8Array; version: string }>(),
      stalled: false,
      touched: 0,
    };
    // Map order is least recently written first.
    this.uploads.delete(id);
    this.uploads.set(id, running);
    running.touched = this.now();
    while (this.uploads.size > this.limits.uploads) {
      this.forget(this.uploads.keys().next().value!);
    }
    return running;
  }

  private take(running: Running, bytes: Uint8Array, version: string): void {
    running.hash.update(bytes);
    this.sodium.crypto_generichash_update(running.versions, `${version}\n`);
    running.next += 1;
  }

  private dropAhead(running: Running, part: number): void {
    const early = running.ahead.get(part);
    if (!early) return;
    running.ahead.delete(part);
    this.aheadBytes -= early.bytes.length;
  }

  private sweep(): void {
    const cutoff = this.now() - this.limits.idleMs;
    for (const [id, running] of this.uploads) {
      if (running.touched >= cutoff) break;
      this.forget(id);
    }
  }
}
