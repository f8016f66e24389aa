// Requests refused before any route sees them, by the router (a malformed
// percent-escape, an overlong parameter) or by Node's HTTP parser (a bad
// Content-Length, Content-Length with Transfer-Encoding, a broken chunk,
// headers too large), sent byte for byte over a real socket. Every refusal
// keeps the API's shape `{ error: { code, message } }`, never Fastify's own.
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { build } from '../helper.ts';

interface Answer {
  status: number;
  body: string;
}

const { app } = await build(t);
await app.listen({ host: '127.0.0.1', port: 0 });
const port = (app.server.address() as AddressInfo).port;

/** Sends raw bytes, returns the first answer once the server closes the connection. */
function raw(request: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    const parts: Buffer[] = [];
    socket.on('data', (d: Buffer) => parts.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(parts).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const at = text.indexOf('\r\n\r\n');
      resolve({ status, body: at < 0 ? '' : text.slice(at + 4) });
    });
  });
}

function errorOf(t: Test, answer: Answer, name: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    t.fail(`${name}: the answer is not JSON: ${answer.body.slice(0, 200)}`);
    return undefined;
  }
  const keys = Object.keys(parsed as object);
  const error = (parsed as { error?: { code?: unknown; message?: unknown } }).error;
  t.same(keys, ['error'], `${name}: only { error } in the body`);
  t.equal(typeof error?.message, 'string', `${name}: a message`);
  t.equal(typeof error?.code, 'string', `${name}: a code`);
  t.notMatch(answer.body, /FST_ERR|statusCode/, `${name}: nothing of Fastify's own shape`);
  return typeof error?.code === 'string' ? error.code : undefined;
}

const head = (method: string, path: string, extra: string[] = []) =>
  [`${method} ${path} HTTP/1.1`, 'Host: localhost', ...extra, 'Connection: close', '', ''].join(
    '\r\n',
  );

t.test('paths the router cannot read', async (t) => {
  const cases: [string, string, number, string][] = [
    ['a malformed percent-escape in an upload id', '/v1/uploads/%zz/parts/0', 400, 'URL_INVALID'],
    ['a malformed escape in a part number', '/v1/uploads/abc/parts/%zz', 400, 'URL_INVALID'],
    ['a cut UTF-8 sequence', '/v1/uploads/%e2%82', 400, 'URL_INVALID'],
    ['a lone percent sign', '/v1/uploads/%/finish', 400, 'URL_INVALID'],
    ['an overlong parameter', `/v1/uploads/${'A'.repeat(500)}`, 414, 'URL_TOO_LONG'],
  ];
  for (const [name, url, status, code] of cases) {
    for (const method of ['GET', 'PUT', 'POST'] as const) {
      const injected = await app.inject({
        method,
        url,
        payload: method === 'GET' ? undefined : {},
      });
      if (injected.statusCode === 404 || injected.statusCode === 405) continue; // no such route
      t.equal(injected.statusCode, status, `${name} (${method} ${url.slice(0, 40)})`);
      t.equal(errorOf(t, { status, body: injected.body }, name), code, name);
    }
    const sent = await raw(head('GET', url));
    t.ok(sent.status === status || sent.status === 404, `${name} over a socket: ${sent.status}`);
    errorOf(t, sent, `${name} over a socket`);
  }
  const hugePath = await raw(head('GET', `/v1/${'a'.repeat(100_000)}`));
  t.equal(hugePath.status, 431, 'a path larger than the header limit');
  t.equal(errorOf(t, hugePath, 'huge path'), 'HEADERS_TOO_LARGE');
});

t.test('framing the HTTP parser refuses', async (t) => {
  const json = 'Content-Type: application/json';
  const cases: [string, string, number, string][] = [
    [
      'Content-Length and Transfer-Encoding together',
      head('POST', '/v1/status', [json, 'Content-Length: 5', 'Transfer-Encoding: chunked']) +
        '0\r\n\r\n',
      400,
      'REQUEST_INVALID',
    ],
    [
      'a Content-Length that is not a number',
      head('POST', '/v1/status', [json, 'Content-Length: abc']),
      400,
      'REQUEST_INVALID',
    ],
    [
      'two different Content-Lengths',
      head('POST', '/v1/status', [json, 'Content-Length: 2', 'Content-Length: 3']) + '{}',
      400,
      'REQUEST_INVALID',
    ],
    [
      'a negative Content-Length',
      head('POST', '/v1/status', [json, 'Content-Length: -1']),
      400,
      'REQUEST_INVALID',
    ],
    [
      'an unknown Transfer-Encoding',
      head('POST', '/v1/status', [json, 'Transfer-Encoding: gzip']),
      400,
      'REQUEST_INVALID',
    ],
    [
      'a chunk size that is not hex',
      head('POST', '/v1/status', [json, 'Transfer-Encoding: chunked']) + 'zz\r\n{}\r\n0\r\n\r\n',
      400,
      'REQUEST_INVALID',
    ],
    [
      'a header line without a colon',
      head('GET', '/healthz', ['this is not a header']),
      400,
      'REQUEST_INVALID',
    ],
    [
      'headers larger than the limit',
      head('GET', '/healthz', [`X-Filler: ${'a'.repeat(20_000)}`]),
      431,
      'HEADERS_TOO_LARGE',
    ],
  ];
  for (const [name, request, status, code] of cases) {
    const answer = await raw(request);
    t.equal(answer.status, status, name);
    t.equal(errorOf(t, answer, name), code, name);
  }
});

t.test('duplicated headers the parser lets through still get the API shape', async (t) => {
  const cases: [string, string][] = [
    [
      'two Content-Types',
      head('POST', '/v1/status', [
        'Content-Type: application/json',
        'Content-Type: text/plain',
        'Content-Length: 2',
      ]) + '{}',
    ],
    [
      'the same Content-Length twice',
      head('POST', '/v1/status', [
        'Content-Type: application/json',
        'Content-Length: 2',
        'Content-Length: 2',
      ]) + '{}',
    ],
    ['two Hosts', head('GET', '/v1/nowhere', ['Host: elsewhere'])],
    [
      'two Transfer-Encodings',
      head('POST', '/v1/status', [
        'Content-Type: application/json',
        'Transfer-Encoding: chunked',
        'Transfer-Encoding: chunked',
      ]) + '2\r\n{}\r\n0\r\n\r\n',
    ],
  ];
  for (const [name, request] of cases) {
    const answer = await raw(request);
    t.ok(
      answer.status >= 400 && answer.status < 500,
      `${name}: refused with a 4xx (${answer.status})`,
    );
    errorOf(t, answer, name);
  }
});
