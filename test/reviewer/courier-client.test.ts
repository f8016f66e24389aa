// The courier's side of the courier API (reviewer/courier/http.ts), against a
// plain HTTP server that records what arrives: every request carries a fresh
// nonce, the body's digest, and the path under the server's own prefix; the
// server's refusals and an unreachable server each have their code.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import type { Test } from 'tap';
import { generateCourierKey } from '../../client-crypto/index.ts';
import {
  CourierError,
  call,
  courierClient,
  send,
  signRequest,
} from '../../reviewer/courier/http.ts';

const key = await generateCourierKey('Field laptop');

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

async function recordingServer(
  t: Test,
  answer: (seen: Seen) => { status: number; body: string },
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = {
        method: request.method!,
        url: request.url!,
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(entry);
      const { status, body } = answer(entry);
      response.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const nonceOf = (headers: Record<string, string | string[] | undefined>) => {
  const input = Object.entries(headers).find(([name]) => name.toLowerCase() === 'signature-input');
  return /;nonce="([^"]+)"/.exec(String(input?.[1]))?.[1];
};

t.test('only http and https addresses are servers', async (t) => {
  for (const bad of ['not an address', 'ftp://example.org/', 'file:///etc/passwd']) {
    t.throws(() => courierClient(bad, key), { code: 'SERVER_UNREACHABLE' }, bad);
  }
  for (const good of ['http://127.0.0.1:1/', 'https://example.org/sealbox']) {
    t.equal(courierClient(good, key).server.href.startsWith(good), true, good);
  }
});

t.test('every request is signed afresh, with its body digest, under the prefix', async (t) => {
  const { url, seen } = await recordingServer(t, () => ({ status: 200, body: '{"ok":true}' }));
  const client = courierClient(`${url}/prefix`, key);

  t.same(await call(client, 'POST', '/v1/courier/ack', { cursor: 7 }), { ok: true });
  t.same(await call(client, 'POST', '/v1/courier/ack', { cursor: 7 }), { ok: true });
  await call(client, 'GET', 'v1/courier/export?after=3');
  t.equal(seen.length, 3);
  const [first, second, third] = seen as [Seen, Seen, Seen];

  t.equal(first.url, '/prefix/v1/courier/ack', 'the path under the prefix');
  t.equal(third.url, '/prefix/v1/courier/export?after=3', 'with or without a leading slash');
  t.equal(first.body, '{"cursor":7}');
  t.equal(first.headers['content-type'], 'application/json');
  const digest = createHash('sha256').update(first.body).digest('base64');
  t.equal(first.headers['content-digest'], `sha-256=:${digest}:`, 'the digest of the exact body');
  t.match(
    String(first.headers['signature-input']),
    /^sig=\("@method" "@path" "@query" "content-digest"\)/,
  );
  t.match(String(third.headers['signature-input']), /^sig=\("@method" "@path" "@query"\);/);
  t.equal(third.headers['content-digest'], undefined, 'no body, no digest');

  const nonces = seen.map((s) => nonceOf(s.headers));
  t.ok(
    nonces.every((n) => n !== undefined && /^[A-Za-z0-9_-]{22,}$/.test(n)),
    'a nonce of 16 bytes or more',
  );
  t.equal(new Set(nonces).size, 3, 'the same request twice: two nonces');
  t.not(first.headers.signature, second.headers.signature, 'and two signatures');
  t.match(String(first.headers['signature-input']), /;tag="sealbox-courier-v1"/);
});

t.test(
  'a signed request can be replayed or altered by a test, not its nonce by default',
  async (t) => {
    const client = courierClient('http://127.0.0.1:1/', key);
    const a = await signRequest(client, 'GET', '/v1/courier/export');
    const b = await signRequest(client, 'GET', '/v1/courier/export', undefined, {
      nonce: 'n'.repeat(22),
    });
    t.match(nonceOf(a.headers), /^[A-Za-z0-9_-]{22,}$/);
    t.not(nonceOf(a.headers), 'n'.repeat(22));
    t.equal(nonceOf(b.headers), 'n'.repeat(22));
  },
);

t.test("the server's refusals and an unreachable server each have their code", async (t) => {
  const { url } = await recordingServer(t, (seen) =>
    seen.url.endsWith('/401')
      ? { status: 401, body: '{"error":{"code":"COURIER_REPLAY","message":"used"}}' }
      : seen.url.endsWith('/409')
        ? { status: 409, body: '{"error":{"code":"EPOCH_CONFLICT","message":"taken"}}' }
        : { status: 502, body: 'Bad Gateway' },
  );
  const client = courierClient(url, key);
  const refusal = async (path: string) => {
    try {
      await send(await signRequest(client, 'GET', path));
      return undefined;
    } catch (error) {
      t.ok(error instanceof CourierError, path);
      const e = error as CourierError;
      return [e.code, e.serverCode, e.status];
    }
  };
  t.same(await refusal('/401'), ['COURIER_REJECTED', 'COURIER_REPLAY', 401]);
  t.same(await refusal('/409'), ['SERVER_REFUSED', 'EPOCH_CONFLICT', 409]);
  t.same(await refusal('/502'), ['SERVER_REFUSED', 'HTTP_502', 502], 'not one of our bodies');

  const closed = courierClient('http://127.0.0.1:1/', key);
  await t.rejects(
    send(await signRequest(closed, 'GET', '/v1/courier/export')),
    { code: 'SERVER_UNREACHABLE' },
    'nothing listening',
  );
  const stop = new AbortController();
  stop.abort();
  await t.rejects(
    send(await signRequest(client, 'GET', '/x'), stop.signal),
    { name: 'AbortError' },
    'an abort is passed on as it is',
  );
});
