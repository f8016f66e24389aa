// Uploads one attachment's ciphertext in numbered parts. Each part is kept in
// memory until the server has it, so a dropped connection costs one part, not the
// file: we wait (backing off), ask the server which parts arrived, and go on.
import { type EncryptedAttachment, rechunk, toBase64Url } from '../../client-crypto/index.ts';
import { ApiError, type Proof, api, isTransient } from './api.ts';

export interface UploadEvents {
  /** Ciphertext bytes the server has confirmed so far. */
  progress(sent: number, total: number): void;
  /** A transient failure; the next attempt starts in `delayMs`. */
  retrying(delayMs: number, attempt: number): void;
}

export interface UploadOptions {
  /** Bytes per part; the server takes 64 KiB up to its configured maximum (1 MiB by default). */
  partSize?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const PART_BYTES = 1024 * 1024;
const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `attempt` until it succeeds or fails for a reason retrying cannot fix. */
export async function withRetry<T>(
  attempt: () => Promise<T>,
  events: Pick<UploadEvents, 'retrying'>,
  options: UploadOptions = {},
): Promise<T> {
  const { maxAttempts = 8, baseDelayMs = 1000, maxDelayMs = 30_000, sleep = wait } = options;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isTransient(error) || n >= maxAttempts) throw error;
      const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (n - 1));
      events.retrying(delay, n);
      await sleep(delay);
    }
  }
}

/**
 * How a write is paid for: solves a proof (at the level the service asks,
 * for a new case's files) and sends the write with it, answering what it
 * answers.
 */
export type Payment = <T>(send: (proof: Proof) => Promise<T>) => Promise<T>;

/**
 * Sends an encrypted attachment and returns its upload id. `pay` solves a
 * fresh proof for each attempt at the create call; `lookupToken` (b64url) is
 * given for a follow-up's files.
 */
export async function uploadAttachment(
  encrypted: EncryptedAttachment,
  pay: Payment,
  events: UploadEvents,
  options: UploadOptions & { lookupToken?: string } = {},
): Promise<string> {
  const total = encrypted.ciphertextSize;
  const partSize = Math.min(options.partSize ?? PART_BYTES, total);
  // A proof pays for one attempt, so every attempt solves a fresh one.
  const created = await withRetry(
    () => pay((proof) => api.createUpload(proof, total, partSize, options.lookupToken)),
    events,
    options,
  );
  const id = created.uploadId;
  let sent = 0;
  let index = 0;
  // The encryption stream's chunks, re-cut into parts of exactly the agreed size.
  for await (const part of rechunk(encrypted.chunks, created.partSize)) {
    const number = index;
    await withRetry(
      async () => {
        try {
          await api.putPart(id, number, part);
        } catch (error) {
          if (!isTransient(error)) throw error;
          // The part may have arrived even though the answer did not. (The server
          // stores a part only once it has all of its bytes.)
          const state = await api.uploadState(id).catch(() => undefined);
          if (!state?.received.includes(number)) throw error;
        }
      },
      events,
      options,
    );
    sent += part.length;
    index += 1;
    events.progress(sent, total);
  }
  if (index !== created.partCount) {
    throw new ApiError(0, 'UPLOAD_PARTS', `expected ${created.partCount} parts, made ${index}`);
  }
  const digest = toBase64Url(encrypted.digest());
  await withRetry(() => api.finishUpload(id, digest, encrypted.digestAlgorithm), events, options);
  return id;
}
