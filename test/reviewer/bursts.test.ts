// A burst reaches the reviewer as cases: review open keeps each case's day
// and effort level, review bursts shows new cases per day and level and flags
// the day far above the usual, and review set-aside moves that day's cases to
// set-aside.html and back, deleting nothing. An urgent case and a case whose
// author wrote again are never set aside, and the command names them.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { reviewBursts, reviewSetAside } from '../../reviewer/commands/review-bursts.ts';
import { reviewOpen } from '../../reviewer/commands/review-open.ts';
import { type ItemSpec, makeSetup, submissionsFrom, tempDir, writeBundle } from './fixtures.ts';

const BURST_DAY = '2026-11-13';

t.test('a burst is seen by day and level and set aside without losing anything', async (t) => {
  const dir = await tempDir(t);
  const s = await makeSetup(dir);
  const cases = join(dir, 'cases');
  const submission = submissionsFrom(0);
  const items: ItemSpec[] = [
    submission('before-levels', '2026-11-10'),
    submission('quiet-one', '2026-11-11', { effort: 0 }),
    submission('quiet-two', '2026-11-11', { effort: 0 }),
    submission('quiet-three', '2026-11-12', { effort: 1 }),
    ...Array.from({ length: 22 }, (_, i) => submission(`flood-${i}`, BURST_DAY, { effort: 5 })),
    submission('danger', BURST_DAY, { effort: 5, answers: { danger_now: 'yes' } }),
    submission('talking', BURST_DAY, { effort: 5 }),
    submission('low-that-day', BURST_DAY, { effort: 0 }),
  ];
  items.push({ kind: 'followup', id: 'talking-again', caseId: 'talking', seq: items.length + 1 });
  const bundle = join(dir, 'b.sbx');
  await writeBundle(bundle, items, s.sealing, s);
  const report = await reviewOpen(
    { bundle, key: s.anaKey, cases, keyset: s.keysetFile, organisation: s.orgFingerprint },
    s.io,
  );
  t.same(report.failed, []);
  const caseJson = async (id: string) =>
    JSON.parse(await readFile(join(cases, id, 'case.json'), 'utf8')) as Record<string, unknown>;
  t.equal((await caseJson('flood-3')).effort, 5, 'the level is kept in the case folder');
  t.notOk('effort' in (await caseJson('before-levels')), 'a case without one has none');

  const before = s.io.lines.length;
  const { days, usual } = await reviewBursts({ cases }, s.io);
  t.equal(usual, 1.5, 'the usual day: the median of the days with cases');
  t.same(
    days.map((d) => [d.day, d.total, d.burst]),
    [
      ['2026-11-10', 1, false],
      ['2026-11-11', 2, false],
      ['2026-11-12', 1, false],
      [BURST_DAY, 25, true],
    ],
  );
  t.same(Object.fromEntries(days[3]!.byLevel), { '0': 1, '5': 24 });
  t.same(Object.fromEntries(days[0]!.byLevel), { unknown: 1 });
  const printed = s.io.lines.slice(before).join('\n');
  t.match(printed, /2026-11-13\s+25\s+1\s+0\s+24\s+0\s+0\s+BURST/);
  t.notMatch(
    printed.split('\n').find((l: string) => l.startsWith('2026-11-12')),
    /BURST/,
  );

  const outcome = await reviewSetAside({ cases, day: BURST_DAY, level: '5' }, s.io);
  t.equal(outcome.changed.length, 22, 'the 22 flood cases are set aside');
  t.same(
    outcome.kept.map((k) => [k.record.caseId, k.reasons]).sort(),
    [
      ['danger', ['urgent']],
      ['talking', ['its author wrote again (a follow-up)']],
    ],
    'the urgent case and the one that wrote again stay, with why',
  );
  t.match(s.io.lines.join('\n'), /2 stay in the main list, never set aside/);
  const index = await readFile(join(cases, 'index.html'), 'utf8');
  const aside = await readFile(join(cases, 'set-aside.html'), 'utf8');
  t.notMatch(index, /flood-\d/, 'no flood case in the main list');
  for (const id of ['danger', 'talking', 'low-that-day', 'quiet-one', 'before-levels']) {
    t.match(index, id, `${id} stays in the main list`);
    t.notMatch(aside, `>${id}<`);
  }
  t.match(index, /22 case\(s\) set aside as part of a burst/);
  t.equal(aside.match(/>flood-\d+</g)?.length, 22, 'all 22 are listed in set-aside.html');
  const folders = await readdir(cases);
  t.equal(folders.filter((f) => f.startsWith('flood-')).length, 22, 'nothing deleted');
  const csv = await readFile(join(cases, 'cases.csv'), 'utf8');
  t.equal(csv.match(/"flood-\d+"/g)?.length, 22, 'the register keeps every case');

  const back = await reviewSetAside({ cases, day: BURST_DAY, undo: true }, s.io);
  t.equal(back.changed.length, 22, '--undo brings them back');
  const again = await readFile(join(cases, 'index.html'), 'utf8');
  t.equal(again.match(/>flood-\d+</g)?.length, 22, 'all in the main list again');
  t.notOk((await readdir(cases)).includes('set-aside.html'), 'set-aside.html goes when empty');

  await t.rejects(reviewSetAside({ cases, day: 'yesterday' }, s.io), { code: 'USAGE' });
  await t.rejects(reviewSetAside({ cases, day: BURST_DAY, level: 'high' }, s.io), {
    code: 'USAGE',
  });
});
