// Which epoch keys to make, and the signed public half of a held one. Epoch
// numbers count up for each reviewer; the first new epoch starts today (or
// when the last held one ends), each next one when the one before ends.
import {
  type EpochKey,
  type EpochSecret,
  type ReviewerSecrets,
  type SignedEpochKey,
  EPOCH_KEY_FORMAT,
  addDays,
  generateEpochKey,
  toBase64Url,
} from '../../client-crypto/index.ts';
import { EPOCH_KEY_SIGNATURE_LABEL, EPOCH_KEY_VERSION } from '../../client-crypto/epoch.ts';
import { signJson } from '../../client-crypto/signed.ts';

/**
 * New epoch keys so that at least `ahead` epochs have not ended by `today`.
 * `lastNumber` is the highest epoch number ever made (held or erased), so
 * that a number is never used twice (the server refuses a second key for it).
 */
export async function makeEpochs(
  secrets: ReviewerSecrets,
  options: { today: string; ahead: number; days: number; lastNumber: number },
): Promise<EpochSecret[]> {
  const { today, ahead, days } = options;
  const held = [...secrets.epochs].sort((a, b) => a.epoch - b.epoch);
  let number = Math.max(options.lastNumber, held.at(-1)?.epoch ?? 0);
  const lastEnds = held.reduce((max, e) => (e.ends > max ? e.ends : max), today);
  let starts = lastEnds > today ? lastEnds : today;
  const made: EpochSecret[] = [];
  for (let live = held.filter((e) => e.ends > today).length; live < ahead; live++) {
    number += 1;
    const ends = addDays(starts, days);
    made.push((await generateEpochKey(secrets, number, starts, ends)).secret);
    starts = ends;
  }
  return made;
}

/**
 * The signed public half of an epoch key the reviewer holds. Ed25519
 * signatures are deterministic, so this is byte for byte the object made when
 * the key was generated: publishing it again changes nothing on the server.
 */
export function signedEpochKey(secrets: ReviewerSecrets, e: EpochSecret): Promise<SignedEpochKey> {
  const key: EpochKey = {
    v: EPOCH_KEY_VERSION,
    reviewer: toBase64Url(secrets.signPublicKey),
    epoch: e.epoch,
    starts: e.starts,
    ends: e.ends,
    kemPublicKey: toBase64Url(e.keyPair.publicKey),
  };
  return signJson(EPOCH_KEY_FORMAT, EPOCH_KEY_SIGNATURE_LABEL, key, {
    publicKey: secrets.signPublicKey,
    secretKey: secrets.signSecretKey,
  });
}
