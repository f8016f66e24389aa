// Who may talk to the workbench. It holds decrypted testimony and the
// reviewer's unlocked key, so every request must come over loopback, name this
// very listener in its Host header (a page on another site that rebinds its
// DNS name to 127.0.0.1 still sends its own name), and, for the API, carry the
// secret printed at start in a header. A header, never a cookie: a browser
// adds cookies to requests other sites make, never a header.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const SECRET_HEADER = 'x-sealbox-workbench';

const LOOPBACK = new Set(['127.0.0.1', '::ffff:127.0.0.1']);

export type Refusal = 'REMOTE_REFUSED' | 'HOST_REFUSED' | 'SECRET_MISSING' | 'SECRET_WRONG';

export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && LOOPBACK.has(address);
}

/** The Host header must be exactly this listener: 127.0.0.1:PORT or localhost:PORT. */
export function hostAllowed(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

export function secretMatches(given: string | string[] | undefined, secret: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(secret, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Why a request is refused, or null when it may go on. Static files need no secret. */
export function refusal(
  request: IncomingMessage,
  port: number,
  secret: string,
  needsSecret: boolean,
): Refusal | null {
  if (!isLoopback(request.socket.remoteAddress)) return 'REMOTE_REFUSED';
  if (!hostAllowed(request.headers.host, port)) return 'HOST_REFUSED';
  if (!needsSecret) return null;
  const given = request.headers[SECRET_HEADER];
  if (given === undefined) return 'SECRET_MISSING';
  return secretMatches(given, secret) ? null : 'SECRET_WRONG';
}
