// A reader of epoch keys written from docs/protocol.md ("Epoch keys") alone,
// with raw libsodium calls: it shares nothing with client-crypto but base64url
// decoding, so that the epoch-key vectors show the spec is enough.
import sumo from 'libsodium-wrappers-sumo';
import { fromBase64Url as b64, toBase64Url } from '../../client-crypto/index.ts';
import type { Keyset } from '../../client-crypto/index.ts';
import { cat, label, specJson } from './spec-reader.ts';

const DAY = 86_400_000;
const plus = (date: string, days: number) =>
  new Date(Date.parse(date) + days * DAY).toISOString().slice(0, 10);
/** A real calendar day written YYYY-MM-DD. */
function realDay(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const time = Date.parse(value);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === value;
}
function decodes(value: unknown): Uint8Array | 'ENCODING_INVALID' | null {
  if (typeof value !== 'string') return null;
  try {
    return b64(value);
  } catch {
    return 'ENCODING_INVALID';
  }
}

interface SpecEpochKey {
  name: string;
  reviewer: string;
  epoch: number;
  starts: string;
  ends: string;
  kemPublicKey: string;
}

/** "Verifying" steps 1 to 6: the key and its reviewer's name, or the error code. */
export function specVerifyEpochKey(value: unknown, keyset: Keyset): SpecEpochKey | string {
  if (typeof value !== 'object' || value === null) return 'FORMAT_INVALID';
  const s = value as Record<string, unknown>;
  if (s.format !== 'sealbox-epoch-key-v1') return 'VERSION_UNSUPPORTED';
  const [payload, signature, signer] = [s.payload, s.signature, s.signer].map(decodes);
  if (payload === null || signature === null || signer === null) return 'FORMAT_INVALID';
  for (const v of [payload, signature, signer]) if (typeof v === 'string') return v;
  const [p, sig, pk] = [payload, signature, signer] as Uint8Array[];
  if (pk!.length !== 32 || sig!.length !== 64) return 'EPOCH_SIGNATURE_INVALID';
  if (!sumo.crypto_sign_verify_detached(sig!, cat(label('sealbox/v2/epoch-key\n'), p!), pk!))
    return 'EPOCH_SIGNATURE_INVALID';
  const e = specJson(p!);
  if (e === 'ENCODING') return 'ENCODING_INVALID';
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return 'FORMAT_INVALID';
  const k = e as Record<string, unknown>;
  if (k.v !== 1) return 'VERSION_UNSUPPORTED';
  if (!Number.isInteger(k.epoch) || (k.epoch as number) < 1 || (k.epoch as number) >= 2 ** 32)
    return 'FORMAT_INVALID';
  if (!realDay(k.starts) || !realDay(k.ends)) return 'FORMAT_INVALID';
  const days = (Date.parse(k.ends) - Date.parse(k.starts)) / DAY;
  if (days < 1 || days > 92) return 'FORMAT_INVALID';
  for (const [field, bytes] of [
    ['reviewer', 32],
    ['kemPublicKey', 1216],
  ] as const) {
    const key = decodes(k[field]);
    if (key === 'ENCODING_INVALID') return key;
    if (key === null || key.length !== bytes) return 'KEY_INVALID';
  }
  if (k.reviewer !== s.signer) return 'EPOCH_SIGNATURE_INVALID';
  const card = keyset.reviewers.find((r) => r.signPublicKey === k.reviewer);
  if (!card) return 'EPOCH_REVIEWER_UNKNOWN';
  return {
    name: card.name,
    reviewer: k.reviewer as string,
    epoch: k.epoch as number,
    starts: k.starts,
    ends: k.ends,
    kemPublicKey: k.kemPublicKey as string,
  };
}

/** "Choosing the keys to seal to": one per reviewer in keyset order, or the error code. */
export function specSealTo(keyset: Keyset, served: unknown[], today: string) {
  const verified: SpecEpochKey[] = [];
  for (const value of served) {
    const key = specVerifyEpochKey(value, keyset);
    if (typeof key === 'string') return key;
    verified.push(key);
  }
  const usable = (k: SpecEpochKey) => k.starts <= plus(today, 1) && plus(today, -1) < k.ends;
  const out = [];
  for (const card of keyset.reviewers) {
    const own = verified.filter((k) => k.reviewer === card.signPublicKey);
    const candidates = own.filter(usable);
    const started = candidates.filter((k) => k.starts <= today);
    let current: SpecEpochKey | undefined;
    for (const k of started) if (!current || k.starts > current.starts) current = k;
    if (!current)
      for (const k of candidates) if (!current || k.starts < current.starts) current = k;
    if (!current) {
      if (own.length === 0) return 'EPOCH_MISSING';
      return own.every((k) => k.starts > today) ? 'EPOCH_NOT_YET_VALID' : 'EPOCH_EXPIRED';
    }
    const id = sumo.crypto_generichash(
      32,
      cat(label('sealbox/v1/recipient'), b64(current.kemPublicKey)),
      null,
    );
    out.push({
      reviewerName: current.name,
      epoch: current.epoch,
      kemPublicKey: current.kemPublicKey,
      recipientId: toBase64Url(id),
    });
  }
  return out;
}

/** "Reviewer key file", version 2: what the secret holds, or the error code. */
export function specReviewerSecret(secret: Uint8Array) {
  const magic = new TextDecoder().decode(secret.subarray(0, 4));
  if (secret.length < 5 || magic !== 'SBR2') return 'FORMAT_INVALID';
  const flags = secret[4]!;
  if (flags & ~1) return 'FORMAT_INVALID';
  let at = 5;
  const take = (n: number) => {
    const part = secret.subarray(at, at + n);
    at += n;
    return part;
  };
  const signSecretKey = take(64);
  const identityPublicKey = take(1216);
  const identitySeed = flags & 1 ? take(32) : null;
  const count = (take(1)[0]! << 8) | take(1)[0]!;
  if (at > secret.length || count > 4096 || secret.length !== at + 44 * count)
    return 'FORMAT_INVALID';
  const signPublicKey = sumo.crypto_sign_seed_keypair(signSecretKey.subarray(0, 32)).publicKey;
  if (!sumo.memcmp(signPublicKey, signSecretKey.subarray(32))) return 'KEY_INVALID';
  if (
    identitySeed &&
    !sumo.memcmp(sumo.crypto_kem_xwing_seed_keypair(identitySeed).publicKey, identityPublicKey)
  )
    return 'KEY_INVALID';
  const epochs = [];
  for (let i = 0; i < count; i++) {
    const entry = take(44);
    const view = new DataView(entry.buffer, entry.byteOffset, 12);
    const [epoch, starts, ends] = [view.getUint32(0), view.getUint32(4), view.getUint32(8)];
    const lastDay = Date.parse('9999-12-31') / DAY;
    if (epoch < 1 || ends <= starts || ends > lastDay) return 'FORMAT_INVALID';
    const day = (n: number) => new Date(n * DAY).toISOString().slice(0, 10);
    const seed = entry.subarray(12);
    epochs.push({
      epoch,
      starts: day(starts),
      ends: day(ends),
      seed: toBase64Url(seed),
      publicKey: toBase64Url(sumo.crypto_kem_xwing_seed_keypair(seed).publicKey),
    });
  }
  return {
    version: 2,
    signPublicKey: toBase64Url(signPublicKey),
    identityPublicKey: toBase64Url(identityPublicKey),
    identitySeed: identitySeed && toBase64Url(identitySeed),
    epochs,
  };
}
