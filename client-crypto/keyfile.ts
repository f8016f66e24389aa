// Secret keys at rest: Argon2id (crypto_pwhash, libsodium sumo) turns the
// passphrase into a key for XChaCha20-Poly1305. The associated data binds the
// kind and every cost parameter, so a file edited to weaken them is rejected.
// Costs are capped on reading, so a hostile file cannot make us allocate
// gigabytes. Passphrases are NFC-normalised so the same words typed on
// another system open the file. Only the reviewer tool opens key files (Node, WebAssembly).
import { fromBase64Url, toBase64Url, utf8Encode } from './encoding.ts';
import { SealboxError } from './errors.ts';
import { getSodiumSumo } from './sodium.ts';

export const KEYFILE_FORMAT = 'sealbox-keyfile-v1';
export type KeyFileKind = 'organisation' | 'reviewer' | 'courier';
const KINDS: readonly KeyFileKind[] = ['organisation', 'reviewer', 'courier'];

export interface KeyFileCost {
  opsLimit: number;
  memLimit: number;
}

/** libsodium's MODERATE: 3 passes over 256 MiB, about 1.3 s here. */
export const DEFAULT_KEYFILE_COST: KeyFileCost = { opsLimit: 3, memLimit: 268_435_456 };
export const MAX_KEYFILE_COST: KeyFileCost = { opsLimit: 10, memLimit: 1_073_741_824 };
const MIN_MEMLIMIT = 8192;

export interface KeyFile {
  format: typeof KEYFILE_FORMAT;
  kind: KeyFileKind;
  kdf: { alg: 'argon2id13'; opsLimit: number; memLimit: number; salt: string };
  nonce: string;
  ciphertext: string;
}

function associatedData(kind: KeyFileKind, kdf: KeyFile['kdf']): Uint8Array {
  return utf8Encode(
    `${KEYFILE_FORMAT}|${kind}|${kdf.alg}|${kdf.opsLimit}|${kdf.memLimit}|${kdf.salt}`,
  );
}

export async function lockKeyFile(
  kind: KeyFileKind,
  secret: Uint8Array,
  passphrase: string,
  cost: KeyFileCost = DEFAULT_KEYFILE_COST,
): Promise<KeyFile> {
  const sodium = await getSodiumSumo();
  if (passphrase.length === 0)
    throw new SealboxError('KEYFILE_PASSPHRASE', 'the passphrase is empty');
  const salt = sodium.randombytes_buf(sodium.crypto_pwhash_SALTBYTES);
  const kdf = {
    alg: 'argon2id13' as const,
    opsLimit: cost.opsLimit,
    memLimit: cost.memLimit,
    salt: toBase64Url(salt),
  };
  const key = sodium.crypto_pwhash(
    32,
    passphrase.normalize('NFC'),
    salt,
    cost.opsLimit,
    cost.memLimit,
    sodium.crypto_pwhash_ALG_ARGON2ID13,
  );
  const nonce = sodium.randombytes_buf(24);
  const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    secret,
    associatedData(kind, kdf),
    null,
    nonce,
    key,
  );
  sodium.memzero(key);
  return {
    format: KEYFILE_FORMAT,
    kind,
    kdf,
    nonce: toBase64Url(nonce),
    ciphertext: toBase64Url(ciphertext),
  };
}

export async function unlockKeyFile(
  file: unknown,
  passphrase: string,
): Promise<{ kind: KeyFileKind; secret: Uint8Array }> {
  if (typeof file !== 'object' || file === null)
    throw new SealboxError('FORMAT_INVALID', 'not a key file');
  const f = file as Record<string, unknown>;
  if (f.format !== KEYFILE_FORMAT)
    throw new SealboxError('FORMAT_INVALID', 'not a sealbox key file');
  if (!KINDS.includes(f.kind as KeyFileKind))
    throw new SealboxError('FORMAT_INVALID', 'unknown key file kind');
  const kdf = f.kdf as Record<string, unknown> | null;
  if (
    typeof kdf !== 'object' ||
    kdf === null ||
    kdf.alg !== 'argon2id13' ||
    !Number.isSafeInteger(kdf.opsLimit) ||
    !Number.isSafeInteger(kdf.memLimit) ||
    typeof kdf.salt !== 'string' ||
    typeof f.nonce !== 'string' ||
    typeof f.ciphertext !== 'string'
  ) {
    throw new SealboxError('FORMAT_INVALID', 'key file is damaged');
  }
  const opsLimit = kdf.opsLimit as number;
  const memLimit = kdf.memLimit as number;
  if (
    opsLimit < 1 ||
    opsLimit > MAX_KEYFILE_COST.opsLimit ||
    memLimit < MIN_MEMLIMIT ||
    memLimit > MAX_KEYFILE_COST.memLimit
  ) {
    throw new SealboxError('FORMAT_INVALID', 'key file cost parameters are out of range');
  }
  const salt = fromBase64Url(kdf.salt);
  const nonce = fromBase64Url(f.nonce);
  if (salt.length !== 16 || nonce.length !== 24)
    throw new SealboxError('FORMAT_INVALID', 'key file is damaged');
  const sodium = await getSodiumSumo();
  const kind = f.kind as KeyFileKind;
  const key = sodium.crypto_pwhash(
    32,
    passphrase.normalize('NFC'),
    salt,
    opsLimit,
    memLimit,
    sodium.crypto_pwhash_ALG_ARGON2ID13,
  );
  try {
    const secret = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      fromBase64Url(f.ciphertext),
      associatedData(kind, { alg: 'argon2id13', opsLimit, memLimit, salt: kdf.salt }),
      nonce,
      key,
    );
    return { kind, secret };
  } catch {
    throw new SealboxError('KEYFILE_PASSPHRASE', 'wrong passphrase, or the key file was changed');
  } finally {
    sodium.memzero(key);
  }
}
