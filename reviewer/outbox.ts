// The outbox file: signed statements on their way to the server, one JSON
// document (a SignedStatement) per line ("JSON Lines"). Writing only ever
// appends a whole line and flushes it, so an interrupted write loses at most
// the statement being written, and a file may be uploaded again: the server
// applies each statement id once.
import { open, readFile } from 'node:fs/promises';
import type { SignedStatement } from '../client-crypto/index.ts';
import { CliError } from './errors.ts';
import { FILE_MODE } from './files.ts';

export async function appendToOutbox(path: string, statement: SignedStatement): Promise<void> {
  const handle = await open(path, 'a', FILE_MODE);
  try {
    await handle.write(`${JSON.stringify(statement)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
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
