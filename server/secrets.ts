// Server-side secrets: the pepper for the keyed hash of lookup tokens, and the
// HMAC key that signs proof-of-work challenges. When the operator does not set
// them, they are generated once and kept in the data directory with mode 0600;
// every instance of a scaled-out deployment must be given the same values.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from './config.ts';

export interface Secrets {
  pepper: Uint8Array;
  powSecret: string;
}

function decode(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

async function fileSecret(dataDir: string, name: string): Promise<string> {
  const dir = join(dataDir, 'secrets');
  const path = join(dir, name);
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const value = randomBytes(32).toString('base64url');
  // 'wx' fails if another process created it first; then read theirs.
  try {
    await writeFile(path, value + '\n', { mode: 0o600, flag: 'wx' });
    return value;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (await readFile(path, 'utf8')).trim();
  }
}

export async function resolveSecrets(config: Config): Promise<Secrets> {
  const pepper = config.pepper ?? (await fileSecret(config.dataDir, 'pepper'));
  const powSecret = config.powSecret ?? (await fileSecret(config.dataDir, 'pow-secret'));
  return { pepper: decode(pepper), powSecret };
}
