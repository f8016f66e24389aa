// `courier pull`: download everything new into a bundle file.
//
// The download goes to FILE.partial, re-encoded record by record as it is
// checked, so the partial file only ever grows by verified records. After an
// interruption the next run keeps the longest prefix that ends after a whole
// item, asks the server for what follows that item's cursor, and continues the
// same file. Only when the end record is written and the file flushed to disk
// and renamed to FILE does it acknowledge the cursor on the server.
import { createReadStream } from 'node:fs';
import { open, rename, stat, truncate } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  BundleEncoder,
  isSealboxError,
  readBundle,
  scanBundle,
} from '../../client-crypto/index.ts';
import { CliError } from '../errors.ts';
import { FILE_MODE } from '../files.ts';
import type { CommandIo } from '../io.ts';
import { progressBar } from '../progress.ts';
import { connect, type CourierConnection } from './commands.ts';
import { call, CourierError, send, signRequest, type CourierClient } from './http.ts';

export interface PullOptions extends CourierConnection {
  out: string;
  /** Start after this cursor instead of this courier's acknowledged one. */
  after?: number | undefined;
  signal?: AbortSignal;
  /** Called with the payload bytes received so far (for tests and callers' own progress). */
  onProgress?: (bytes: number) => void;
  /**
   * Called as each durable step is done, in this order: 'written' (end record
   * written), 'synced' (file flushed to disk), 'renamed' (renamed to FILE and
   * the folder flushed), 'acknowledged' (the server was told). Tests throw
   * from it to stop the pull at a step, as a crash would.
   */
  onStep?: (step: PullStep) => void | Promise<void>;
}

export type PullStep = 'written' | 'synced' | 'renamed' | 'acknowledged';
type StepHook = PullOptions['onStep'];

export interface PullResult {
  out: string;
  items: number;
  cursor: number;
  resumed: boolean;
}

/** Thrown by an `onStep` hook to stop a pull where it stands. */
export class PullStopped extends Error {
  override name = 'PullStopped';
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

async function syncFolder(path: string): Promise<void> {
  const folder = await open(dirname(path), 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

async function complete(
  client: CourierClient,
  partial: string,
  out: string,
  cursor: number,
  onStep: StepHook,
) {
  await rename(partial, out);
  await syncFolder(out);
  await onStep?.('renamed');
  await call(client, 'POST', '/v1/courier/ack', { cursor });
  await onStep?.('acknowledged');
}

export async function courierPull(options: PullOptions, io: CommandIo): Promise<PullResult> {
  const { out } = options;
  const partial = `${out}.partial`;
  if (await exists(out)) {
    throw new CliError('FILE_EXISTS', `${out} already exists; choose a new name for this bundle.`);
  }
  const client = await connect(options, io);

  let encoder: BundleEncoder | undefined;
  let after = options.after;
  if (await exists(partial)) {
    const scan = await scanBundle(createReadStream(partial));
    if (scan.complete) {
      // Written and flushed by an earlier run that stopped before the rename.
      await complete(client, partial, out, scan.cursor, options.onStep);
      io.print(`Bundle completed: ${out}.`);
      return { out, items: 0, cursor: scan.cursor, resumed: true };
    }
    await truncate(partial, scan.boundary);
    if (scan.start) {
      encoder = await BundleEncoder.resume(createReadStream(partial));
      after = scan.cursor;
      io.print(`Continuing the interrupted download in ${partial}.`);
    }
  }
  const resumed = encoder !== undefined;
  encoder ??= await BundleEncoder.create();

  const query = after === undefined ? '' : `?after=${after}`;
  const response = await send(
    await signRequest(client, 'GET', `/v1/courier/export${query}`),
    options.signal,
  );
  if (!response.body) throw new CourierError('SERVER_REFUSED', 'The server sent no bundle.');
  const total = Number(response.headers.get('sealbox-export-bytes') ?? 0);
  const bar = progressBar(io.stderr, 'Downloading', total, 'bytes');
  const handle = await open(partial, resumed ? 'a' : 'w', FILE_MODE);
  let items = 0;
  let received = 0;
  const progress = (bytes: number): void => {
    received += bytes;
    bar.advance(bytes);
    options.onProgress?.(received);
  };
  let ended = false;
  try {
    ended = await copyBundle(chunksOf(response.body), encoder, handle, resumed, progress, () => {
      items += 1;
    });
    if (ended) {
      await options.onStep?.('written');
      await handle.sync();
      await options.onStep?.('synced');
    }
  } catch (error) {
    if (error instanceof CliError || error instanceof CourierError || error instanceof PullStopped)
      throw error;
    const reason = isSealboxError(error) ? error.message : String(error);
    throw new CourierError(
      'SERVER_UNREACHABLE',
      `The download stopped (${reason}). Run the same command again: it continues where it stopped.`,
    );
  } finally {
    bar.stop();
    await handle.close();
  }
  await complete(client, partial, out, encoder.cursor, options.onStep);
  io.print(`${items} new item(s) written to ${out}. The server has been told they arrived.`);
  return { out, items, cursor: encoder.cursor, resumed };
}

/** Copies the server's bundle into ours, record by record. Returns when the end record is written. */
async function copyBundle(
  source: AsyncIterable<Uint8Array>,
  encoder: BundleEncoder,
  handle: FileHandle,
  resumed: boolean,
  progress: (bytes: number) => void,
  counted: () => void,
): Promise<boolean> {
  const write = async (bytes: Uint8Array): Promise<void> => {
    await handle.write(bytes);
  };
  for await (const item of readBundle(source)) {
    switch (item.type) {
      case 'start':
        if (!resumed) await write(encoder.start(item.meta));
        break;
      case 'submission':
        await write(encoder.submission(item.meta, item.envelope));
        progress(item.envelope.length);
        counted();
        break;
      case 'followup':
        await write(encoder.followup(item.meta, item.envelope));
        progress(item.envelope.length);
        counted();
        break;
      case 'attachment': {
        const body = item.body;
        async function* counting(): AsyncGenerator<Uint8Array> {
          for await (const chunk of body) {
            progress(chunk.length);
            yield chunk;
          }
        }
        for await (const bytes of encoder.attachment(item.meta, counting())) await write(bytes);
        break;
      }
      case 'damaged':
        throw new CliError(
          'BUNDLE_TAMPERED',
          `The server sent a damaged record (${item.error.message}). Run the same command again to continue.`,
        );
      case 'end':
        await write(encoder.end());
        return true;
    }
  }
  return false;
}
