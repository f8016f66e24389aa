// The two log lines written while answering a request that failed for want of
// a resource (the database away, the data volume full) say what happened and
// nothing about who asked. Every app built by test/helper.ts's `build` also
// checks, at teardown, that no log line holds a client address, an
// X-Forwarded-For hop, a user agent or a lookup token seen in a request.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { postgresDatabase } from '../../server/db/database.ts';
import { build } from '../helper.ts';

const ADDRESS = '198.51.100.211';
const PROXY_HOP = '203.0.113.45';
const USER_AGENT = 'LogCanaryBrowser/9.1 (canary-agent-Qm7Rt2)';
const headers = {
  'x-forwarded-for': `${ADDRESS}, ${PROXY_HOP}`,
  'user-agent': USER_AGENT,
};

function namesNobody(t: { notOk(v: unknown, m: string): void }, log: string[]): void {
  const all = log.join('');
  for (const needle of [ADDRESS, PROXY_HOP, USER_AGENT, 'canary-agent'])
    t.notOk(all.includes(needle), `the log does not contain ${needle}`);
}

t.test('the "database unavailable" line names nobody', async (t) => {
  // Nothing listens on port 1: every query fails with ECONNREFUSED.
  const db = postgresDatabase('postgres://sealbox@127.0.0.1:1/sealbox', 1);
  t.teardown(() => db.destroy());
  const { app, log } = await build(t, { db, env: { SEALBOX_TRUST_PROXY: 'true' } });
  const res = await app.inject({ method: 'GET', url: '/v1/keyset', headers });
  t.equal(res.statusCode, 503, res.body);
  t.equal(res.json<{ error: { code: string } }>().error.code, 'DATABASE_UNAVAILABLE');
  t.match(log.join(''), /database unavailable/, 'the outage is logged');
  namesNobody(t, log);
});

t.test('the "data volume nearly full" line names nobody', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-full-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const { app, log } = await build(t, {
    env: {
      SEALBOX_TRUST_PROXY: 'true',
      SEALBOX_DATA_DIR: dir,
      // More free space than this machine has: the volume counts as full.
      SEALBOX_MIN_FREE_BYTES: String(1024 * 1024 ** 3),
    },
  });
  const res = await app.inject({
    method: 'POST',
    url: '/v1/uploads',
    headers,
    payload: { challenge: {}, size: 1000, partSize: 65_536 },
  });
  t.equal(res.statusCode, 503, res.body);
  t.equal(res.json<{ error: { code: string } }>().error.code, 'STORAGE_FULL');
  t.match(log.join(''), /data volume nearly full/, 'the full volume is logged');
  namesNobody(t, log);
});

t.test('the log sink finds what a request carried, and registered canaries', async (t) => {
  const { app, logSink } = await build(t, { env: { SEALBOX_TRUST_PROXY: 'true' } });
  await app.inject({
    method: 'POST',
    url: '/v1/status',
    headers,
    payload: { lookupToken: 'canary-token-Zk3Wp8Lq1Xr5Ty7Ub9Vn2Mc4Hd6Je0Gf8Sa1' },
  });
  logSink.forbid('canary-message-Hj5Ke2', 'a canary');
  app.log.warn(`seen ${PROXY_HOP} with ${USER_AGENT}`);
  app.log.warn('token canary-token-Zk3Wp8Lq1Xr5Ty7Ub9Vn2Mc4Hd6Je0Gf8Sa1 and canary-message-Hj5Ke2');
  const leaks = logSink.leaks().join('\n');
  for (const what of ['X-Forwarded-For', 'user agent', 'lookup token', 'a canary'])
    t.match(leaks, what, `a log line with ${what} is caught`);
  // Cleared, so that this test's own teardown check passes.
  logSink.lines.length = 0;
});
