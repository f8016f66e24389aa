// review report: a canary name in an anonymised case never appears in any of
// the four outputs; every case of the period is counted exactly once; a name
// is refused where consent is not "yes"; wrong dates get a clear error.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { reviewOpen } from '../../reviewer/commands/review-open.ts';
import { reviewReport, reviewSummary } from '../../reviewer/commands/review-report.ts';
import { run } from '../../reviewer/cli.ts';
import { type ItemSpec, makeSetup, tempDir, testIo, writeBundle } from './fixtures.ts';

const CANARY = 'CANARY-NAME-Zarifa-Qoraeva';

t.test('the draft names only the consenting and counts each case once', async (t) => {
  const dir = await tempDir(t);
  const s = await makeSetup(dir);
  const cases = join(dir, 'cases');
  const spec = (
    id: string,
    seq: number,
    received: string,
    answers: ItemSpec['answers'],
    message = `Message of ${id}`,
  ): ItemSpec => ({ kind: 'submission', id, seq, received, answers, message });
  const items = [
    spec('named', 1, '2026-02-01', {
      country: 'BY',
      un_body: 'special_procedures',
      reprisal_kinds: ['travel_ban'],
      consent_public: 'yes',
      publicity_risk: 'no',
    }),
    spec(
      'anon',
      2,
      '2026-02-10',
      {
        country: 'BY',
        un_body: 'treaty_bodies',
        reprisal_kinds: ['threats', 'surveillance'],
        affected: CANARY,
        consent_public: 'anonymised',
      },
      `I am ${CANARY}.`,
    ),
    spec('refused', 3, '2026-03-05', { country: 'VE', consent_public: 'no' }, CANARY),
    spec('risky', 4, '2026-03-06', { consent_public: 'yes', publicity_risk: 'yes' }),
    spec('silent', 5, '2026-03-07', {}),
    spec('outside', 6, '2025-12-31', { consent_public: 'yes' }),
  ];
  await writeBundle(join(dir, 'b.sbx'), items, s.sealing, s);
  await reviewOpen(
    {
      bundle: join(dir, 'b.sbx'),
      key: s.anaKey,
      cases,
      keyset: s.keysetFile,
      organisation: s.orgFingerprint,
    },
    s.io,
  );
  await reviewSummary(
    { cases, caseId: 'named', text: 'Passport seized at the airport.', name: 'Ales B.' },
    s.io,
  );
  await t.rejects(
    reviewSummary({ cases, caseId: 'anon', text: 'Threatened by phone.', name: CANARY }, s.io),
    /did not consent to be named \(consent: anonymised\)/,
  );
  await t.rejects(
    reviewSummary({ cases, caseId: 'refused', text: 'x', name: 'Someone' }, s.io),
    /did not consent to be named/,
  );
  await reviewSummary({ cases, caseId: 'anon', text: 'A defender was threatened by phone.' }, s.io);
  await reviewSummary({ cases, caseId: 'refused', text: 'Should never be printed.' }, s.io);

  const draft = await reviewReport({ cases, from: '2026-01-01', to: '2026-12-31' }, s.io);
  t.equal(draft.files.length, 4);
  const outputs = await Promise.all(draft.files.map((f) => readFile(f, 'utf8')));
  for (const [i, text] of outputs.entries()) {
    t.notOk(text.includes(CANARY), `no canary in ${draft.files[i]}`);
    t.notOk(text.includes('Should never be printed'), 'no summary of a refused case');
    t.notOk(text.includes('outside'), 'a case outside the period is not there');
    for (const id of ['named', 'anon', 'refused', 'risky', 'silent']) {
      t.equal(text.split(id).length - 1, 1, `${id} appears exactly once`);
    }
  }
  const [enMd, enCsv, frMd] = outputs;
  t.match(enMd, /5 case\(s\) received from 2026-01-01 to 2026-12-31/);
  t.match(enMd, /\*\*Ales B\.\*\* \(named\): Passport seized/);
  t.match(enMd, /\*\*Anonymised\*\* \(anon\): A defender/);
  t.match(enMd, /refused: the person did not consent/);
  t.match(enMd, /risky: the person said publicity would put someone at more risk/);
  t.match(enMd, /silent: the person did not answer the consent question/);
  t.match(enMd, /\| Belarus \| 2 \|/);
  t.match(enMd, /\| 2026-03 \| 3 \|/);
  t.match(enCsv, /"anon","yes","","A defender was threatened by phone.",""/);
  t.match(frMd, /5 cas reçu\(s\) du 2026-01-01 au 2026-12-31/);
  t.match(frMd, /\*\*Anonymisé\*\* \(anon\)/);
  t.same(draft.cases.map((c) => [c.caseId, c.included, c.reason ?? '']).sort(), [
    ['anon', true, ''],
    ['named', true, ''],
    ['refused', false, 'no_consent'],
    ['risky', false, 'risk'],
    ['silent', false, 'no_answer'],
  ]);
});

t.test('wrong dates get a clear error', async (t) => {
  for (const [from, to, message] of [
    ['2026-02-30', '2026-03-01', /--from must be a real date written YYYY-MM-DD, not "2026-02-30"/],
    ['2026-01-01', '31/12/2026', /--to must be a real date/],
    ['2026-06-01', '2026-01-01', /--from \(2026-06-01\) comes after --to \(2026-01-01\)/],
  ] as const) {
    const io = testIo();
    const code = await run(['review', 'report', '--from', from, '--to', to, '--cases', 'x'], io);
    t.not(code, 0);
    t.match(io.errors.join(''), message);
  }
});
