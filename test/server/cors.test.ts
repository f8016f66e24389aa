// Cross-origin answers over real HTTP, as a page opened from disk (Origin: null)
// or from the organisation's other address meets them: the public routes the
// page calls answer preflights and carry `Access-Control-Allow-Origin: *`,
// errors included; courier routes, health, OpenAPI and unknown paths carry no
// CORS header at all; nothing ever allows credentials or sets a cookie.
import t from 'tap';
import type { AddressInfo } from 'node:net';
import { CORS_ROUTES } from '../../server/plugins/cors.ts';
import { build, sampleSubmission, seedKeyset, testDatabase } from '../helper.ts';

const db = await testDatabase(t);
const trust = await seedKeyset(db);
const { app } = await build(t, { db });
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

const seen: Headers[] = [];
async function send(method: string, path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(base + path, {
    ...init,
    method,
    headers: { origin: 'null', ...(init.headers as Record<string, string> | undefined) },
  });
  await response.arrayBuffer();
  seen.push(response.headers);
  return response;
}

const preflight = (path: string, method: string) =>
  send('OPTIONS', path, {
    headers: {
      'access-control-request-method': method,
      'access-control-request-headers': 'content-type',
    },
  });

const ID = 'A'.repeat(22);
const concrete = (route: string) => route.replace(':uploadId', ID).replace(':part', '0');

void t.test('preflight on every public route the page calls', async (t) => {
  t.same(Object.keys(CORS_ROUTES).length, 10, 'ten routes, as web/src/api.ts calls them');
  for (const [route, methods] of Object.entries(CORS_ROUTES)) {
    const res = await preflight(concrete(route), methods[0]!);
    t.equal(res.status, 204, `OPTIONS ${route}`);
    t.equal(res.headers.get('access-control-allow-origin'), '*', `${route}: any origin`);
    t.equal(
      res.headers.get('access-control-allow-methods'),
      methods.join(', '),
      `${route}: methods`,
    );
    t.equal(res.headers.get('access-control-allow-headers'), 'content-type', `${route}: headers`);
    t.equal(res.headers.get('access-control-max-age'), '600');
  }
});

void t.test('answers of public routes carry the header, refusals too', async (t) => {
  const keyset = await send('GET', '/v1/keyset');
  t.equal(keyset.status, 200);
  t.equal(keyset.headers.get('access-control-allow-origin'), '*', 'keyset');
  t.equal(keyset.headers.get('access-control-expose-headers'), 'retry-after');
  // Same-origin isolation headers stay: CORP binds no-cors loads only, not CORS reads.
  t.equal(keyset.headers.get('cross-origin-resource-policy'), 'same-origin');
  for (const path of ['/v1/epochs', '/v1/challenge']) {
    const res = await send('GET', path);
    t.equal(res.status, 200, path);
    t.equal(res.headers.get('access-control-allow-origin'), '*', path);
  }
  const json = { 'content-type': 'application/json' };
  for (const [method, path, body] of [
    ['POST', '/v1/status', '{}'],
    ['POST', '/v1/submissions', '{"envelope":1}'],
    ['POST', '/v1/followups', 'not json'],
    ['POST', '/v1/uploads', '{}'],
    ['GET', `/v1/uploads/${ID}`, undefined],
    ['POST', `/v1/uploads/${ID}/finish`, '{}'],
  ] as const) {
    const res = await send(method, path, body === undefined ? {} : { body, headers: json });
    t.ok(res.status >= 400 && res.status < 500, `${method} ${path}: refused (${res.status})`);
    t.equal(res.headers.get('access-control-allow-origin'), '*', `${method} ${path}: readable`);
  }
  const part = await send('PUT', `/v1/uploads/${ID}/parts/0`, {
    body: new Uint8Array(8),
    headers: { 'content-type': 'application/octet-stream' },
  });
  t.equal(part.status, 404);
  t.equal(part.headers.get('access-control-allow-origin'), '*', 'upload part refusal readable');

  // A genuine write from another origin: taken, and its answer readable.
  const submission = await sampleSubmission(app, trust);
  const taken = await send('POST', '/v1/submissions', {
    body: JSON.stringify({ ...submission, uploads: [] }),
    headers: json,
  });
  t.ok(taken.ok, `submission taken (${taken.status})`);
  t.equal(taken.headers.get('access-control-allow-origin'), '*');
});

void t.test('courier routes and everything else: no CORS at all', async (t) => {
  for (const [method, path] of [
    ['OPTIONS', '/v1/courier/outbox'],
    ['POST', '/v1/courier/outbox'],
    ['OPTIONS', '/v1/courier/ack'],
    ['POST', '/v1/courier/ack'],
    ['GET', '/v1/courier/export'],
    ['GET', '/v1/courier/epochs'],
    ['PUT', '/v1/courier/keyset'],
    ['GET', '/healthz'],
    ['GET', '/readyz'],
    ['GET', '/openapi.json'],
    ['GET', '/'],
    ['OPTIONS', '/'],
    ['OPTIONS', '/v1/nothing'],
    ['DELETE', '/v1/keyset'],
  ] as const) {
    const res =
      method === 'OPTIONS'
        ? await preflight(path, 'POST')
        : await send(
            method,
            path,
            method === 'GET' ? {} : { body: '{}', headers: { 'content-type': 'application/json' } },
          );
    t.notOk(res.status === 204, `${method} ${path}: no preflight answer (${res.status})`);
    for (const name of res.headers.keys()) {
      t.notMatch(name, /^access-control-/, `${method} ${path}: no ${name}`);
    }
  }
});

void t.test('nothing allows credentials or sets a cookie', async (t) => {
  t.ok(seen.length > 30, `${seen.length} answers looked at`);
  for (const headers of seen) {
    t.equal(headers.get('access-control-allow-credentials'), null);
    t.equal(headers.get('set-cookie'), null);
  }
});
