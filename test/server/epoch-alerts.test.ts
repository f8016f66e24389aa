// The operator hears in time that a reviewer's epoch keys run out: /readyz
// names the weakest reviewer and its days left, and the check that runs at
// start and with the maintenance logs a warning under 14 days and an error
// when a reviewer has no current key. The lines never name a submitter (the
// log sink of build() fails the test if one does).
import t from 'tap';
import { addDays } from '../../client-crypto/index.ts';
import { today } from '../../server/db/dates.ts';
import { checkEpochKeys } from '../../server/maintenance.ts';
import { makeEpoch } from '../epochs.ts';
import { build, sampleSubmission, seedKeyset, storeEpochs } from '../helper.ts';

interface Ready {
  ok: true;
  epochKeys: { reviewer: string; daysLeft: number; lastEnds: string | null; state: string } | null;
}

t.test('/readyz and the log say how long epoch keys last', async (t) => {
  const { app, db, log } = await build(t);
  const ready = async () => {
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    t.equal(res.statusCode, 200, 'ready whatever the keys');
    return res.json<Ready>().epochKeys;
  };
  t.equal(await ready(), null, 'no keyset: nothing to say');

  const seeded = await seedKeyset(db);
  const day = today();
  // Someone writes in, from an address the log must never show.
  const res = await app.inject({
    method: 'POST',
    url: '/v1/submissions',
    payload: await sampleSubmission(app, seeded),
    headers: { 'x-forwarded-for': '198.51.100.77', 'user-agent': 'Witness/1.0 (canary-ua-Qk2)' },
  });
  t.equal(res.statusCode, 201, res.body);

  // The seeded key ends in four days.
  t.same(await ready(), {
    reviewer: 'Test Reviewer',
    daysLeft: 4,
    lastEnds: addDays(day, 4),
    state: 'running out',
  });
  const lines: string[] = [];
  const sink = {
    warn: (fields: object, message: string) =>
      lines.push(`warn ${JSON.stringify(fields)} ${message}`),
    error: (fields: object, message: string) =>
      lines.push(`error ${JSON.stringify(fields)} ${message}`),
  };
  await checkEpochKeys(db, sink);
  t.equal(lines.length, 1);
  t.match(lines[0], /^warn .*"code":"EPOCH_KEYS_RUNNING_OUT".*"daysLeft":4/);
  t.match(lines[0], /reviewer "Test Reviewer" has epoch keys for 4 more days/);

  // Through the server's own logger, as bin/main.ts does.
  await checkEpochKeys(db, app.log);
  t.match(
    log.join(''),
    /"level":40.*EPOCH_KEYS_RUNNING_OUT.*has epoch keys for 4 more days/,
    'a warning in the server log',
  );

  // Three more weeks: no warning.
  const reviewer = seeded.reviewer;
  let starts = addDays(day, 4);
  for (let n = 2; n <= 4; n++, starts = addDays(starts, 7)) {
    await storeEpochs(db, [await makeEpoch(reviewer, n, starts, addDays(starts, 7))]);
  }
  t.match(await ready(), { daysLeft: 25, state: 'ok' });
  lines.length = 0;
  t.same(await checkEpochKeys(db, sink), [], 'nothing to say');
  t.same(lines, []);

  // Forty days from now, past the last published week.
  const later = new Date(Date.parse(`${addDays(day, 40)}T12:00:00Z`));
  await checkEpochKeys(db, sink, later);
  t.match(lines[0], /^error .*"code":"EPOCH_KEY_MISSING"/);
  t.match(
    lines[0],
    /has no current epoch key \(the last one ended on .*\): the page refuses to seal/,
  );
});

t.test('a reviewer with no key at all is an error', async (t) => {
  const { app, db } = await build(t);
  await seedKeyset(db);
  await db.deleteFrom('epoch_keys').execute();
  const res = await app.inject({ method: 'GET', url: '/readyz' });
  t.same(res.json<Ready>().epochKeys, {
    reviewer: 'Test Reviewer',
    daysLeft: 0,
    lastEnds: null,
    state: 'none current',
  });
  const lines: string[] = [];
  await checkEpochKeys(db, {
    warn: () => t.fail('not a warning'),
    error: (_fields, message) => lines.push(message),
  });
  t.same(lines.length, 1);
  t.match(lines[0], /reviewer "Test Reviewer" has no current epoch key: the page refuses/);
});
