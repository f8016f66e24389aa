// Epoch keys on the server: the courier publishes them (verified, atomic,
// idempotent), the page fetches the current and next ones with GET
// /v1/epochs, and the courier reads how many days each reviewer has left.
// Refusals of bad keys are in test/adversary/hostile-epochs.test.ts.
import t from 'tap';
import { addDays, sealingKeys } from '../../client-crypto/index.ts';
import { call } from '../../reviewer/courier/http.ts';
import { today } from '../../server/db/dates.ts';
import { makeEpoch } from '../epochs.ts';
import { build, seedKeyset, storeEpochs } from '../helper.ts';
import { courierServer } from './courier-fixtures.ts';

interface Coverage {
  reviewers: { name: string; lastEnds: string | null; daysLeft: number }[];
}

t.test('GET /v1/epochs serves the current and next epoch keys', async (t) => {
  const { app, db, reviewer, epochs, keyset } = await courierServer(t);
  const day = today();
  const res = await app.inject({ method: 'GET', url: '/v1/epochs' });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { epochs: [epochs[0]!.signed] }, 'the seeded current key');

  // Long past, just past, next, far future.
  const past = await makeEpoch(reviewer, 2, addDays(day, -30), addDays(day, -23));
  const endedYesterday = await makeEpoch(reviewer, 3, addDays(day, -8), addDays(day, -1));
  const next = await makeEpoch(reviewer, 4, addDays(day, 2), addDays(day, 9));
  const later = await makeEpoch(reviewer, 5, addDays(day, 3), addDays(day, 10));
  await storeEpochs(db, [past, endedYesterday, next, later]);
  const served = (await app.inject({ method: 'GET', url: '/v1/epochs' })).json<{
    epochs: unknown[];
  }>().epochs;
  t.same(
    served,
    [epochs[0]!.signed, endedYesterday.signed, next.signed],
    'the current one, one whose end date was yesterday and one that starts in two days, by epoch number',
  );
  // What a page does with them.
  const sealing = await sealingKeys(keyset, served);
  t.equal(sealing.recipients[0]!.epoch, 1, 'a page seals to the current one');
});

t.test('GET /v1/epochs with no keyset is an empty list', async (t) => {
  const { app } = await build(t);
  const res = await app.inject({ method: 'GET', url: '/v1/epochs' });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { epochs: [] });
});

t.test('POST /v1/courier/epochs stores, counts and says how long keys last', async (t) => {
  const { app, client, reviewer } = await courierServer(t);
  const day = today();
  // The seeded key ends in four days; two more weeks follow it without a gap.
  const starts = addDays(day, 4);
  const second = await makeEpoch(reviewer, 2, starts, addDays(starts, 7));
  const third = await makeEpoch(reviewer, 3, addDays(starts, 7), addDays(starts, 14));
  const body = { epochs: [second.signed, third.signed] };
  const expected = {
    reviewers: [{ name: 'Test Reviewer', lastEnds: addDays(starts, 14), daysLeft: 18 }],
  };
  t.same(await call(client, 'POST', '/v1/courier/epochs', body), {
    stored: 2,
    unchanged: 0,
    ...expected,
  });
  t.same(
    await call(client, 'POST', '/v1/courier/epochs', body),
    { stored: 0, unchanged: 2, ...expected },
    'the same keys again change nothing',
  );
  t.same(await call(client, 'GET', '/v1/courier/epochs'), expected);

  // A gap: the fifth week's key does not count until the fourth is there.
  const fifth = await makeEpoch(reviewer, 5, addDays(starts, 21), addDays(starts, 28));
  const after = await call<Coverage>(client, 'POST', '/v1/courier/epochs', {
    epochs: [fifth.signed],
  });
  t.same(after.reviewers, [{ name: 'Test Reviewer', lastEnds: addDays(starts, 28), daysLeft: 18 }]);
  t.equal(
    (await app.inject({ method: 'GET', url: '/v1/epochs' })).json<{ epochs: unknown[] }>().epochs
      .length,
    1,
    'the page still sees only the current key',
  );
});

t.test('a reviewer with no key has no days left', async (t) => {
  const { client, db } = await courierServer(t);
  await db.deleteFrom('epoch_keys').execute();
  t.same(await call(client, 'GET', '/v1/courier/epochs'), {
    reviewers: [{ name: 'Test Reviewer', lastEnds: null, daysLeft: 0 }],
  });
});

t.test('epoch keys survive as they were signed', async (t) => {
  const { app } = await build(t);
  const seeded = await seedKeyset(app.sealbox.db);
  const served = (await app.inject({ method: 'GET', url: '/v1/epochs' })).json<{
    epochs: unknown[];
  }>().epochs;
  t.same(served, [seeded.epochs[0]!.signed], 'the four signed fields, byte for byte');
});
