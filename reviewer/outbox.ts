// The outbox file: signed objects on their way to the server, one JSON
// document per line ("JSON Lines"), each naming its `format`: statements
// (sealbox-statement-*) and the public halves of epoch keys
// (sealbox-epoch-key-v1). Writing only ever appends whole lines and flushes
// them, so an interrupted write loses at most the lines being written, and a
// file may be uploaded again: the server applies each statement id once and
// stores each epoch key once.
import { open, readFile } from 'node:fs/promises';
import type { SignedEpochKey, SignedStatement } from '../client-crypto/index.ts';
import { CliError } from './errors.ts';
import { FILE_MODE } from './files.ts';

export function defaultOutbox(cases: string): string {
  return `${cases.replace(/[/\\]+$/, '')}/outbox.jsonl`;
}

export async function appendToOutbox(
  path: string,
  ...lines: (SignedStatement | SignedEpochKey)[]
): Promise<void> {
  if (lines.length === 0) return;
  const handle = await open(path, 'a', FILE_MODE);
  try {
    await handle.write(lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The lines of an outbox, or none if the file does not exist yet. */
export async function readOutboxIfAny(path: string): Promise<unknown[]> {
  try {
    return await readOutbox(path);
  } catch (error) {
    if (error instanceof CliError && error.code === 'FILE_MISSING') return [];
    throw error;
  }
}

/** Each line parsed; a line that is not JSON is an error naming its number. Blank lines are skipped. */
export async function readOutbox(path: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new CliError('FILE_MISSING', `The outbox ${path} does not exist.`);
  }
  const statements: unknown[] = [];
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    try {
      statements.push(JSON.parse(line));
    } catch {
      // An interrupted append can leave only the last line incomplete.
      const last = index === lines.length - 1;
      throw new CliError(
        'FILE_INVALID',
        `Line ${index + 1} of the outbox ${path} is ${last ? 'incomplete' : 'not a statement'}.`,
      );
    }
  }
  return statements;
}
