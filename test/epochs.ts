// Epoch keys for tests: real epoch keys signed by real reviewer identities,
// and the keys a document is sealed to. `legacySealingKeys` seals to the
// reviewers' identity keys, as Sealbox did before epoch keys: only for tests
// of the migration, which the reviewer tool still opens.
import {
  type KemKeyPair,
  type Keyset,
  type ReviewerIdentity,
  type SealingKeys,
  type SignedEpochKey,
  addDays,
  fromBase64Url,
  generateEpochKey,
  isoDate,
  sealingKeys,
} from '../client-crypto/index.ts';

export interface TestEpoch {
  reviewer: ReviewerIdentity;
  epoch: number;
  starts: string;
  ends: string;
  signed: SignedEpochKey;
  keyPair: KemKeyPair;
  seed: Uint8Array;
}

/** One epoch key per reviewer, a week around `now` (three days before, four after). */
export async function currentEpochs(
  reviewers: readonly ReviewerIdentity[],
  now = new Date(),
  epoch = 1,
): Promise<TestEpoch[]> {
  const starts = addDays(isoDate(now), -3);
  return Promise.all(reviewers.map((r) => makeEpoch(r, epoch, starts, addDays(starts, 7))));
}

export async function makeEpoch(
  reviewer: ReviewerIdentity,
  epoch: number,
  starts: string,
  ends: string,
): Promise<TestEpoch> {
  const made = await generateEpochKey(reviewer, epoch, starts, ends);
  return {
    reviewer,
    epoch,
    starts,
    ends,
    signed: made.signed,
    seed: made.seed,
    keyPair: made.secret.keyPair,
  };
}

/** The sealing keys of `epochs` under `keyset`, as a page would choose them on `now`. */
export function epochSealingKeys(
  keyset: Keyset,
  epochs: readonly TestEpoch[],
  now = new Date(),
): Promise<SealingKeys> {
  return sealingKeys(
    keyset,
    epochs.map((e) => e.signed),
    now,
  );
}

/** Sealing to the reviewers' identity keys, as before epoch keys (migration tests only). */
export function legacySealingKeys(keyset: Keyset): SealingKeys {
  return {
    keysetVersion: keyset.version,
    recipients: keyset.reviewers.map((r) => ({
      reviewerName: r.name,
      epoch: 0,
      publicKey: fromBase64Url(r.kemPublicKey),
    })),
  };
}

/** A reviewer's identity X-Wing key as a key ring (items sealed before epoch keys). */
export function legacyRing(identity: ReviewerIdentity): KemKeyPair[] {
  return [{ publicKey: identity.kemPublicKey, secretKey: identity.kemSecretKey }];
}

/** A reviewer's epoch key pairs among `epochs`. */
export function ringOf(identity: ReviewerIdentity, epochs: readonly TestEpoch[]): KemKeyPair[] {
  return epochs.filter((e) => e.reviewer === identity).map((e) => e.keyPair);
}
