// What a reviewer's key file holds inside its passphrase-locked secret
// (keyfile.ts): the identity's signing key, and the X-Wing seeds of the epoch
// keys not yet erased. Erasing an epoch removes its seed from this record; the
// file is then locked again with a fresh salt and nonce, so the new file
// shares no bytes with the old one (docs/protocol.md, "Reviewer key file").
//
//   version 2 = "SBR2" || flags (1) || Ed25519 secret key (64)
//               || identity X-Wing public key (1216)
//               || identity X-Wing seed (32, only if flags & 1)
//               || n (u16be) || n * epoch entry
//   epoch entry = epoch (u32be) || starts (u32be) || ends (u32be) || X-Wing seed (32)
//   version 1 = identity X-Wing seed (32) || Ed25519 secret key (64)
//
// Dates are days since 1970-01-01 (UTC). Flag bit 0 says the identity X-Wing
// seed, which opens items sealed before epoch keys, is still held; it is
// erased like an epoch once the migration is over.
import { concatBytes, isoDate, u32be, utf8Encode } from './encoding.ts';
import { SealboxError } from './errors.ts';
import type { KemKeyPair } from './envelope.ts';
import {
  type ReviewerIdentity,
  ED25519_SECRET_KEY_BYTES,
  XWING_PUBLIC_KEY_BYTES,
  XWING_SECRET_KEY_BYTES,
} from './keys.ts';
import { getSodium } from './sodium.ts';

const MAGIC = utf8Encode('SBR2');
const HAS_IDENTITY_SEED = 1;
const ENTRY_BYTES = 12 + XWING_SECRET_KEY_BYTES;
const LEGACY_BYTES = XWING_SECRET_KEY_BYTES + ED25519_SECRET_KEY_BYTES;
const DAY_MS = 86_400_000;
export const MAX_HELD_EPOCHS = 4096;

export interface EpochSecret {
  epoch: number;
  starts: string;
  ends: string;
  keyPair: KemKeyPair;
}

export interface ReviewerSecrets {
  signPublicKey: Uint8Array;
  signSecretKey: Uint8Array;
  /** The identity X-Wing public key, as on the reviewer's card. */
  kemPublicKey: Uint8Array;
  /** The identity X-Wing seed, null once erased. */
  kemSecretKey: Uint8Array | null;
  /** Epoch keys not yet erased, oldest first. */
  epochs: EpochSecret[];
}

const toDay = (date: string) => Math.round(Date.parse(date) / DAY_MS);
const fromDay = (day: number) => isoDate(new Date(day * DAY_MS));
/** 9999-12-31: the last day a YYYY-MM-DD date can name. */
const LAST_DAY = toDay('9999-12-31');

async function signKeyPair(signSecretKey: Uint8Array) {
  const sodium = await getSodium();
  // libsodium's Ed25519 secret key is seed || public key; rebuilding it from
  // the seed proves the two halves belong together.
  const sign = sodium.crypto_sign_seed_keypair(signSecretKey.subarray(0, 32));
  if (!sodium.memcmp(sign.privateKey, signSecretKey)) {
    throw new SealboxError('KEY_INVALID', 'reviewer signing key is inconsistent');
  }
  return sign.publicKey;
}

export async function epochKeyPair(seed: Uint8Array): Promise<KemKeyPair> {
  const sodium = await getSodium();
  return { publicKey: sodium.crypto_kem_xwing_seed_keypair(seed).publicKey, secretKey: seed };
}

// A key of the wrong length, or a date before 1970, would be written as bytes
// that read back as other keys or other days (or not at all): a key file locked
// over such a record would lose the reviewer's keys. Writing refuses instead.
function checkWritable(secrets: ReviewerSecrets): void {
  const lengths: [Uint8Array | null, number, string][] = [
    [secrets.signSecretKey, ED25519_SECRET_KEY_BYTES, 'signing key'],
    [secrets.kemPublicKey, XWING_PUBLIC_KEY_BYTES, 'identity X-Wing public key'],
    [secrets.kemSecretKey, XWING_SECRET_KEY_BYTES, 'identity X-Wing seed'],
    ...secrets.epochs.map((e): [Uint8Array, number, string] => [
      e.keyPair.secretKey,
      XWING_SECRET_KEY_BYTES,
      `seed of epoch ${e.epoch}`,
    ]),
  ];
  for (const [key, bytes, what] of lengths) {
    if (key !== null && key.length !== bytes) throw new RangeError(`${what} has the wrong length`);
  }
  for (const e of secrets.epochs) {
    const [starts, ends] = [toDay(e.starts), toDay(e.ends)];
    if (!Number.isInteger(e.epoch) || e.epoch < 1 || e.epoch > 0xffffffff)
      throw new RangeError(`epoch number ${e.epoch} is out of range`);
    if (!(starts >= 0 && starts < ends && ends <= LAST_DAY))
      throw new RangeError(`epoch ${e.epoch} has dates that cannot be written`);
  }
}

export function encodeReviewerSecrets(secrets: ReviewerSecrets): Uint8Array {
  if (secrets.epochs.length > MAX_HELD_EPOCHS) throw new RangeError('too many epoch keys held');
  checkWritable(secrets);
  const count = new Uint8Array(2);
  new DataView(count.buffer).setUint16(0, secrets.epochs.length);
  return concatBytes(
    MAGIC,
    Uint8Array.of(secrets.kemSecretKey ? HAS_IDENTITY_SEED : 0),
    secrets.signSecretKey,
    secrets.kemPublicKey,
    secrets.kemSecretKey ?? new Uint8Array(),
    count,
    ...secrets.epochs.map((e) =>
      concatBytes(
        u32be(e.epoch),
        u32be(toDay(e.starts)),
        u32be(toDay(e.ends)),
        e.keyPair.secretKey,
      ),
    ),
  );
}

/** Reads a reviewer key file's secret, in either version. */
export async function decodeReviewerSecrets(secret: Uint8Array): Promise<ReviewerSecrets> {
  const sodium = await getSodium();
  if (secret.length === LEGACY_BYTES) {
    const kemSecretKey = secret.slice(0, XWING_SECRET_KEY_BYTES);
    const signSecretKey = secret.slice(XWING_SECRET_KEY_BYTES);
    return {
      signPublicKey: await signKeyPair(signSecretKey),
      signSecretKey,
      kemPublicKey: sodium.crypto_kem_xwing_seed_keypair(kemSecretKey).publicKey,
      kemSecretKey,
      epochs: [],
    };
  }
  const damaged = () => new SealboxError('FORMAT_INVALID', 'reviewer key file secret is damaged');
  if (secret.length < 5 || !sodium.memcmp(secret.subarray(0, 4), MAGIC)) throw damaged();
  const flags = secret[4]!;
  if ((flags & ~HAS_IDENTITY_SEED) !== 0) throw damaged();
  let at = 5;
  const take = (n: number) => {
    if (at + n > secret.length) throw damaged();
    const part = secret.slice(at, at + n);
    at += n;
    return part;
  };
  const signSecretKey = take(ED25519_SECRET_KEY_BYTES);
  const kemPublicKey = take(XWING_PUBLIC_KEY_BYTES);
  const kemSecretKey = flags & HAS_IDENTITY_SEED ? take(XWING_SECRET_KEY_BYTES) : null;
  if (
    kemSecretKey &&
    !sodium.memcmp(sodium.crypto_kem_xwing_seed_keypair(kemSecretKey).publicKey, kemPublicKey)
  ) {
    throw new SealboxError('KEY_INVALID', 'reviewer X-Wing key is inconsistent');
  }
  const count = new DataView(take(2).buffer).getUint16(0);
  if (count > MAX_HELD_EPOCHS) throw damaged();
  const epochs: EpochSecret[] = [];
  for (let i = 0; i < count; i++) {
    const entry = take(ENTRY_BYTES);
    const view = new DataView(entry.buffer);
    const [epoch, starts, ends] = [view.getUint32(0), view.getUint32(4), view.getUint32(8)];
    if (epoch < 1 || ends <= starts || ends > LAST_DAY) throw damaged();
    epochs.push({
      epoch,
      starts: fromDay(starts),
      ends: fromDay(ends),
      keyPair: await epochKeyPair(entry.slice(12)),
    });
  }
  if (at !== secret.length) throw damaged();
  return {
    signPublicKey: await signKeyPair(signSecretKey),
    signSecretKey,
    kemPublicKey,
    kemSecretKey,
    epochs,
  };
}

/** Every X-Wing key pair the reviewer still holds: epoch keys, then the identity key if kept. */
export function reviewerKeyRing(secrets: ReviewerSecrets): KemKeyPair[] {
  const ring = secrets.epochs.map((e) => e.keyPair);
  if (secrets.kemSecretKey)
    ring.push({ publicKey: secrets.kemPublicKey, secretKey: secrets.kemSecretKey });
  return ring;
}

/** The secrets of a newly made reviewer identity: its identity key, no epochs yet. */
export function secretsOfIdentity(identity: ReviewerIdentity): ReviewerSecrets {
  return {
    signPublicKey: identity.signPublicKey,
    signSecretKey: identity.signSecretKey,
    kemPublicKey: identity.kemPublicKey,
    kemSecretKey: identity.kemSecretKey,
    epochs: [],
  };
}
