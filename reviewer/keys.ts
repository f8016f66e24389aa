// Key files on disk: what each kind holds inside its passphrase-locked secret,
// and how the commands get a usable key back. Reviewer files hold the X-Wing
// seed (32 bytes) followed by the Ed25519 secret key (64 bytes); organisation
// and courier files hold an Ed25519 secret key.
import {
  type KeyFileCost,
  type KeyFileKind,
  type ReviewerIdentity,
  type SigningKeyPair,
  DEFAULT_KEYFILE_COST,
  concatBytes,
  fingerprint,
  lockKeyFile,
  reviewerIdentityFromSecrets,
  unlockKeyFile,
} from '../client-crypto/index.ts';
import { CliError } from './errors.ts';
import { readJsonFile, toJson, writeNewFile } from './files.ts';
import { type PassphraseOptions, readPassphrase } from './passphrase.ts';

export const COST_ENV = 'SEALBOX_KEYFILE_COST';

// Tests and demos set SEALBOX_KEYFILE_COST=test: Argon2id with 1 MiB and one
// pass, so a suite does not spend seconds per key. Everyone else gets the
// library default (libsodium MODERATE, 256 MiB).
export function keyFileCost(env: NodeJS.ProcessEnv = process.env): KeyFileCost {
  if (env[COST_ENV] === 'test') {
    process.emitWarning('SEALBOX_KEYFILE_COST=test: key files are weakly protected (tests only).');
    return { opsLimit: 1, memLimit: 1 << 20 };
  }
  return DEFAULT_KEYFILE_COST;
}

export interface KeyFileOptions extends PassphraseOptions {
  env?: NodeJS.ProcessEnv;
}

export async function writeKeyFile(
  path: string,
  kind: KeyFileKind,
  secret: Uint8Array,
  options: KeyFileOptions,
): Promise<void> {
  const passphrase = await readPassphrase(
    `New passphrase for the ${kind} key file`,
    options,
    'new',
  );
  const file = await lockKeyFile(kind, secret, passphrase, keyFileCost(options.env));
  await writeNewFile(path, toJson(file));
}

async function openKeyFile(
  path: string,
  kind: KeyFileKind,
  options: KeyFileOptions,
): Promise<Uint8Array> {
  const file = await readJsonFile(path, 'key file');
  const declared = (file as { kind?: unknown } | null)?.kind;
  if (typeof declared === 'string' && declared !== kind) {
    throw new CliError(
      'FILE_INVALID',
      `${path} is a${declared === 'organisation' ? 'n' : ''} ${declared} key file; this command needs the ${kind} key file.`,
    );
  }
  const passphrase = await readPassphrase(`Passphrase for ${path}`, options);
  const { secret } = await unlockKeyFile(file, passphrase);
  return secret;
}

export async function loadReviewerIdentity(
  path: string,
  options: KeyFileOptions,
): Promise<ReviewerIdentity> {
  const secret = await openKeyFile(path, 'reviewer', options);
  // The name travels on the card and in the keyset, not in the key file.
  return reviewerIdentityFromSecrets('reviewer', secret.subarray(0, 32), secret.subarray(32));
}

export function reviewerSecret(identity: ReviewerIdentity): Uint8Array {
  return concatBytes(identity.kemSecretKey, identity.signSecretKey);
}

export async function loadSigningKey(
  path: string,
  kind: 'organisation' | 'courier',
  options: KeyFileOptions,
): Promise<SigningKeyPair> {
  const secretKey = await openKeyFile(path, kind, options);
  if (secretKey.length !== 64) throw new CliError('FILE_INVALID', `${path} holds no signing key.`);
  // An Ed25519 secret key in libsodium's layout is seed || public key.
  return { secretKey, publicKey: secretKey.slice(32) };
}

/** One fingerprint per reviewer card, over both its public keys. */
export async function reviewerFingerprint(
  kemPublicKey: Uint8Array,
  signPublicKey: Uint8Array,
): Promise<string> {
  return fingerprint(concatBytes(kemPublicKey, signPublicKey));
}
