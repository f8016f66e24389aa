// Importing a bundle with progress the person can follow. Uploading is only
// the first part: opening (decrypting each item, writing it into the case
// folder) takes longer, so the answer is streamed as it goes, one JSON object
// a line: `{"progress":{"done":N,"total":T}}` after each item, then
// `{"result":…}` or `{"error":{code,message}}`. The total comes from a first
// read of the bundle that only checks its framing and decrypts nothing. The
// request is an ordinary /api/ request: guard.ts checked it like any other.
import { createReadStream } from 'node:fs';
import type { ServerResponse } from 'node:http';
import {
  BUNDLE_RECORD_TYPES,
  type BundleItem,
  isSealboxError,
  readBundle,
} from '../../client-crypto/index.ts';
import { isCliError } from '../errors.ts';
import { outcomeOf } from '../exit-codes.ts';
import { type ImportResult, type Workspace, importBundle } from './actions.ts';

export interface ImportProgress {
  done: number;
  total: number;
}

/** A submission or follow-up, read or damaged: what the person counts as an item. */
export function isItem(item: BundleItem): boolean {
  if (item.type === 'submission' || item.type === 'followup') return true;
  return (
    item.type === 'damaged' &&
    (item.recordType === BUNDLE_RECORD_TYPES.submission ||
      item.recordType === BUNDLE_RECORD_TYPES.followup)
  );
}

/** How many items the bundle holds, by its framing alone; a bundle damaged as a whole counts what came before. */
export async function countItems(bundle: string): Promise<number> {
  let total = 0;
  const source = createReadStream(bundle, { highWaterMark: 64 * 1024 });
  try {
    for await (const item of readBundle(source)) {
      if (isItem(item)) total += 1;
      if (item.type === 'attachment') for await (const _ of item.body);
    }
  } catch (error) {
    if (!isSealboxError(error)) throw error;
  } finally {
    source.destroy();
  }
  return total;
}

/** Opens the bundle, telling `onProgress` of each item once it is handled (done 0 first, once the key and keyset are in hand). */
export async function importWithProgress(
  ws: Workspace,
  bundle: string,
  onProgress: (progress: ImportProgress) => void,
): Promise<ImportResult> {
  const total = await countItems(bundle);
  let done = 0;
  return importBundle(ws, bundle, (item) => {
    if (item.type === 'start') onProgress({ done, total });
    else if (isItem(item)) {
      done += 1;
      onProgress({ done, total: Math.max(total, done) });
    }
  });
}

const NDJSON = 'application/x-ndjson; charset=utf-8';

function line(response: ServerResponse, value: unknown): void {
  if (!response.headersSent) response.writeHead(200, { 'Content-Type': NDJSON });
  response.write(`${JSON.stringify(value)}\n`);
}

/**
 * Streams the import's progress, then its result. An error before the first
 * line goes back to the caller (an ordinary 4xx); after it, it becomes the
 * last line, since the status has been sent.
 */
export async function streamImport(
  ws: Workspace,
  bundle: string,
  response: ServerResponse,
  onFault: (error: unknown) => void,
): Promise<void> {
  try {
    const result = await importWithProgress(ws, bundle, (progress) => line(response, { progress }));
    line(response, { result });
  } catch (error) {
    if (!response.headersSent) throw error;
    const known = isCliError(error) || isSealboxError(error);
    if (!known) onFault(error);
    const { message, advice } = known ? outcomeOf(error) : { message: '', advice: '' };
    line(response, {
      error: known
        ? { code: (error as { code: string }).code, message: `${message} ${advice}`.trim() }
        : { code: 'UNEXPECTED', message: 'The workbench met a fault; nothing was overwritten.' },
    });
  }
  response.end();
}
