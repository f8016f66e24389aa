// Replacing a key file in place, so that erasing an epoch's seed leaves no
// copy of the old file behind and a crash at any step leaves a usable key
// file. The steps (docs/reviewer-guide.md, "Your weekly keys"):
//
//   1. write the new file to FILE.new and fsync it;
//   2. rename FILE to FILE.old (the side file);
//   3. rename FILE.new to FILE, and fsync the folder;
//   4. overwrite FILE.old with random bytes, fsync it, unlink it, fsync the folder.
//
// `recoverKeyFile` finishes or undoes an interrupted replacement: after a
// crash between 2 and 3 (FILE missing, FILE.old and a complete FILE.new
// present) it puts FILE.new in place; any side file left over is shredded.
// Overwriting defeats someone who reads the disk through the file system;
// it does not reach copies that an SSD's wear levelling, a journaling file
// system or a backup kept (full-disk encryption is the remedy for those).
import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FILE_MODE, syncDir } from './files.ts';

/** The steps of a replacement, named for tests that stop a process between them. */
export type RewriteStep = 'written' | 'set-aside' | 'replaced' | 'shredded';

export const sideFile = (path: string): string => `${path}.old`;
export const newFile = (path: string): string => `${path}.new`;

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Overwrites a file with random bytes, makes that durable, then removes it. */
export async function shredFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    const { size } = await handle.stat();
    for (let at = 0; at < size; at += 65_536) {
      await handle.write(randomBytes(Math.min(65_536, size - at)), 0, undefined, at);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  await unlink(path);
  await syncDir(dirname(path));
}

/** Brings a key file back to one whole file after an interrupted replacement. */
export async function recoverKeyFile(path: string): Promise<void> {
  const side = sideFile(path);
  const fresh = newFile(path);
  if (!(await exists(path)) && (await exists(side))) {
    // Step 2 happened, step 3 did not: FILE.new was complete and durable before step 2.
    if (await exists(fresh)) await rename(fresh, path);
    else await rename(side, path);
    await syncDir(dirname(path));
  }
  if (await exists(fresh)) await shredFile(fresh);
  if (await exists(side)) await shredFile(side);
}

export async function replaceKeyFile(
  path: string,
  text: string,
  onStep: (step: RewriteStep) => void = () => {},
): Promise<void> {
  await recoverKeyFile(path);
  const fresh = newFile(path);
  const handle = await open(fresh, 'wx', FILE_MODE);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  onStep('written');
  await rename(path, sideFile(path));
  onStep('set-aside');
  await rename(fresh, path);
  await syncDir(dirname(path));
  onStep('replaced');
  await shredFile(sideFile(path));
  onStep('shredded');
}
