// Helpers for the epoch key and erasure tests: dates counted from today, what
// a key file holds once unlocked with its passphrase, and a search for bytes
// anywhere in a folder.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type ReviewerSecrets,
  addDays,
  decodeReviewerSecrets,
  isoDate,
  toBase64Url,
  unlockKeyFile,
} from '../../client-crypto/index.ts';
import { PASSPHRASE } from './fixtures.ts';

export const today = isoDate(new Date());

/** Noon UTC, `n` days from today: a `now` for the commands. */
export function day(n: number): Date {
  return new Date(`${addDays(today, n)}T12:00:00Z`);
}

export function date(n: number): string {
  return addDays(today, n);
}

/** The secret inside a key file, unlocked with the passphrase, raw and decoded. */
export async function unlocked(
  path: string,
): Promise<{ secret: Uint8Array; secrets: ReviewerSecrets }> {
  const { secret } = await unlockKeyFile(JSON.parse(await readFile(path, 'utf8')), PASSPHRASE);
  return { secret, secrets: await decodeReviewerSecrets(secret) };
}

/** Every file under `dir`, recursively. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack).indexOf(Buffer.from(needle)) >= 0;
}

/** The files (and the unlocked secret, as "secret") in which `seed` appears raw or in base64url. */
export async function whereIs(seed: Uint8Array, files: string[], secret?: Uint8Array) {
  const forms = [seed, new TextEncoder().encode(toBase64Url(seed))];
  const found: string[] = [];
  for (const file of files) {
    const bytes = new Uint8Array(await readFile(file));
    if (forms.some((f) => contains(bytes, f))) found.push(file);
  }
  if (secret && forms.some((f) => contains(secret, f))) found.push('secret');
  return found;
}
