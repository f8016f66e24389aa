// Key files on disk: what each kind holds inside its passphrase-locked secret,
// and how the commands get a usable key back. Reviewer files hold the
// reviewer's secrets (client-crypto/reviewer-secrets.ts: the signing key, the
// identity X-Wing public key, the seeds of the epoch keys not yet erased, and
// in files from before epoch keys the identity X-Wing seed); organisation and
// courier files hold an Ed25519 secret key.
import {
  type KeyFileCost,
  type KeyFileKind,
  type ReviewerSecrets,
  type SigningKeyPair,
  DEFAULT_KEYFILE_COST,
  concatBytes,
  decodeReviewerSecrets,
  encodeReviewerSecrets,
  fingerprint,
  lockKeyFile,
  unlockKeyFile,
} from '../client-crypto/index.ts';
import { CliError } from './errors.ts';
import { readJsonFile, toJson, writeNewFile } from './files.ts';
import { type RewriteStep, recoverKeyFile, replaceKeyFile } from './key-rewrite.ts';
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

interface OpenedKeyFile {
  secret: Uint8Array;
  passphrase: string;
  cost: KeyFileCost;
}

async function openKeyFile(
  path: string,
  kind: KeyFileKind,
  options: KeyFileOptions,
): Promise<OpenedKeyFile> {
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
  // unlockKeyFile checked the cost parameters; the file is written again with the same.
  const { opsLimit, memLimit } = (file as { kdf: KeyFileCost }).kdf;
  return { secret, passphrase, cost: { opsLimit, memLimit } };
}

/**
 * A reviewer's opened key file: its secrets, and what is needed to write it
 * again after adding epoch keys or erasing seeds (the passphrase and the
 * file's Argon2id cost), so that the reviewer types the passphrase once.
 */
export interface ReviewerKey {
  path: string;
  secrets: ReviewerSecrets;
  passphrase: string;
  cost: KeyFileCost;
}

export async function loadReviewerKey(path: string, options: KeyFileOptions): Promise<ReviewerKey> {
  await recoverKeyFile(path);
  const { secret, passphrase, cost } = await openKeyFile(path, 'reviewer', options);
  try {
    // Version 1 files (before epoch keys) open too; they are written as version 2.
    return { path, secrets: await decodeReviewerSecrets(secret), passphrase, cost };
  } finally {
    secret.fill(0);
  }
}

/**
 * Writes the key file again with `secrets`: a fresh salt and nonce, so the
 * new file shares no bytes with the old one, which is overwritten and removed
 * (reviewer/key-rewrite.ts).
 */
export async function rewriteReviewerKey(
  key: ReviewerKey,
  secrets: ReviewerSecrets,
  onStep?: (step: RewriteStep) => void,
): Promise<void> {
  const secret = encodeReviewerSecrets(secrets);
  const file = await lockKeyFile('reviewer', secret, key.passphrase, key.cost);
  secret.fill(0);
  await replaceKeyFile(key.path, toJson(file), onStep);
  key.secrets = secrets;
}

export async function loadSigningKey(
  path: string,
  kind: 'organisation' | 'courier',
  options: KeyFileOptions,
): Promise<SigningKeyPair> {
  const { secret: secretKey } = await openKeyFile(path, kind, options);
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
