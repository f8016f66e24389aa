// Check-ins, report summaries, the report draft and the weekly keys through
// the workbench's API over real HTTP: the commands' own rules (a rhythm in
// days, a name only where the person said "yes", real dates in order), signed
// statements and epoch keys that verify as the server will verify them, and
// a canary name in an anonymised case that never reaches a download.
import { join } from 'node:path';
import t from 'tap';
import {
  EPOCH_KEY_FORMAT,
  isoDate,
  readStatementAsSubmitter,
  verifyEpochKey,
  verifyStatement,
} from '../../client-crypto/index.ts';
import { readOutbox } from '../../reviewer/outbox.ts';
import { PASSPHRASE, writeBundle } from '../reviewer/fixtures.ts';
import { type Bench, call, postJson, startBench } from './fixtures.ts';

const CANARY = 'CANARY-NAME-Zarifa-Qoraeva';
const DAY = 86_400_000;

/** A case whose person consented only to anonymised reporting, with a canary name in it. */
async function importAnonymised(b: Bench): Promise<void> {
  const bytes = await writeBundle(
    join(b.setup.dir, 'anon.sbx'),
    [
      {
        kind: 'submission',
        id: 'case-an',
        seq: 3,
        received: '2026-06-02',
        answers: { country: 'BY', affected: CANARY, consent_public: 'anonymised' },
        message: `I am ${CANARY}.`,
      },
    ],
    b.setup.sealing,
    b.setup,
  );
  const imported = await call(b.workbench, '/api/import', { method: 'POST', body: bytes });
  if (imported.status !== 200) throw new Error(imported.body.toString());
}

t.test('check-ins: signed with the session, overdue flagged, timely not', async (t) => {
  // The keyset is issued today: the clock runs from today on.
  let now = new Date(Date.now() + DAY);
  const asked = isoDate(now);
  const b = await startBench(t, { now: () => now });
  const wb = b.workbench;
  const locked = await postJson(wb, '/api/cases/case-mm/checkin', { every: '14d' });
  t.equal(locked.status, 401);
  t.equal(locked.json().error?.code, 'PASSPHRASE_MISSING');
  await postJson(wb, '/api/unlock', { passphrase: PASSPHRASE });

  for (const every of ['two weeks', '400', '-1', '1.5']) {
    const bad = await postJson(wb, '/api/cases/case-mm/checkin', { every });
    t.equal(bad.status, 400, every);
    t.match(bad.json().error?.message, /The rhythm is a number of days from 0 to 365/);
  }
  t.equal((await postJson(wb, '/api/cases/case-mm/checkin', {})).status, 400, 'no rhythm');
  t.equal((await postJson(wb, '/api/cases/case-zz/checkin', { every: 14 })).status, 404);
  t.equal((await call(wb, '/api/cases/%E0%A4%A/protection')).status, 400, 'a broken number');

  t.equal((await postJson(wb, '/api/cases/case-mm/checkin', { every: '14d' })).status, 200);
  const own = 'Please confirm here when you can.';
  const ni = await postJson(wb, '/api/cases/case-ni/checkin', { every: 30, text: own });
  t.equal(ni.status, 200, ni.body.toString());
  const lines = await readOutbox(join(b.cases, 'outbox.jsonl'));
  t.equal(lines.length, 2);
  const reads = [];
  for (const [i, caseId] of ['case-mm', 'case-ni'].entries()) {
    t.equal(
      (await verifyStatement(lines[i], b.setup.keyset)).kind,
      'reply',
      'a reply to the server',
    );
    reads.push(await readStatementAsSubmitter(lines[i], b.setup.keyset, b.setup.replyKeyPair, caseId)); // prettier-ignore
  }
  t.same(
    reads.map((r) => r.checkin),
    [14, 30],
    'the status page learns the rhythm',
  );
  t.match(reads[0]!.text, /confirm on this page about every 14 days/, "the command's plain words");
  t.equal(reads[1]!.text, own);

  now = new Date(now.getTime() + 20 * DAY);
  const { rows } = (await call(wb, '/api/checkins')).json() as unknown as {
    rows: { name: string; checkin: { overdue: boolean; lastSignOfLife: string } | null }[];
  };
  t.same(rows.map((r) => [r.name, r.checkin?.overdue]), [['case-mm', true], ['case-ni', false]]); // prettier-ignore
  t.equal(rows[0]!.checkin?.lastSignOfLife, '2026-03-04', 'with the last sign of life');
  const mm = (await call(wb, '/api/cases/case-mm/protection')).json();
  t.equal(mm.checkinSince, asked);
  t.match(mm.checkin, { every: 14, overdue: true });

  t.equal((await postJson(wb, '/api/cases/case-mm/checkin', { every: '0' })).status, 200, '0 stops'); // prettier-ignore
  t.equal((await call(wb, '/api/cases/case-mm/protection')).json().checkin, null);
  const after = (await call(wb, '/api/checkins')).json().rows as { name: string }[];
  t.same(
    after.map((r) => r.name),
    ['case-ni'],
  );
});

t.test('summaries: a name only where the person said yes, as the command line', async (t) => {
  const b = await startBench(t);
  const wb = b.workbench;
  await postJson(wb, '/api/unlock', { passphrase: PASSPHRASE });
  await importAnonymised(b);
  const summary = (c: string, body: Record<string, string>) =>
    postJson(wb, `/api/cases/${c}/summary`, body);

  const refused = await summary('case-mm', { text: 'Followed in Geneva.', name: 'Someone' });
  t.equal(refused.status, 400);
  t.match(refused.json().error?.message, /did not consent to be named \(consent: no\)/);
  const canary = await summary('case-an', { text: 'Threatened.', name: CANARY });
  t.equal(canary.status, 400);
  t.match(canary.json().error?.message, /consent: anonymised/);
  t.equal((await summary('case-an', { text: 'Threatened.', name: '' })).status, 400, 'not even empty'); // prettier-ignore
  t.equal((await summary('case-ni', { text: '   ' })).status, 400, 'an empty summary');
  t.equal((await postJson(wb, '/api/cases/case-ni/summary', { text: 3 })).status, 400);

  t.equal((await summary('case-an', { text: 'A defender was threatened by phone.' })).status, 200);
  t.equal((await summary('case-ni', { text: 'Passport seized at the airport.', name: 'Ales B.' })).status, 200); // prettier-ignore
  t.equal((await summary('case-mm', { text: 'Should never be printed.' })).status, 200);

  const ni = (await call(wb, '/api/cases/case-ni/protection')).json();
  t.match(ni, { consent: 'yes', summary: 'Passport seized at the airport.', summaryName: 'Ales B.', report: { included: true } }); // prettier-ignore
  const an = (await call(wb, '/api/cases/case-an/protection')).json();
  t.match(an, { consent: 'anonymised', summaryName: null, report: { included: true } });
  const mm = (await call(wb, '/api/cases/case-mm/protection')).json();
  t.match(mm, { consent: 'no', report: { included: false, reason: 'no_consent' } });
  t.equal((await call(wb, '/api/cases/case-zz/protection')).status, 404);
});

t.test('the report draft: four downloads, bound by consent; bad ranges refused', async (t) => {
  const b = await startBench(t);
  const wb = b.workbench;
  await postJson(wb, '/api/unlock', { passphrase: PASSPHRASE });
  await importAnonymised(b);
  await postJson(wb, '/api/cases/case-an/summary', { text: 'A defender was threatened.' });
  await postJson(wb, '/api/cases/case-ni/summary', { text: 'Passport seized.', name: 'Ales B.' });
  await postJson(wb, '/api/cases/case-mm/summary', { text: 'Should never be printed.' });

  const period = 'from=2026-01-01&to=2026-12-31';
  const preview = (await call(wb, `/api/report?${period}`)).json();
  t.equal(preview.counted, 3, 'every case of the period counted once');
  t.same(
    (preview.cases as { caseName: string; included: boolean; name?: string; reason?: string }[])
      .map((c) => [c.caseName, c.included, c.name ?? '', c.reason ?? ''])
      .sort(),
    [
      ['case-an', true, '', ''],
      ['case-mm', false, '', 'no_consent'],
      ['case-ni', true, 'Ales B.', ''],
    ],
  );
  t.notMatch(JSON.stringify(preview), new RegExp(`${CANARY}|never be printed`));

  for (const file of ['en.md', 'fr.md', 'en.csv', 'fr.csv']) {
    const r = await call(wb, `/api/report.${file}?${period}`);
    t.equal(r.status, 200, file);
    t.equal(r.headers['content-disposition'], `attachment; filename="report-2026-01-01-2026-12-31.${file}"`); // prettier-ignore
    t.equal(r.headers['content-security-policy'], 'sandbox');
    const text = r.body.toString('utf8');
    t.match(text, /Passport seized\./);
    t.match(text, /Ales B\./);
    t.match(text, /A defender was threatened\./);
    t.notMatch(text, CANARY, 'the canary never appears');
    t.notMatch(text, /Should never be printed/);
  }
  t.match((await call(wb, `/api/report.fr.md?${period}`)).body.toString(), /Anonymisé/);

  for (const [query, message] of [
    ['from=2026-02-30&to=2026-03-01', /"From" must be a real date written YYYY-MM-DD, not "2026-02-30"/],
    ['from=2026-01-01&to=31/12/2026', /"Until" must be a real date/],
    ['from=2026-06-01&to=2026-01-01', /"From" \(2026-06-01\) comes after "Until" \(2026-01-01\)/],
    ['to=2026-01-01', /"From" must be a real date/],
  ] as const) {
    for (const path of ['/api/report', '/api/report.en.csv']) {
      const bad = await call(wb, `${path}?${query}`);
      t.equal(bad.status, 400, `${path}?${query}`);
      t.match(bad.json().error?.message, message);
    }
  } // prettier-ignore
  t.equal((await call(wb, `/api/report.de.md?${period}`)).status, 404, 'English and French only');
});

t.test('weekly keys: made with the session, published in the outbox', async (t) => {
  const b = await startBench(t);
  const wb = b.workbench;
  const locked = await postJson(wb, '/api/epochs', {});
  t.equal(locked.status, 401);
  await postJson(wb, '/api/unlock', { passphrase: PASSPHRASE });
  for (const [body, message] of [
    [{ ahead: 0 }, /--ahead must be a whole number from 1 to 104/],
    [{ ahead: 'many' }, /"Weeks ahead" must be a whole number/],
    [{ grace: 1 }, /--grace must be a whole number from 2/],
  ] as const) {
    const bad = await postJson(wb, '/api/epochs', body);
    t.equal(bad.status, 400, JSON.stringify(body));
    t.match(bad.json().error?.message, message);
  }
  const made = await postJson(wb, '/api/epochs', { ahead: '12', days: '', grace: '' });
  t.equal(made.status, 200, made.body.toString());
  const { report, lines } = made.json() as unknown as {
    report: { made: number[]; published: number; reachesUntil: string };
    lines: string[];
  };
  t.ok(report.made.length > 0, 'keys for the weeks beyond the first eight');
  t.ok(report.reachesUntil > isoDate(new Date(Date.now() + 11 * 7 * DAY)));
  t.match(lines.join('\n'), /Your keys now reach until/);
  const outbox = await readOutbox(join(b.cases, 'outbox.jsonl'));
  const keys = outbox.filter((l) => (l as { format?: string }).format === EPOCH_KEY_FORMAT);
  t.equal(keys.length, report.published);
  for (const key of keys) await verifyEpochKey(key, b.setup.keyset);
  const view = (await call(wb, '/api/outbox')).json().lines as { kind: string }[];
  t.ok(view.length > 0 && view.every((l) => l.kind === 'epoch-key'), 'the outbox view lists them');
  t.ok(wb.session.unlocked, 'the key file rewritten, the session goes on');
  t.equal((await postJson(wb, '/api/cases/case-ni/checkin', { every: 7 })).status, 200);
});
