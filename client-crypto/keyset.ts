// The keyset: which reviewers receive testimony and which couriers may move
// it, signed by the organisation root. The signature covers the exact payload
// bytes (no canonical JSON to get wrong): the payload travels as base64url and
// is parsed only after the signature verifies.
import { fromBase64Url, isoDate, utf8Encode } from './encoding.ts';
import { type Desk, checkDesks } from './desks.ts';
import { SealboxError } from './errors.ts';
import {
  type CourierCard,
  type ReviewerCard,
  type SigningKeyPair,
  ED25519_PUBLIC_KEY_BYTES,
  fingerprint,
  parseCourierCard,
  parseReviewerCard,
  sameFingerprint,
} from './keys.ts';
import { type SignedObject, readSignedFields, signJson, verifySignedJson } from './signed.ts';
import { getSodium } from './sodium.ts';

export const KEYSET_FORMAT = 'sealbox-keyset-v1';
export const KEYSET_SIGNATURE_LABEL = utf8Encode('sealbox/v1/keyset\n');
export const MAX_REVIEWERS = 64;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface Keyset {
  version: number;
  issued: string;
  expires: string;
  reviewers: ReviewerCard[];
  couriers: CourierCard[];
  /** Optional: groups of reviewers a person can send to (docs/protocol.md, "Desks"). */
  desks?: Desk[];
}

export type SignedKeyset = SignedObject<typeof KEYSET_FORMAT>;

export interface KeysetPin {
  publicKey?: Uint8Array;
  fingerprint?: string;
}

async function checkKeyset(value: unknown): Promise<Keyset> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SealboxError('FORMAT_INVALID', 'keyset payload is not an object');
  }
  const k = value as Record<string, unknown>;
  // Envelope headers carry the version in 4 bytes.
  if (
    !Number.isSafeInteger(k.version) ||
    (k.version as number) < 1 ||
    (k.version as number) > 0xffffffff
  ) {
    throw new SealboxError('FORMAT_INVALID', 'keyset version must be an integer from 1 to 2^32-1');
  }
  for (const field of ['issued', 'expires'] as const) {
    if (
      typeof k[field] !== 'string' ||
      !DATE.test(k[field]) ||
      Number.isNaN(Date.parse(k[field]))
    ) {
      throw new SealboxError('FORMAT_INVALID', `keyset ${field} must be a YYYY-MM-DD date`);
    }
  }
  if (
    !Array.isArray(k.reviewers) ||
    k.reviewers.length === 0 ||
    k.reviewers.length > MAX_REVIEWERS
  ) {
    throw new SealboxError('FORMAT_INVALID', `a keyset lists 1 to ${MAX_REVIEWERS} reviewers`);
  }
  if (!Array.isArray(k.couriers) || k.couriers.length > MAX_REVIEWERS) {
    throw new SealboxError('FORMAT_INVALID', 'keyset couriers must be a list');
  }
  const reviewers = k.reviewers.map((r) => {
    const { kem: _k, sign: _s, ...card } = parseReviewerCard(r);
    return card;
  });
  const couriers = k.couriers.map((c) => {
    const { key: _k, ...card } = parseCourierCard(c);
    return card;
  });
  return {
    version: k.version as number,
    issued: k.issued as string,
    expires: k.expires as string,
    reviewers,
    couriers,
    // Desks are part of the signed payload: none can be added or changed
    // without the organisation root.
    ...(k.desks !== undefined ? { desks: await checkDesks(k.desks, reviewers) } : {}),
  };
}

export async function signKeyset(keyset: Keyset, org: SigningKeyPair): Promise<SignedKeyset> {
  return signJson(KEYSET_FORMAT, KEYSET_SIGNATURE_LABEL, await checkKeyset(keyset), org);
}

/**
 * Verifies a signed keyset against the pinned organisation root (its public
 * key or its fingerprint) and returns the keyset. Refuses other roots, bad
 * signatures, expired or not-yet-valid keysets, and (with `newerThan`)
 * versions that do not go up.
 */
export async function verifyKeyset(
  signed: unknown,
  pin: KeysetPin,
  options: { now?: Date; newerThan?: number } = {},
): Promise<Keyset> {
  const sodium = await getSodium();
  const fields = readSignedFields(signed, KEYSET_FORMAT, 'keyset');
  const signer = fromBase64Url(fields.signer);
  if (signer.length !== ED25519_PUBLIC_KEY_BYTES || fields.signature.length !== 64) {
    throw new SealboxError('KEYSET_SIGNATURE_INVALID', 'keyset signature is malformed');
  }
  if (!pin.publicKey && !pin.fingerprint) throw new TypeError('verifyKeyset needs a pinned root');
  if (pin.publicKey && !sodium.memcmp(pin.publicKey, signer)) {
    throw new SealboxError('KEYSET_ROOT_MISMATCH', 'keyset is signed by another organisation key');
  }
  if (pin.fingerprint && !sameFingerprint(pin.fingerprint, await fingerprint(signer))) {
    throw new SealboxError('KEYSET_ROOT_MISMATCH', 'keyset is signed by another organisation key');
  }
  const parsed = await verifySignedJson(
    fields,
    KEYSET_SIGNATURE_LABEL,
    signer,
    'keyset',
    'KEYSET_SIGNATURE_INVALID',
  );
  const keyset = await checkKeyset(parsed);
  const today = isoDate(options.now ?? new Date());
  if (keyset.expires < today)
    throw new SealboxError('KEYSET_EXPIRED', `keyset expired on ${keyset.expires}`);
  // One day of grace for clocks and time zones.
  const tomorrow = isoDate(new Date(Date.parse(today) + 86_400_000));
  if (keyset.issued > tomorrow) {
    throw new SealboxError('KEYSET_NOT_YET_VALID', `keyset is issued for ${keyset.issued}`);
  }
  if (options.newerThan !== undefined && keyset.version <= options.newerThan) {
    throw new SealboxError(
      'KEYSET_VERSION_NOT_NEWER',
      `keyset version ${keyset.version} is not newer than ${options.newerThan}`,
    );
  }
  return keyset;
}
