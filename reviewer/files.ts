// File helpers with the reviewer's guarantees built in: everything we write is
// private to the user (0600 files, 0700 folders), replaced only by an atomic
// rename, and never overwrites something we did not write.
import { randomBytes } from 'node:crypto';
import { close, closeSync, fsync, mkdirSync, openSync, write, writeFileSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
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

// Staged files: written where no one looks (a staging folder, or a temp name
// beside the file they will replace), with no fsync each, and kept open. The
// caller makes a whole batch of them durable at once with syncAll, and only
// then renames them into place, so that neither a crash nor a power cut shows
// a partial file. (The descriptors stay valid when their folder is renamed.)
export class StagedFiles {
  #fds: number[] = [];

  get count(): number {
    return this.#fds.length;
  }

  writeFile(path: string, data: string | Uint8Array): void {
    const fd = openSync(path, 'wx', FILE_MODE);
    this.#fds.push(fd);
    writeFileSync(fd, data);
  }

  // Decrypted output is provisional until its stream ends without an error;
  // on failure every byte of it is removed.
  async writeStream(path: string, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    const fd = openSync(path, 'wx', FILE_MODE);
    try {
      for await (const chunk of chunks) {
        for (let done = 0; done < chunk.length;) {
          done += (await writeFd(fd, chunk, done, chunk.length - done)).bytesWritten;
        }
      }
    } catch (error) {
      closeSync(fd);
      await rm(path, { force: true });
      throw error;
    }
    this.#fds.push(fd);
  }

  /** Hands the open files over to syncAll, which makes them durable and closes them. */
  take(): number[] {
    const fds = this.#fds;
    this.#fds = [];
    return fds;
  }

  close(): void {
    for (const fd of this.take()) closeSync(fd);
  }
}

export function makeStagedDir(path: string): void {
  mkdirSync(path, { mode: DIR_MODE });
}

const writeFd = promisify(write);
const fsyncFd = promisify(fsync);
const closeFd = promisify(close);

// fsyncs many files and folders with many in flight at once: far more than
// Node's four pool threads, so that the pool stays busy while the main thread
// is decrypting and cannot start the next fsync at once; the disk also takes
// many flushes at a time (measured here: a third of the time per fsync with
// 64 in flight as with 3). Renaming a folder into place is durable only once
// its parent folder is fsynced as well.
export async function syncAll(paths: { fds: readonly number[]; dirs: readonly string[] }) {
  const jobs = [
    ...paths.fds.map((fd) => async () => {
      await fsyncFd(fd);
      await closeFd(fd);
    }),
    ...paths.dirs.map((path) => () => syncDir(path)),
  ];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let job = jobs[next++]; job; job = jobs[next++]) await job();
  };
  await Promise.all(Array.from({ length: Math.min(SYNC_CONCURRENCY, jobs.length) }, worker));
}

const SYNC_CONCURRENCY = 32;

export async function syncDir(path: string): Promise<void> {
  // Windows cannot open a folder as a file; NTFS journals renames itself.
  if (process.platform === 'win32') return;
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
