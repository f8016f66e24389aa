// A hostile courier (or a damaged copy) cannot make the reviewer tool erase
// an epoch's seed early: a bundle that claims a late date but leaves a cursor
// gap before it counts for nothing, nor does a bundle dated in the future,
// nor one whose items failed.
import { join } from 'node:path';
import t from 'tap';
import { reviewOpen } from '../../reviewer/commands/review-open.ts';
import { date, day, unlocked } from '../reviewer/epoch-fixtures.ts';
import { makeSetup, tempDir, testIo, writeBundle } from '../reviewer/fixtures.ts';

t.test('bundles that must not hasten erasure', async (t) => {
  const dir = await tempDir(t);
  const s = await makeSetup(dir);
  const cases = join(dir, 'cases');
  const trust = { keyset: s.keysetFile, organisation: s.orgFingerprint };
  const open = async (bundle: string, now: Date) => {
    const io = testIo();
    const report = await reviewOpen({ bundle, key: s.anaKey, cases, ...trust, now }, io);
    return { report, text: io.lines.join('\n') };
  };
  const held = async () => (await unlocked(s.anaKey)).secrets.epochs.map((e) => e.epoch);
  const first = join(dir, 'first.sbx');
  await writeBundle(first, [{ kind: 'submission', id: 'c1', seq: 1 }], s.sealing, s, {
    created: date(0),
  });
  await open(first, day(0));

  // Day 60, a bundle that claims to be from day 60 but starts after cursor 9:
  // items 2 to 9, perhaps sealed to epoch 1, were never delivered.
  const gap = join(dir, 'gap.sbx');
  await writeBundle(gap, [{ kind: 'submission', id: 'c10', seq: 10 }], s.sealing, s, {
    after: 9,
    created: date(60),
  });
  t.same((await open(gap, day(60))).report.opened, ['c10']);
  t.same(await held(), [1, 2, 3, 4, 5, 6, 7, 8], 'nothing erased across the gap');

  // A connected bundle dated after the reviewer's today is not believed.
  const future = join(dir, 'future.sbx');
  await writeBundle(future, [], s.sealing, s, { after: 1, created: date(400) });
  const dated = await open(future, day(60));
  t.match(dated.text, /after today/);
  t.same(await held(), [1, 2, 3, 4, 5, 6, 7, 8], 'a date in the future counts for nothing');

  // A connected bundle whose item is damaged was not opened completely.
  const damaged = join(dir, 'damaged.sbx');
  await writeBundle(
    damaged,
    [
      {
        kind: 'submission',
        id: 'c2',
        seq: 2,
        files: [{ name: 'a', bytes: new Uint8Array(9), corrupt: true }],
      },
    ],
    s.sealing,
    s,
    { after: 1, created: date(60) },
  );
  t.equal((await open(damaged, day(60))).report.failed.length, 1);
  t.same(await held(), [1, 2, 3, 4, 5, 6, 7, 8], 'a bundle with a failed item counts for nothing');

  // The honest bundle that fills the gap: now epochs whose grace is over go.
  const fill = join(dir, 'fill.sbx');
  await writeBundle(fill, [{ kind: 'submission', id: 'c9', seq: 9 }], s.sealing, s, {
    after: 1,
    created: date(55),
  });
  await open(fill, day(60));
  t.same(await held(), [7, 8], 'with the gap filled, epochs 1 to 6 (ended by day 42) are erased');
});
