// Effort levels: a challenge at level k is the base difficulty × 2^k, the
// level is signed with the challenge, and a new case below the minimum level
// of the moment is refused before anything is spent.
import type { Challenge } from 'altcha-lib';
import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import t from 'tap';
import {
  deriveReceiptKeys,
  generateReceipt,
  sealDocument,
  toBase64Url,
} from '../../client-crypto/index.ts';
import { ConfigError } from '../../server/config.ts';
import { dayFillLevel, difficultyAt, rateLevel } from '../../server/effort.ts';
import {
  build,
  sampleDocument,
  sampleSubmission,
  seedKeyset,
  solvedChallenge,
  testConfig,
} from '../helper.ts';

type ErrorJson = { error: { code: string; minimumLevel?: number } };
type ChallengeJson = Challenge & {
  level: number;
  difficulty: number;
  load: { minimumLevel: number; topLevel: number; busy: boolean };
};

t.test('levels, from the rate and from the day', async (t) => {
  t.equal(difficultyAt(50_000, 0), 50_000);
  t.equal(difficultyAt(50_000, 6), 3_200_000, 'each level doubles the work');
  t.same(
    [0, 99, 100, 199, 200, 399, 400, 6_400, 1e9].map((n) => rateLevel(n, 100, 6)),
    [0, 0, 1, 1, 2, 2, 3, 6, 6],
    'one level per doubling of the rate above the busy rate, capped at the top',
  );
  t.same(
    [0, 9_999, 10_000, 10_001, 15_000, 19_999, 20_000, 90_000].map((n) =>
      dayFillLevel(n, 20_000, 6),
    ),
    [0, 0, 0, 1, 3, 6, 6, 6],
    'from half the soft cap, evenly up to the top at the soft cap',
  );
});

t.test('the settings hold together', async (t) => {
  const c = testConfig();
  t.equal(c.pow.topLevel, 6);
  t.equal(c.limits.submissionsHardPerDay, 10 * c.limits.submissionsPerDay, 'hard cap 10 × soft');
  t.throws(
    () => testConfig({ SEALBOX_POW_LEVEL: '7' }),
    new ConfigError(
      'invalid configuration\n  SEALBOX_POW_LEVEL: must not exceed SEALBOX_POW_TOP_LEVEL',
    ),
  );
  t.throws(
    () => testConfig({ SEALBOX_POW_DIFFICULTY: '10000000', SEALBOX_POW_TOP_LEVEL: '9' }),
    /SEALBOX_POW_TOP_LEVEL: .*4294967295/,
    'the top level must fit altcha’s 32-bit counter',
  );
  t.throws(
    () =>
      testConfig({ SEALBOX_SUBMISSIONS_PER_DAY: '100', SEALBOX_SUBMISSIONS_HARD_PER_DAY: '99' }),
    /SEALBOX_SUBMISSIONS_HARD_PER_DAY/,
  );
});

t.test('GET /v1/challenge', async (t) => {
  const { app } = await build(t);
  const get = (query = '') => app.inject({ method: 'GET', url: `/v1/challenge${query}` });

  const plain = (await get()).json<ChallengeJson>();
  t.equal(plain.level, 0, 'level 0 unless asked: the page of today is unchanged');
  t.same(plain.parameters.data, { level: 0 }, 'the level is in the signed parameters');
  t.same(plain.load, { minimumLevel: 0, topLevel: 6, busy: false });
  t.equal(plain.difficulty, 20, 'the counter range at level 0: the base difficulty');
  t.equal((await get('?level=3')).json<ChallengeJson>().difficulty, 160, '× 2^level');

  // The secret counter is drawn from 1 to difficulty × 2^level (difficulty 20 in tests).
  const counters: number[] = [];
  for (let i = 0; i < 16; i++) {
    const c = (await get('?level=3')).json<ChallengeJson>();
    t.equal(c.level, 3);
    const solution = await solveChallenge({ challenge: c, deriveKey });
    counters.push(solution!.counter);
  }
  t.ok(
    counters.every((n) => n >= 1 && n <= 160),
    'at most 20 × 2^3',
  );
  t.ok(
    counters.some((n) => n > 20),
    'and not below the base difficulty alone',
  );

  for (const bad of ['?level=7', '?level=-1', '?level=1.5', '?level=high']) {
    const res = await get(bad);
    t.equal(res.statusCode, 400, bad);
    t.equal(res.json<ErrorJson>().error.code, 'VALIDATION_FAILED', bad);
  }
});

t.test('a forged level does not verify', async (t) => {
  const { app, db } = await build(t, { env: { SEALBOX_POW_LEVEL: '2' } });
  const seeded = await seedKeyset(db);
  const res = await app.inject({ method: 'GET', url: '/v1/challenge' });
  const challenge = res.json<ChallengeJson>();
  challenge.parameters.data = { level: 6 };
  const solution = await solveChallenge({ challenge, deriveKey });
  const body = await sampleSubmission(app, seeded);
  const sent = await app.inject({
    method: 'POST',
    url: '/v1/submissions',
    payload: { ...body, challenge: { challenge, solution } },
  });
  t.equal(sent.statusCode, 400);
  t.equal(sent.json<ErrorJson>().error.code, 'CHALLENGE_INVALID');
});

t.test('an operator pins the minimum level', async (t) => {
  // One write a minute: a refused proof that took the token would lock out the next.
  const { app, db } = await build(t, {
    env: { SEALBOX_POW_LEVEL: '2', SEALBOX_WRITES_PER_MINUTE: '1' },
  });
  const seeded = await seedKeyset(db);
  const load = (await app.inject({ method: 'GET', url: '/v1/challenge' })).json<ChallengeJson>()
    .load;
  t.same(load, { minimumLevel: 2, topLevel: 6, busy: true });

  const spent = async () =>
    Number(
      (
        await db
          .selectFrom('spent_challenges')
          .select((eb) => eb.fn.countAll<string | number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const keys = await deriveReceiptKeys(await generateReceipt());
  const low = await sampleSubmission(app, seeded, keys);
  for (let i = 0; i < 5; i++) {
    const res = await app.inject({ method: 'POST', url: '/v1/submissions', payload: low });
    t.equal(res.statusCode, 429, 'level 0 is refused');
    t.same(res.json<ErrorJson>().error, {
      code: 'EFFORT_TOO_LOW',
      message: 'the service is busy: a proof of work at level 2 or higher is needed',
      minimumLevel: 2,
    });
  }
  t.equal(await spent(), 0, 'nothing was spent');

  const enough = { ...low, challenge: await solvedChallenge(app, 2) };
  const res = await app.inject({ method: 'POST', url: '/v1/submissions', payload: enough });
  t.equal(res.statusCode, 201, 'level 2 is taken, with the write token the refusals left');
  t.equal(await spent(), 1);

  // A follow-up asks only the base level, and has its own bucket (the write one is empty).
  const followup = await app.inject({
    method: 'POST',
    url: '/v1/followups',
    payload: {
      challenge: await solvedChallenge(app),
      lookupToken: low.lookupToken,
      envelope: toBase64Url(
        await sealDocument(sampleDocument('followup', keys), seeded.sealing, keys.authorKeyPair),
      ),
    },
  });
  t.equal(followup.statusCode, 201, 'a level-0 follow-up is taken');
});
