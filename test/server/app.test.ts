// The infrastructure layer: headers, error shapes, health, OpenAPI, logging.
import { sql } from 'kysely';
import type { InjectOptions } from 'fastify';
import t from 'tap';
import { build, seedKeyset, testDatabase } from '../helper.ts';

t.test('infrastructure', async (t) => {
  const { app, db, log } = await build(t, {
    captureLog: true,
    env: {
      SEALBOX_ONION_LOCATION: 'http://sealboxexampleonionaddressxxxxxxxxxxxxxxxxxxxxxxxx.onion',
    },
  });

  await t.test('health and readiness', async (t) => {
    const h = await app.inject({ method: 'GET', url: '/healthz' });
    t.equal(h.statusCode, 200);
    t.same(h.json(), { ok: true });
    const r = await app.inject({ method: 'GET', url: '/readyz' });
    t.equal(r.statusCode, 200);
  });

  await t.test('security headers on every answer, no cookie', async (t) => {
    for (const url of ['/healthz', '/v1/keyset', '/nowhere']) {
      const res = await app.inject({
        method: 'GET',
        url,
        headers: { cookie: 'a=b', 'x-forwarded-for': '203.0.113.9' },
      });
      const csp = String(res.headers['content-security-policy']);
      t.match(csp, /default-src 'self'/, `${url}: CSP`);
      t.notMatch(csp, /unsafe-inline/, `${url}: no inline script`);
      t.notMatch(csp, /https?:/, `${url}: no third-party origin`);
      t.equal(res.headers['referrer-policy'], 'no-referrer');
      t.equal(res.headers['cross-origin-opener-policy'], 'same-origin');
      t.equal(res.headers['cross-origin-resource-policy'], 'same-origin');
      t.match(String(res.headers['permissions-policy']), /camera=\(\)/);
      t.equal(res.headers['cache-control'], 'no-store');
      t.equal(res.headers['set-cookie'], undefined);
      t.match(String(res.headers['onion-location']), /\.onion\//);
    }
  });

  await t.test('errors have one shape with stable codes', async (t) => {
    const cases: [string, InjectOptions, number, string][] = [
      ['unknown route', { method: 'GET', url: '/v1/nothing' }, 404, 'NOT_FOUND'],
      [
        'bad JSON',
        {
          method: 'POST',
          url: '/v1/status',
          headers: { 'content-type': 'application/json' },
          payload: '{"lookupToken":',
        },
        400,
        'JSON_INVALID',
      ],
      [
        'empty JSON',
        {
          method: 'POST',
          url: '/v1/status',
          headers: { 'content-type': 'application/json' },
          payload: '',
        },
        400,
        'BODY_MISSING',
      ],
      [
        'wrong content type',
        {
          method: 'POST',
          url: '/v1/status',
          headers: { 'content-type': 'text/plain' },
          payload: 'hello',
        },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'wrong types',
        { method: 'POST', url: '/v1/status', payload: { lookupToken: 42 } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'broken base64',
        { method: 'POST', url: '/v1/status', payload: { lookupToken: 'A'.repeat(42) + 'B' } },
        400,
        'ENCODING_INVALID',
      ],
      [
        'token of the wrong length',
        { method: 'POST', url: '/v1/status', payload: { lookupToken: 'AAAA' } },
        400,
        'ENCODING_INVALID',
      ],
      [
        'huge body',
        {
          method: 'POST',
          url: '/v1/status',
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify({ lookupToken: 'x'.repeat(5 * 1024 * 1024) }),
        },
        413,
        'BODY_TOO_LARGE',
      ],
      ['no keyset yet', { method: 'GET', url: '/v1/keyset' }, 404, 'KEYSET_MISSING'],
    ];
    for (const [name, request, status, code] of cases) {
      const res = await app.inject(request);
      if (res.statusCode !== status) t.comment(name, res.statusCode, res.body);
      t.equal(res.statusCode, status, `${name}: status`);
      t.equal(res.json<{ error: { code: string } }>().error.code, code, `${name}: code`);
      t.type(res.json<{ error: { message: string } }>().error.message, 'string');
    }
  });

  await t.test('the keyset once one is stored', async (t) => {
    const { signed } = await seedKeyset(db);
    const res = await app.inject({ method: 'GET', url: '/v1/keyset' });
    t.equal(res.statusCode, 200);
    t.same(res.json(), signed);
  });

  await t.test('OpenAPI document', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    t.equal(res.statusCode, 200);
    const doc = res.json<{ openapi: string; paths: Record<string, unknown> }>();
    t.match(doc.openapi, /^3\./);
    for (const path of [
      '/v1/keyset',
      '/v1/challenge',
      '/v1/uploads',
      '/v1/submissions',
      '/v1/status',
      '/v1/followups',
    ]) {
      t.ok(doc.paths[path], `documents ${path}`);
    }
  });

  await t.test('the log holds no address, agent or token', async (t) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/status',
      payload: { lookupToken: 'A'.repeat(43) },
      headers: { 'user-agent': 'SecretAgent/1.0', 'x-forwarded-for': '198.51.100.7' },
      remoteAddress: '192.0.2.55',
    });
    t.equal(res.statusCode, 404);
    const all = log.join('');
    for (const needle of ['192.0.2.55', '198.51.100.7', 'SecretAgent', 'A'.repeat(43)]) {
      t.notOk(all.includes(needle), `log does not contain ${needle}`);
    }
  });
});

t.test('a failure inside answers 500 and leaks nothing', async (t) => {
  const db = await testDatabase(t);
  const { app, log } = await build(t, { db, captureLog: true });
  await sql`drop table submissions cascade`.execute(db); // every case query now fails
  const res = await app.inject({
    method: 'POST',
    url: '/v1/status',
    payload: { lookupToken: 'A'.repeat(43) },
    headers: { 'user-agent': 'SecretAgent/1.0' },
    remoteAddress: '192.0.2.56',
  });
  t.equal(res.statusCode, 500);
  t.same(res.json(), { error: { code: 'INTERNAL', message: 'internal error' } });
  const all = log.join('');
  t.match(all, /request failed/, 'the failure is logged');
  t.notOk(all.includes('192.0.2.56') || all.includes('SecretAgent'), 'without who asked');
});
