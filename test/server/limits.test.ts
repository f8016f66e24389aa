// Global limits that track nobody: token buckets per route class, a daily cap
// on new cases, and 503 when the event loop falls behind.
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import {} from '../../client-crypto/index.ts';
import { TokenBucket } from '../../server/plugins/limits.ts';
import { build, sampleSubmission, seedKeyset, solvedChallenge, testDatabase } from '../helper.ts';

type ErrorJson = { error: { code: string } };

t.test('token bucket refills with time', async (t) => {
  let now = 0;
  const bucket = new TokenBucket(60, () => now); // one per second
  for (let i = 0; i < 60; i++) t.equal(bucket.take(), 0);
  t.equal(bucket.take(), 1, 'empty: wait a second');
  now += 1000;
  t.equal(bucket.take(), 0);
  now += 10 * 60_000;
  for (let i = 0; i < 60; i++) bucket.take();
  t.ok(bucket.take() > 0, 'never holds more than one minute of tokens');
});

t.test('limits on a shared database', async (t) => {
  const db = await testDatabase(t);
  const seeded = await seedKeyset(db);

  await t.test('writes beyond the rate answer 429 with Retry-After', async (t) => {
    const { app } = await build(t, { db, env: { SEALBOX_WRITES_PER_MINUTE: '2' } });
    const proofs = [
      await solvedChallenge(app),
      await solvedChallenge(app),
      await solvedChallenge(app),
    ];
    const responses = [];
    for (const challenge of proofs) {
      responses.push(
        await app.inject({
          method: 'POST',
          url: '/v1/uploads',
          payload: { challenge, size: 10, partSize: 65536 },
        }),
      );
    }
    t.same(
      responses.map((r) => r.statusCode),
      [201, 201, 429],
    );
    const last = responses[2]!;
    t.equal(last.json<ErrorJson>().error.code, 'RATE_LIMITED');
    t.ok(Number(last.headers['retry-after']) > 0);
    const read = await app.inject({ method: 'GET', url: '/v1/keyset' });
    t.equal(read.statusCode, 200, 'reads have their own bucket');
  });

  await t.test('a daily cap on new cases', async (t) => {
    const { app } = await build(t, {
      db,
      env: { SEALBOX_SUBMISSIONS_PER_DAY: '1', SEALBOX_SUBMISSIONS_HARD_PER_DAY: '1' },
    });
    const submit = async () =>
      app.inject({
        method: 'POST',
        url: '/v1/submissions',
        payload: await sampleSubmission(app, seeded),
      });
    t.equal((await submit()).statusCode, 201);
    const refused = await submit();
    t.equal(refused.statusCode, 503);
    t.equal(refused.json<ErrorJson>().error.code, 'DAILY_LIMIT');
  });

  await t.test('an overloaded event loop answers 503', async (t) => {
    const { app } = await build(t, { db, env: { SEALBOX_MAX_EVENT_LOOP_DELAY_MS: '5' } });
    await app.ready();
    let res = await app.inject({ method: 'GET', url: '/v1/keyset' });
    for (let attempt = 0; attempt < 10; attempt++) {
      const until = Date.now() + 800;
      while (Date.now() < until); // hold the event loop
      await sleep(20); // under-pressure samples right after the stall
      res = await app.inject({ method: 'GET', url: '/v1/keyset' });
      if (res.statusCode === 503) break;
    }
    t.equal(res.statusCode, 503);
    t.equal(res.json<ErrorJson>().error.code, 'OVERLOADED');
  });
});
