// PostgreSQL stopped and started under load (a server of the test's own, so
// the machine's shared one is never touched): the service answers 503 while
// the database is down, recovers by itself, and every acknowledged submission
// is there afterwards exactly once with the text that was sent. Only on the
// PostgreSQL run; the soak runs longer outages (scripts/soak.ts).
import t from 'tap';
import { cannotRunPrivatePostgres } from './private-postgres.ts';
import { restartUnderLoad } from './pg-restart.ts';

const skip = process.env.DATABASE_URL ? cannotRunPrivatePostgres() : 'PostgreSQL run only';

t.test('PostgreSQL stopped and started under load', { skip }, async (t) => {
  const r = await restartUnderLoad(t, { cycles: 1, downMs: 3_000, upMs: 2_000, concurrency: 8 });
  t.comment(JSON.stringify(r));
  t.same(r.readyWhileDown, [503], '/readyz says not ready while the database is down');
  t.same(
    r.submitWhileDown,
    [{ status: 503, code: 'DATABASE_UNAVAILABLE' }],
    'a submission while it is down is answered 503, not 500',
  );
  t.notOk(r.refusals[500], 'no internal errors');
  t.ok(r.acknowledged > 0, `${r.acknowledged} acknowledged`);
  t.ok(r.refusals[503] ?? 0 > 0, 'some submissions were refused during the outage');
  t.equal(r.missing, 0, 'no acknowledged submission lost');
  t.equal(r.altered, 0, 'each with the text that was sent');
  t.equal(r.duplicated, 0, 'none twice');
  t.equal(r.unknown, 0, 'nothing that was never sent');
  t.equal(r.opened, r.pulled, 'everything exported was opened');
});
