// A hostile server in front of a real one: every request goes to the real
// Sealbox server (which serves a signed build byte for byte, with its real
// headers), and the answer can be changed on the way back, one change at a
// time, as a compromised host or a middlebox would. Until the server serves
// the organisation's signature itself, the front answers PAGE_SIGNATURE_PATH
// with the build's page-signature.json under the server's own headers.
import { readFile } from 'node:fs/promises';
import {
  type IncomingHttpHeaders,
  type ServerResponse,
  createServer,
  request as httpRequest,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PAGE_SIGNATURE_FILE, PAGE_SIGNATURE_PATH } from '../../client-crypto/index.ts';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Changes one answer; `raw` takes the socket instead (to stall, or to send without end). */
export type Tamper = (path: string, answer: Answer) => Answer | 'raw';

export interface PageFront {
  url: string;
  /** The change made to answers now; identity when unset. */
  tamper: Tamper | undefined;
  /** Where requests go: the real server (its base URL). */
  upstream: string;
  /** The build whose page-signature.json is served when the upstream has none. */
  dist: string;
  /** Requests seen, by path. */
  seen: string[];
  /** What a `raw` answer does with the response. */
  raw: (path: string, res: ServerResponse) => void;
}

function fetchUpstream(base: string, path: string, headers: IncomingHttpHeaders): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      new URL(path, base),
      // Asked for as it is, never gzip: the front edits the bytes it passes on.
      { headers: { ...headers, host: new URL(base).host, 'accept-encoding': 'identity' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 502,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export async function startPageFront(
  t: { teardown(fn: () => unknown): void },
  upstream: string,
  dist: string,
): Promise<PageFront> {
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    front.seen.push(path);
    void (async () => {
      let answer = await fetchUpstream(front.upstream, path, req.headers);
      if (path === PAGE_SIGNATURE_PATH && answer.status === 404) {
        const body = await readFile(join(front.dist, PAGE_SIGNATURE_FILE)).catch(() => null);
        if (body) {
          answer = {
            status: 200,
            headers: { ...answer.headers, 'content-type': 'application/json; charset=utf-8' },
            body,
          };
        }
      }
      const changed = front.tamper ? front.tamper(path, answer) : answer;
      if (changed === 'raw') {
        front.raw(path, res);
        return;
      }
      const headers = { ...changed.headers };
      delete headers['content-length'];
      delete headers['transfer-encoding'];
      delete headers.connection;
      res.writeHead(changed.status, { ...headers, 'content-length': changed.body.length });
      res.end(changed.body);
    })().catch(() => {
      res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const front: PageFront = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tamper: undefined,
    upstream,
    dist,
    seen: [],
    raw: (_path, res) => res.destroy(),
  };
  return front;
}
