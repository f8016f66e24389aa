// The workbench's listener: node:http on 127.0.0.1 and a free port, nothing
// else. The page and its two files need no secret (they hold no case data);
// every /api/ request is checked by guard.ts first. Writes to the case folder
// run one at a time, as two commands at a terminal would.
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isSealboxError } from '../../client-crypto/index.ts';
import { isCliError } from '../errors.ts';
import { outcomeOf } from '../exit-codes.ts';
import type { Workspace } from './actions.ts';
import { pageAssets } from './assets.ts';
import { type Refusal, refusal } from './guard.ts';
import { baseHeaders, sendError } from './http-util.ts';
import { apiRoute } from './routes.ts';
import { PassphraseSession } from './session.ts';

export interface WorkbenchOptions {
  cases: string;
  key: string;
  /** Minutes without use after which the passphrase is forgotten. */
  idleMinutes?: number;
  now?: () => Date;
  /** Told of faults in the workbench itself (500s); the page only sees a short message. */
  onFault?: (error: unknown) => void;
}

export interface Workbench {
  port: number;
  secret: string;
  /** The address to open: the secret travels in the fragment, which no request carries. */
  url: string;
  session: PassphraseSession;
  close(): Promise<void>;
}

const REFUSAL_STATUS: Record<Refusal, number> = {
  REMOTE_REFUSED: 403,
  HOST_REFUSED: 403,
  SECRET_MISSING: 401,
  SECRET_WRONG: 401,
};

const REFUSAL_TEXT: Record<Refusal, string> = {
  REMOTE_REFUSED: 'The workbench answers only this computer.',
  HOST_REFUSED: 'The workbench answers only requests addressed to 127.0.0.1 or localhost.',
  SECRET_MISSING: 'This request does not carry the workbench secret.',
  SECRET_WRONG: 'This request carries a wrong workbench secret.',
};

// The command line's advice for these speaks of commands and terminals; on the
// page the person has neither in front of them.
const PAGE_ADVICE: Record<string, string> = {
  USAGE: '',
  PASSPHRASE_MISSING: 'Unlock the workbench with the passphrase of your key file.',
};

/** Errors the person can act on become 4xx with their words; anything else is a fault. */
function errorStatus(error: unknown): number | null {
  if (!isCliError(error) && !isSealboxError(error)) return null;
  if (error.code === 'CASE_UNKNOWN' || error.code === 'FILE_MISSING') return 404;
  if (error.code === 'PASSPHRASE_MISSING') return 401;
  if (error.code === 'KEYFILE_PASSPHRASE') return 403;
  return 400;
}

export async function startWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  const secret = randomBytes(32).toString('base64url');
  const session = new PassphraseSession((options.idleMinutes ?? 15) * 60_000);
  const ws: Workspace = { cases: options.cases, key: options.key, session, now: options.now };
  let port = 0;
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(job: () => Promise<T>): Promise<T> => {
    const run = queue.then(job, job);
    queue = run.catch(() => undefined);
    return run;
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    baseHeaders(response);
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const isApi = url.pathname.startsWith('/api/');
    const refused = refusal(request, port, secret, isApi);
    if (refused) {
      request.resume();
      return sendError(response, REFUSAL_STATUS[refused], refused, REFUSAL_TEXT[refused]);
    }
    if (!isApi) return staticFile(request, response, url.pathname);
    try {
      await apiRoute({ ws, serial, request, response, url, onFault: options.onFault });
    } catch (error) {
      request.resume();
      const status = errorStatus(error);
      if (status === null) {
        options.onFault?.(error);
        return sendError(
          response,
          500,
          'UNEXPECTED',
          'The workbench met a fault; nothing was overwritten.',
        );
      }
      const { message, advice } = outcomeOf(error);
      const code = (error as { code: string }).code;
      const words = code in PAGE_ADVICE ? PAGE_ADVICE[code]! : advice;
      return sendError(response, status, code, `${message} ${words}`.trim());
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.onFault?.(error);
      if (!response.headersSent)
        sendError(response, 500, 'UNEXPECTED', 'The workbench met a fault.');
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    port,
    secret,
    url: `http://127.0.0.1:${port}/#${secret}`,
    session,
    close: () =>
      new Promise<void>((resolve) => {
        session.lock();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function staticFile(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
): Promise<void> {
  request.resume();
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return sendError(response, 405, 'METHOD', 'Only GET is served here.');
  }
  const assets = await pageAssets();
  const files: Record<string, [string, string]> = {
    '/': ['text/html; charset=utf-8', assets.html],
    '/app.js': ['text/javascript; charset=utf-8', assets.script],
    '/app.css': ['text/css; charset=utf-8', assets.css],
  };
  const file = files[path];
  if (!file) return sendError(response, 404, 'NOT_FOUND', 'There is no such page.');
  response.writeHead(200, {
    'Content-Type': file[0],
    'Content-Length': Buffer.byteLength(file[1]),
  });
  response.end(request.method === 'HEAD' ? undefined : file[1]);
}
