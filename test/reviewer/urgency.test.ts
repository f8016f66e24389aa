// Urgent cases first: a person who said they are in danger now is at the top of
// index.html and cases.csv with a visible mark, after a real open of a bundle;
// a case that did not say so carries no mark, whatever order it came in.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { indexPage } from '../../reviewer/cases/html.ts';
import type { CaseRecord } from '../../reviewer/cases/records.ts';
import { registerCsv } from '../../reviewer/cases/register-csv.ts';
import { triage, triageOrder } from '../../reviewer/cases/triage.ts';
import { reviewOpen } from '../../reviewer/commands/review-open.ts';
import { type ItemSpec, makeSetup, tempDir, writeBundle } from './fixtures.ts';

function record(id: string, received: string, answers: CaseRecord['answers']): CaseRecord {
  return {
    format: 'sealbox-case-v1',
    caseId: id,
    received,
    lastActivity: received,
    locale: 'en',
    form: 'reprisal_report@1',
    answers,
    replyPublicKey: '',
    authorPublicKey: '',
    status: 'received',
    items: [],
    statements: [],
  };
}

/** The case names of cases.csv in row order (the first cell of each row). */
function csvOrder(csv: string): string[] {
  return csv
    .split('\r\n')
    .slice(1, -1)
    .map((line) => /^"([^"]*)"/.exec(line)![1]!);
}

t.test('an urgent case sorts first and only it is marked', (t) => {
  const calm = record('calm-one', '2026-01-01', { country: 'FR', danger_now: 'no' });
  const unsure = record('unsure-two', '2026-01-02', { danger_now: 'unsure' });
  const danger = record('danger-three', '2026-02-01', {
    country: 'BY',
    danger_now: 'yes',
    support_needed: ['relocation', 'legal'],
  });
  const day = '2026-03-01';
  t.same(
    triageOrder([calm, unsure, danger], day).map((o) => o.record.caseId),
    ['danger-three', 'calm-one', 'unsure-two'],
  );
  t.equal(triage(calm, day).urgent, false);
  t.equal(triage(unsure, day).urgent, false, '"I do not know" is not urgent by itself');
  t.equal(triage(danger, day).urgent, true);

  const index = indexPage([calm, unsure, danger], day);
  const rows = index.split('<tr>').slice(2);
  t.equal(rows.length, 3);
  t.match(rows[0], /class="urgent">URGENT<\/span> in danger now/);
  t.match(rows[0], /danger-three/);
  for (const row of rows.slice(1)) t.notMatch(row, /URGENT/, 'no mark on a calm case');
  t.match(index, /3 case\(s\), 1 urgent/);

  const csv = registerCsv([calm, unsure, danger], day);
  t.same(csvOrder(csv), ['danger-three', 'calm-one', 'unsure-two']);
  t.match(csv, /"urgent","Yes","Relocation; Legal"/);
  t.notMatch(csv.split('\r\n')[2]!, /"urgent"/);
  t.end();
});

t.test(
  'after a real open, the urgent submission is first in index.html and cases.csv',
  async (t) => {
    const dir = await tempDir(t);
    const s = await makeSetup(dir);
    const cases = join(dir, 'cases');
    const items: ItemSpec[] = [
      { kind: 'submission', id: 'early-calm', seq: 1, received: '2026-03-01', answers: {} },
      {
        kind: 'submission',
        id: 'late-danger',
        seq: 2,
        received: '2026-03-05',
        answers: { danger_now: 'yes', support_needed: ['urgent_monitoring'] },
      },
    ];
    const bundle = join(dir, 'b.sbx');
    await writeBundle(bundle, items, s.sealing, s);
    const report = await reviewOpen(
      { bundle, key: s.anaKey, cases, keyset: s.keysetFile, organisation: s.orgFingerprint },
      s.io,
    );
    t.same(report.failed, []);
    const index = await readFile(join(cases, 'index.html'), 'utf8');
    t.ok(index.indexOf('late-danger') < index.indexOf('early-calm'), 'urgent listed first');
    t.equal(index.match(/URGENT/g)?.length, 1, 'one mark only');
    const csv = await readFile(join(cases, 'cases.csv'), 'utf8');
    t.same(csvOrder(csv), ['late-danger', 'early-calm']);
    const page = await readFile(join(cases, 'late-danger', 'index.html'), 'utf8');
    t.match(page, /URGENT/);
    t.match(page, /Support needed/);
    t.match(page, /Urgent monitoring/);
    t.notMatch(await readFile(join(cases, 'early-calm', 'index.html'), 'utf8'), /URGENT/);
  },
);
