// Long-lived keys and the public cards people exchange. The organisation root
// and couriers hold Ed25519 keys; a reviewer holds an X-Wing key pair (to
// receive content keys, post-quantum) and an Ed25519 key (to sign statements).
import {
  concatBytes,
  fromBase64Url,
  groupSymbols,
  toBase64Url,
  toCrockford,
  utf8Encode,
} from './encoding.ts';
import { SealboxError } from './errors.ts';
import { getSodium } from './sodium.ts';

export const XWING_PUBLIC_KEY_BYTES = 1216;
export const XWING_SECRET_KEY_BYTES = 32;
export const XWING_CIPHERTEXT_BYTES = 1120;
export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SECRET_KEY_BYTES = 64;
const FINGERPRINT_LABEL = utf8Encode('sealbox/v1/fingerprint');

export interface SigningKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export interface ReviewerIdentity {
  name: string;
  kemPublicKey: Uint8Array;
  kemSecretKey: Uint8Array;
  signPublicKey: Uint8Array;
  signSecretKey: Uint8Array;
}

export interface CourierKey extends SigningKeyPair {
  name: string;
}

export interface ReviewerCard {
  type: 'sealbox-reviewer-card';
  v: 1;
  name: string;
  kemPublicKey: string;
  signPublicKey: string;
}

export interface CourierCard {
  type: 'sealbox-courier-card';
  v: 1;
  name: string;
  publicKey: string;
}

export async function generateOrganisationKey(): Promise<SigningKeyPair> {
  const sodium = await getSodium();
  const kp = sodium.crypto_sign_keypair();
  return { publicKey: kp.publicKey, secretKey: kp.privateKey };
}

export async function generateReviewerIdentity(name: string): Promise<ReviewerIdentity> {
  const sodium = await getSodium();
  const kem = sodium.crypto_kem_xwing_keypair();
  const sign = sodium.crypto_sign_keypair();
  return {
    name: checkName(name),
    kemPublicKey: kem.publicKey,
    kemSecretKey: kem.privateKey,
    signPublicKey: sign.publicKey,
    signSecretKey: sign.privateKey,
  };
}

export async function generateCourierKey(name: string): Promise<CourierKey> {
  const sodium = await getSodium();
  const kp = sodium.crypto_sign_keypair();
  return { name: checkName(name), publicKey: kp.publicKey, secretKey: kp.privateKey };
}

/** Rebuilds a reviewer identity from its two secrets (the key file holds 32 + 64 bytes). */
export async function reviewerIdentityFromSecrets(
  name: string,
  kemSecretKey: Uint8Array,
  signSecretKey: Uint8Array,
): Promise<ReviewerIdentity> {
  const sodium = await getSodium();
  if (
    kemSecretKey.length !== XWING_SECRET_KEY_BYTES ||
    signSecretKey.length !== ED25519_SECRET_KEY_BYTES
  ) {
    throw new SealboxError('KEY_INVALID', 'reviewer secret keys have the wrong length');
  }
  // libsodium's Ed25519 secret key is seed || public key; rebuilding it from
  // the seed both finds the public key and proves the two halves belong
  // together (the non-sumo build has no crypto_sign_ed25519_sk_to_pk).
  const sign = sodium.crypto_sign_seed_keypair(signSecretKey.subarray(0, 32));
  if (!sodium.memcmp(sign.privateKey, signSecretKey)) {
    throw new SealboxError('KEY_INVALID', 'reviewer signing key is inconsistent');
  }
  return {
    name: checkName(name),
    kemPublicKey: sodium.crypto_kem_xwing_seed_keypair(kemSecretKey).publicKey,
    kemSecretKey,
    signPublicKey: sign.publicKey,
    signSecretKey,
  };
}

export function reviewerCard(identity: ReviewerIdentity): ReviewerCard {
  return {
    type: 'sealbox-reviewer-card',
    v: 1,
    name: identity.name,
    kemPublicKey: toBase64Url(identity.kemPublicKey),
    signPublicKey: toBase64Url(identity.signPublicKey),
  };
}

export function courierCard(key: CourierKey): CourierCard {
  return {
    type: 'sealbox-courier-card',
    v: 1,
    name: key.name,
    publicKey: toBase64Url(key.publicKey),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function keyOfLength(value: unknown, length: number, what: string): Uint8Array {
  if (typeof value !== 'string') throw new SealboxError('FORMAT_INVALID', `${what} is missing`);
  const bytes = fromBase64Url(value);
  if (bytes.length !== length)
    throw new SealboxError('KEY_INVALID', `${what} has the wrong length`);
  return bytes;
}

export function checkName(name: unknown): string {
  if (
    typeof name !== 'string' ||
    name.trim() === '' ||
    name.length > 100 ||
    /[\u0000-\u001f\u007f]/.test(name)
  ) {
    throw new SealboxError('FORMAT_INVALID', 'a name is 1 to 100 printable characters');
  }
  return name;
}

/** Validates a reviewer card from untrusted JSON; returns it with its decoded keys. */
export function parseReviewerCard(
  value: unknown,
): ReviewerCard & { kem: Uint8Array; sign: Uint8Array } {
  if (!isRecord(value) || value.type !== 'sealbox-reviewer-card' || value.v !== 1) {
    throw new SealboxError('FORMAT_INVALID', 'not a reviewer card');
  }
  const kem = keyOfLength(value.kemPublicKey, XWING_PUBLIC_KEY_BYTES, 'reviewer X-Wing key');
  const sign = keyOfLength(value.signPublicKey, ED25519_PUBLIC_KEY_BYTES, 'reviewer signing key');
  const card: ReviewerCard = {
    type: 'sealbox-reviewer-card',
    v: 1,
    name: checkName(value.name),
    kemPublicKey: value.kemPublicKey as string,
    signPublicKey: value.signPublicKey as string,
  };
  return { ...card, kem, sign };
}

export function parseCourierCard(value: unknown): CourierCard & { key: Uint8Array } {
  if (!isRecord(value) || value.type !== 'sealbox-courier-card' || value.v !== 1) {
    throw new SealboxError('FORMAT_INVALID', 'not a courier card');
  }
  const key = keyOfLength(value.publicKey, ED25519_PUBLIC_KEY_BYTES, 'courier key');
  const card: CourierCard = {
    type: 'sealbox-courier-card',
    v: 1,
    name: checkName(value.name),
    publicKey: value.publicKey as string,
  };
  return { ...card, key };
}

/**
 * A fingerprint people compare by voice or on paper: BLAKE2b-256 over
 * "sealbox/v1/fingerprint" || public key, first 160 bits, as 32 Crockford
 * symbols in eight groups of four.
 */
export async function fingerprint(publicKey: Uint8Array): Promise<string> {
  const sodium = await getSodium();
  const digest = sodium.crypto_generichash(32, concatBytes(FINGERPRINT_LABEL, publicKey), null);
  return groupSymbols(toCrockford(digest.subarray(0, 20)));
}

/** Compares fingerprints as people write them (case, spaces and dashes ignored). */
export function sameFingerprint(a: string, b: string): boolean {
  const norm = (s: string) =>
    s.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return norm(a) === norm(b) && norm(a).length === 32;
}
