// Small pieces of HTTP for the workbench's own listener: the headers every
// answer carries, JSON in and out with a size cap, and request bodies streamed
// to a private temporary file (bundles can be large; they hold only ciphertext).
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CliError, usage } from '../errors.ts';

// Everything from this origin, nothing from any other; no inline script or
// style; images also from blob: URLs (an attachment is fetched with the
// secret header, then shown from memory).
export const PAGE_CSP =
  "default-src 'self'; img-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function baseHeaders(response: ServerResponse): void {
  response.setHeader('Content-Security-Policy', PAGE_CSP);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  response.setHeader('X-Frame-Options', 'DENY');
}

export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  response.end(body);
}

export function sendError(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
): void {
  sendJson(response, status, { error: { code, message } });
}

/** A file the page saves (figures, report drafts): sandboxed, never run as a page of this origin. */
export function sendDownload(
  response: ServerResponse,
  type: string,
  body: string,
  download?: string,
): void {
  response.setHeader('Content-Security-Policy', 'sandbox');
  response.writeHead(200, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    ...(download ? { 'Content-Disposition': `attachment; filename="${download}"` } : {}),
  });
  response.end(body);
}

/** A case number from the path; a broken %-escape is the caller's mistake, said in words. */
export function caseIdOf(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw usage('That case number is not written correctly.');
  }
}

export const JSON_LIMIT = 1 << 20;

export async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > JSON_LIMIT) throw usage('The request is too large.');
    chunks.push(chunk as Buffer);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw usage('The request is not JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw usage('The request is not a JSON object.');
  }
  return value as Record<string, unknown>;
}

export function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw usage(`"${name}" must be text.`);
  return value;
}

/**
 * Writes nothing past `limit` bytes, but reads the body to its end: destroying
 * the request would close the connection before the refusal could be sent.
 */
function capped(limit: number): Transform & { over: boolean } {
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > limit) stream.over = true;
      done(null, stream.over ? undefined : chunk);
    },
  }) as Transform & { over: boolean };
  stream.over = false;
  return stream;
}

/**
 * Runs `use` with the request body saved in a fresh private folder, removed
 * afterwards; with `cap`, a body over its limit is refused before `use` runs.
 */
export async function withBodyFile<T>(
  request: IncomingMessage,
  name: string,
  use: (path: string) => Promise<T>,
  cap?: { limit: number; refusal: string },
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-workbench-'));
  try {
    const path = join(dir, name);
    const file = createWriteStream(path, { mode: 0o600 });
    if (cap) {
      const counter = capped(cap.limit);
      await pipeline(request, counter, file);
      if (counter.over) throw new CliError('FILE_INVALID', cap.refusal);
    } else {
      await pipeline(request, file);
    }
    return await use(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
