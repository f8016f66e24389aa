// Epoch keys for benchmarks: a real, signed epoch key per reviewer for the
// week around today, as a reviewer makes them ahead of time, and a reviewer
// key file that holds its seed (secret version 2).
import { readFile, writeFile } from 'node:fs/promises';
import {
  addDays,
  decodeReviewerSecrets,
  encodeReviewerSecrets,
  generateEpochKey,
  isoDate,
  lockKeyFile,
  unlockKeyFile,
} from '../../client-crypto/index.ts';
import type {
  KemKeyPair,
  KeyFileCost,
  ReviewerIdentity,
  SignedEpochKey,
} from '../../client-crypto/index.ts';

export interface BenchEpochs {
  /** The signed public halves, to publish; one per reviewer, in order. */
  signed: SignedEpochKey[];
  /** The key pairs, to open with; one per reviewer, in order. */
  keyPairs: KemKeyPair[];
}

/** One epoch key per reviewer, a week from three days before `now`. */
export async function currentEpochsOf(
  identities: readonly ReviewerIdentity[],
  now = new Date(),
): Promise<BenchEpochs> {
  const starts = addDays(isoDate(now), -3);
  const made = await Promise.all(
    identities.map((r) => generateEpochKey(r, 1, starts, addDays(starts, 7))),
  );
  return {
    signed: made.map((m) => m.signed),
    keyPairs: made.map((m) => ({ publicKey: m.publicKey, secretKey: m.seed })),
  };
}

/**
 * Adds `weeks` weekly epoch keys, the first starting on `first`, to a
 * reviewer key file (numbered on from those it holds); returns their signed
 * public halves, to publish.
 */
export async function addEpochsToKeyFile(
  path: string,
  passphrase: string,
  cost: KeyFileCost,
  first: string,
  weeks: number,
): Promise<SignedEpochKey[]> {
  const file: unknown = JSON.parse(await readFile(path, 'utf8'));
  const secrets = await decodeReviewerSecrets((await unlockKeyFile(file, passphrase)).secret);
  const signed: SignedEpochKey[] = [];
  for (let week = 0; week < weeks; week++) {
    const starts = addDays(first, 7 * week);
    const made = await generateEpochKey(
      secrets,
      secrets.epochs.length + 1,
      starts,
      addDays(starts, 7),
    );
    secrets.epochs.push(made.secret);
    signed.push(made.signed);
  }
  const locked = await lockKeyFile('reviewer', encodeReviewerSecrets(secrets), passphrase, cost);
  await writeFile(path, `${JSON.stringify(locked, null, 2)}\n`);
  return signed;
}

/** Adds this week's epoch key to a reviewer key file; returns its signed public half. */
export async function addEpochToKeyFile(
  path: string,
  passphrase: string,
  cost: KeyFileCost,
  now = new Date(),
): Promise<SignedEpochKey> {
  const [signed] = await addEpochsToKeyFile(path, passphrase, cost, addDays(isoDate(now), -3), 1);
  return signed!;
}
