// Reviewer epoch keys: forward secrecy for testimony at rest. Each reviewer
// holds a long-term identity (the Ed25519 key in the keyset) and a series of
// short-lived X-Wing epoch keys, each valid for a few days (a week by
// default) and signed by that identity. Submissions and follow-ups are sealed
// to the current epoch key of every reviewer; once an epoch has ended and its
// items are opened, the reviewer tool erases its secret, and a laptop seized
// later cannot open those items again.
//
// The chain a reader verifies: organisation root -> keyset -> reviewer
// identity (its card's signing key) -> epoch key. An epoch key is a signed
// object like a keyset (signed.ts): the payload names the reviewer's signing
// key, and the signer must be that key.
//
// Dates are whole UTC days, YYYY-MM-DD: `starts` is the first day of the
// epoch, `ends` the first day after it. For sealing, a page uses one day of
// grace on each side for clocks and time zones; a server accepts items sealed
// to an epoch key until EPOCH_ACCEPT_DAYS after it ended (a report sealed late
// on the last day can still be sent), and a reviewer erases a secret only
// after that, plus its own grace period.
import { fromBase64Url, isoDate, toBase64Url, utf8Encode } from './encoding.ts';
import { SealboxError } from './errors.ts';
import { recipientId } from './envelope.ts';
import {
  ED25519_PUBLIC_KEY_BYTES,
  XWING_PUBLIC_KEY_BYTES,
  XWING_SECRET_KEY_BYTES,
} from './keys.ts';
import type { Keyset } from './keyset.ts';
import type { EpochSecret } from './reviewer-secrets.ts';
import { type SignedObject, readSignedFields, signJson, verifySignedJson } from './signed.ts';
import { getSodium } from './sodium.ts';

export const EPOCH_KEY_FORMAT = 'sealbox-epoch-key-v1';
export const EPOCH_KEY_SIGNATURE_LABEL = utf8Encode('sealbox/v2/epoch-key\n');
export const EPOCH_KEY_VERSION = 1;
export const DEFAULT_EPOCH_DAYS = 7;
export const MAX_EPOCH_DAYS = 92;
/** A server accepts items sealed to an epoch key until this many days after the epoch's end. */
export const EPOCH_ACCEPT_DAYS = 2;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

export interface EpochKey {
  v: typeof EPOCH_KEY_VERSION;
  /** The reviewer's Ed25519 signing key, base64url, as on the reviewer's card. */
  reviewer: string;
  /** Counts up from 1 for each reviewer. */
  epoch: number;
  /** First day of the epoch (UTC). */
  starts: string;
  /** First day after the epoch (UTC). */
  ends: string;
  /** X-Wing public key, base64url. */
  kemPublicKey: string;
}

export type SignedEpochKey = SignedObject<typeof EPOCH_KEY_FORMAT>;

/** An epoch key whose chain verified, with the name of its reviewer in the keyset. */
export interface VerifiedEpochKey extends EpochKey {
  reviewerName: string;
  publicKey: Uint8Array;
}

/** The keys one document is sealed to: the current epoch key of every reviewer. */
export interface SealingKeys {
  keysetVersion: number;
  recipients: { reviewerName: string; epoch: number; publicKey: Uint8Array }[];
}

export function addDays(date: string, days: number): string {
  return isoDate(new Date(Date.parse(date) + days * DAY_MS));
}

// Date.parse refuses a month 13 (NaN, and toISOString would throw) but rolls a
// February 30 over to March: both must be refused, as malformed input.
function isDate(value: unknown): value is string {
  if (typeof value !== 'string' || !DATE.test(value)) return false;
  const time = Date.parse(value);
  return !Number.isNaN(time) && isoDate(new Date(time)) === value;
}

function checkEpochKey(value: unknown): EpochKey {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SealboxError('FORMAT_INVALID', 'epoch key payload is not an object');
  }
  const k = value as Record<string, unknown>;
  if (k.v !== EPOCH_KEY_VERSION)
    throw new SealboxError('VERSION_UNSUPPORTED', 'unknown epoch key version');
  if (!Number.isSafeInteger(k.epoch) || (k.epoch as number) < 1 || (k.epoch as number) > 0xffffffff)
    throw new SealboxError('FORMAT_INVALID', 'epoch number must be an integer from 1 to 2^32-1');
  if (!isDate(k.starts) || !isDate(k.ends))
    throw new SealboxError('FORMAT_INVALID', 'epoch starts and ends must be YYYY-MM-DD dates');
  const days = (Date.parse(k.ends) - Date.parse(k.starts)) / DAY_MS;
  if (days < 1 || days > MAX_EPOCH_DAYS)
    throw new SealboxError('FORMAT_INVALID', `an epoch lasts 1 to ${MAX_EPOCH_DAYS} days`);
  if (
    typeof k.reviewer !== 'string' ||
    fromBase64Url(k.reviewer).length !== ED25519_PUBLIC_KEY_BYTES
  )
    throw new SealboxError('KEY_INVALID', 'epoch key reviewer must be an Ed25519 public key');
  if (
    typeof k.kemPublicKey !== 'string' ||
    fromBase64Url(k.kemPublicKey).length !== XWING_PUBLIC_KEY_BYTES
  )
    throw new SealboxError('KEY_INVALID', 'epoch X-Wing key has the wrong length');
  return {
    v: EPOCH_KEY_VERSION,
    reviewer: k.reviewer,
    epoch: k.epoch as number,
    starts: k.starts,
    ends: k.ends,
    kemPublicKey: k.kemPublicKey,
  };
}

/**
 * A new epoch key pair for a reviewer, its public half signed by the
 * reviewer's identity; `secret` is the record its key file holds.
 */
export async function generateEpochKey(
  identity: { signPublicKey: Uint8Array; signSecretKey: Uint8Array },
  epoch: number,
  starts: string,
  ends: string,
): Promise<{
  key: EpochKey;
  signed: SignedEpochKey;
  seed: Uint8Array;
  publicKey: Uint8Array;
  secret: EpochSecret;
}> {
  const sodium = await getSodium();
  const seed = sodium.randombytes_buf(XWING_SECRET_KEY_BYTES);
  const publicKey = sodium.crypto_kem_xwing_seed_keypair(seed).publicKey;
  const key = checkEpochKey({
    v: EPOCH_KEY_VERSION,
    reviewer: toBase64Url(identity.signPublicKey),
    epoch,
    starts,
    ends,
    kemPublicKey: toBase64Url(publicKey),
  });
  const signed = await signJson(EPOCH_KEY_FORMAT, EPOCH_KEY_SIGNATURE_LABEL, key, {
    publicKey: identity.signPublicKey,
    secretKey: identity.signSecretKey,
  });
  const secret = { epoch, starts, ends, keyPair: { publicKey, secretKey: seed } };
  return { key, signed, seed, publicKey, secret };
}

/**
 * Verifies the chain keyset -> reviewer identity -> epoch key (the keyset
 * itself is verified by `verifyKeyset`). Refuses a key whose signer is not the
 * reviewer it names (EPOCH_SIGNATURE_INVALID) and a key of a reviewer who is
 * not in the keyset (EPOCH_REVIEWER_UNKNOWN). Dates are for the caller.
 */
export async function verifyEpochKey(signed: unknown, keyset: Keyset): Promise<VerifiedEpochKey> {
  const fields = readSignedFields(signed, EPOCH_KEY_FORMAT, 'epoch key');
  const signer = fromBase64Url(fields.signer);
  if (signer.length !== ED25519_PUBLIC_KEY_BYTES || fields.signature.length !== 64) {
    throw new SealboxError('EPOCH_SIGNATURE_INVALID', 'epoch key signature is malformed');
  }
  const key = checkEpochKey(
    await verifySignedJson(
      fields,
      EPOCH_KEY_SIGNATURE_LABEL,
      signer,
      'epoch key',
      'EPOCH_SIGNATURE_INVALID',
    ),
  );
  if (key.reviewer !== toBase64Url(signer)) {
    throw new SealboxError('EPOCH_SIGNATURE_INVALID', 'epoch key is signed by another reviewer');
  }
  const card = keyset.reviewers.find((r) => r.signPublicKey === key.reviewer);
  if (!card) {
    throw new SealboxError(
      'EPOCH_REVIEWER_UNKNOWN',
      `epoch key of a reviewer who is not in keyset version ${keyset.version}`,
    );
  }
  return { ...key, reviewerName: card.name, publicKey: fromBase64Url(key.kemPublicKey) };
}

/** Whether a page may seal to `key` on `today`: its days, with one day of grace each side. */
export function usableForSealing(key: EpochKey, today: string): boolean {
  return key.starts <= addDays(today, 1) && addDays(today, -1) < key.ends;
}

/** Whether a server accepts, on `today`, an item sealed to `key`. */
export function acceptsSealedTo(key: EpochKey, today: string): boolean {
  return addDays(key.starts, -1) <= today && today < addDays(key.ends, EPOCH_ACCEPT_DAYS);
}

/**
 * The epoch key to seal to on `today`, from one reviewer's verified keys: of
 * those usable, the one that started last on or before today; if none has
 * started (a slow clock), the first one to start.
 */
export function currentEpochKey<K extends EpochKey>(keys: readonly K[], today: string): K | null {
  const usable = keys.filter((k) => usableForSealing(k, today));
  const started = usable
    .filter((k) => k.starts <= today)
    .sort((a, b) => b.starts.localeCompare(a.starts));
  if (started[0]) return started[0];
  return usable.sort((a, b) => a.starts.localeCompare(b.starts))[0] ?? null;
}

/**
 * The keys to seal a document to on `now`: every epoch key is verified
 * against the keyset (one that does not verify is an error, not skipped: the
 * server that served it is broken or hostile), and each reviewer of the keyset
 * must have a current one. Fails closed, naming the reviewer, when one has
 * none: EPOCH_EXPIRED if its keys have all ended, EPOCH_NOT_YET_VALID if they
 * all start later, EPOCH_MISSING if it has none.
 */
export async function sealingKeys(
  keyset: Keyset,
  epochKeys: readonly unknown[],
  now: Date = new Date(),
): Promise<SealingKeys> {
  const verified: VerifiedEpochKey[] = [];
  for (const signed of epochKeys) verified.push(await verifyEpochKey(signed, keyset));
  const today = isoDate(now);
  const recipients: SealingKeys['recipients'] = [];
  for (const card of keyset.reviewers) {
    const own = verified.filter((k) => k.reviewer === card.signPublicKey);
    const current = currentEpochKey(own, today);
    if (!current) {
      const code =
        own.length === 0
          ? 'EPOCH_MISSING'
          : own.every((k) => k.starts > today)
            ? 'EPOCH_NOT_YET_VALID'
            : 'EPOCH_EXPIRED';
      throw new SealboxError(code, `reviewer "${card.name}" has no epoch key for ${today}`);
    }
    recipients.push({
      reviewerName: card.name,
      epoch: current.epoch,
      publicKey: current.publicKey,
    });
  }
  return { keysetVersion: keyset.version, recipients };
}

/** The recipient id of an epoch key: how its stanza is named in an envelope. */
export async function epochRecipientId(key: EpochKey): Promise<string> {
  await getSodium();
  return toBase64Url(await recipientId(fromBase64Url(key.kemPublicKey)));
}
