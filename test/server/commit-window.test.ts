// The commit window's promises: the writes of a window commit together, a
// write that throws is undone alone, and `undoOnError` keeps what came before
// it in the same write.
import t from 'tap';
import { CommitWindow, nextBoundary, undoOnError } from '../../server/db/commit-window.ts';
import { spendChallenge } from '../../server/db/challenges.ts';
import { testDatabase } from '../helper.ts';

const digest = (n: number) => new Uint8Array(32).fill(n);

async function spent(db: Awaited<ReturnType<typeof testDatabase>>): Promise<number[]> {
  const rows = await db.selectFrom('spent_challenges').select('digest').execute();
  return rows.map((r) => r.digest[0]!).sort((a, b) => a - b);
}

t.test('boundaries are multiples of the window', async (t) => {
  t.equal(nextBoundary(1000, 12_345), 13_000);
  t.equal(nextBoundary(1000, 13_000), 14_000, 'a write at a boundary waits for the next one');
});

t.test('a window commits its writes together; a failing write is undone alone', async (t) => {
  const db = await testDatabase(t);
  const window = new CommitWindow(db, 50);
  const results = await Promise.allSettled([
    window.run((trx) => spendChallenge(trx, digest(1), '2099-01-01')),
    window.run(async (trx) => {
      await spendChallenge(trx, digest(2), '2099-01-01');
      throw new Error('refused');
    }),
    window.run((trx) => spendChallenge(trx, digest(3), '2099-01-01')),
  ]);
  t.same(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  t.match(results[1], { reason: { message: 'refused' } }, 'the caller gets its own error');
  t.same(await spent(db), [1, 3], 'the failing write left nothing; the others committed');
  t.equal(window.takeCommitted(), 1, 'one commit for the three writes');
});

t.test('undoOnError keeps what the write did before it', async (t) => {
  const db = await testDatabase(t);
  const window = new CommitWindow(db, 50);
  const outcome = await window.run(async (trx) => {
    await spendChallenge(trx, digest(4), '2099-01-01');
    return undoOnError(trx, async () => {
      await spendChallenge(trx, digest(5), '2099-01-01');
      throw new Error('declined');
    });
  });
  t.match(outcome, { ok: false, error: { message: 'declined' } });
  t.same(await spent(db), [4], 'the first step stays, the undone one is gone');
});

t.test('window 0 commits each write at once', async (t) => {
  const db = await testDatabase(t);
  const window = new CommitWindow(db, 0);
  await window.run((trx) => spendChallenge(trx, digest(6), '2099-01-01'));
  await window.settle();
  t.same(await spent(db), [6]);
});
