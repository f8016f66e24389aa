// File helpers with the reviewer's guarantees built in: everything we write is
// private to the user (0600 files, 0700 folders), replaced only by an atomic
// rename, and never overwrites something we did not write.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CliError } from './errors.ts';

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

export async function ensureDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: DIR_MODE });
}

// Temp file in the same folder (same filesystem, so rename is atomic), fsync,
// then rename over the target.
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', FILE_MODE);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temp, path);
}

// For files the user names (key files, cards, keysets): refuse to overwrite.
export async function writeNewFile(path: string, data: string | Uint8Array): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'wx', FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CliError('FILE_EXISTS', `${path} already exists.`);
    }
    throw new CliError('FILE_INVALID', `Cannot create ${path}.`);
  }
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function readInputFile(path: string, what: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new CliError('FILE_MISSING', `The ${what} ${path} does not exist.`);
    throw new CliError('FILE_INVALID', `Cannot read the ${what} ${path}.`);
  }
}

export async function inputFileSize(path: string, what: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new CliError('FILE_INVALID', `The ${what} ${path} is not a file.`);
    return info.size;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError('FILE_MISSING', `The ${what} ${path} does not exist.`);
  }
}

export async function readJsonFile(path: string, what: string): Promise<unknown> {
  const bytes = await readInputFile(path, what);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch {
    throw new CliError('FILE_INVALID', `The ${what} ${path} is not a JSON file.`);
  }
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

// Decrypted output is provisional until its stream ends without an error: write
// it beside the target and rename only then; on failure remove every byte.
export async function writeStreamToNewFile(
  path: string,
  chunks: AsyncIterable<Uint8Array>,
  onChunk?: (length: number) => void,
): Promise<number> {
  const temp = `${path}.partial`;
  const handle = await open(temp, 'wx', FILE_MODE);
  let written = 0;
  try {
    for await (const chunk of chunks) {
      await handle.write(chunk);
      written += chunk.length;
      onChunk?.(chunk.length);
    }
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temp, path);
  return written;
}
