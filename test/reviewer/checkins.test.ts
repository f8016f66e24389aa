// Safety check-ins: a reply asks for a sign of life every N days (sealed, so
// the server sees a reply like any other); a case without one in time is
// flagged overdue with the day of the last sign of life, a timely one is not;
// "please contact me" (a follow-up answering "help") comes back through a
// bundle and makes the case urgent until the reviewer writes again.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { readStatementAsSubmitter, verifyStatement } from '../../client-crypto/index.ts';
import type { CaseRecord } from '../../reviewer/cases/records.ts';
import { checkinState, triage } from '../../reviewer/cases/triage.ts';
import { reviewCheckins } from '../../reviewer/commands/review-checkins.ts';
import { reviewOpen } from '../../reviewer/commands/review-open.ts';
import { reviewStatement } from '../../reviewer/commands/review-statement.ts';
import { run } from '../../reviewer/cli.ts';
import { readOutbox } from '../../reviewer/outbox.ts';
import { type ItemSpec, makeSetup, tempDir, testIo, writeBundle } from './fixtures.ts';

function record(received: string, followUps: string[], every?: number, since?: string): CaseRecord {
  return {
    format: 'sealbox-case-v1',
    caseId: 'c1',
    received,
    lastActivity: received,
    locale: 'en',
    form: 'reprisal_report@1',
    answers: {},
    replyPublicKey: '',
    authorPublicKey: '',
    status: 'received',
    items: followUps.map((date, i) => ({
      itemId: `f${i}`,
      kind: 'followup',
      date,
      folder: `0${i + 2}-follow-up-${date}`,
      attachments: [],
    })),
    statements: [],
    ...(every !== undefined ? { checkin: { every, since: since ?? received } } : {}),
  };
}

t.test('overdue is flagged with the last sign of life; timely is not', (t) => {
  const timely = record('2026-01-01', ['2026-01-20'], 14, '2026-01-05');
  t.same(checkinState(timely, '2026-02-03'), {
    every: 14,
    lastSignOfLife: '2026-01-20',
    due: '2026-02-03',
    overdue: false,
  });
  const late = checkinState(timely, '2026-02-04');
  t.equal(late?.overdue, true, 'one day past the rhythm');
  t.equal(late?.lastSignOfLife, '2026-01-20');
  // A set-aside item is not a sign of life from the person.
  const setAside = record('2026-01-01', ['2026-01-30'], 14, '2026-01-02');
  setAside.items[0]!.flag = 'repeated';
  t.equal(checkinState(setAside, '2026-01-20')?.overdue, true);
  t.equal(checkinState(record('2026-01-01', []), '2030-01-01'), null, 'no request, no flag');
  t.equal(triage(timely, '2026-02-04').urgent, false, 'overdue is not urgent by itself');
  t.end();
});

t.test(
  'check-in request, "please contact me" through a bundle, urgent, then answered',
  async (t) => {
    const dir = await tempDir(t);
    const s = await makeSetup(dir);
    const cases = join(dir, 'cases');
    const submission: ItemSpec = {
      kind: 'submission',
      id: 'case-ci',
      seq: 2,
      received: '2027-03-01',
      answers: { danger_now: 'no' },
    };
    const other: ItemSpec = { kind: 'submission', id: 'case-zz', seq: 1, received: '2027-02-01' };
    await writeBundle(join(dir, 'b1.sbx'), [other, submission], s.sealing, s);
    await reviewOpen(
      {
        bundle: join(dir, 'b1.sbx'),
        key: s.anaKey,
        cases,
        keyset: s.keysetFile,
        organisation: s.orgFingerprint,
      },
      s.io,
    );

    await reviewStatement(
      {
        kind: 'reply',
        caseId: 'case-ci',
        checkin: 14,
        key: s.anaKey,
        cases,
        now: new Date('2027-03-02T10:00:00Z'),
      },
      s.io,
    );
    const [signed] = await readOutbox(join(cases, 'outbox.jsonl'));
    const outer = await verifyStatement(signed, s.keyset);
    t.equal(outer.kind, 'reply', 'the server sees a reply, nothing more');
    t.notMatch(JSON.stringify(signed), /checkin/, 'the rhythm is sealed');
    const seen = await readStatementAsSubmitter(signed, s.keyset, s.replyKeyPair, 'case-ci');
    t.equal(seen.checkin, 14, 'the status page learns the rhythm');
    t.match(seen.text, /confirm/);
    t.notMatch(seen.text, /danger|help|alive|safe/i, 'plain words');

    // Nothing from the person for more than 14 days: overdue, listed, not urgent.
    const io = testIo();
    const lines = await reviewCheckins({ cases, now: new Date('2027-03-20T12:00:00Z') }, io);
    t.equal(lines.length, 1);
    t.equal(lines[0]!.triage.checkin?.overdue, true);
    t.match(
      io.lines.join('\n'),
      /CHECK-IN OVERDUE since 2027-03-16 .*last sign of life 2027-03-01/,
    );
    const index = await readFile(join(cases, 'index.html'), 'utf8');
    t.match(index, /Check-in overdue<\/span> since 2027-03-16, last sign of life 2027-03-01/);
    t.ok(index.indexOf('case-ci') < index.indexOf('case-zz'), 'overdue before the rest');

    // "Please contact me": a follow-up signed by the receipt, in the next bundle.
    const help: ItemSpec = {
      kind: 'followup',
      id: 'fu-help',
      caseId: 'case-ci',
      seq: 3,
      received: '2027-03-21',
      answers: { checkin: 'help' },
      message: '',
    };
    await writeBundle(join(dir, 'b2.sbx'), [other, submission, help], s.sealing, s);
    const opened = await reviewOpen({ bundle: join(dir, 'b2.sbx'), key: s.benKey, cases }, s.io);
    t.same(opened.opened, ['fu-help']);
    const after = await readFile(join(cases, 'index.html'), 'utf8');
    t.match(after, /URGENT<\/span> asked for help at a check-in on 2027-03-21/);
    t.equal(after.match(/URGENT/g)?.length, 1, 'only that case');
    const csv = await readFile(join(cases, 'cases.csv'), 'utf8');
    t.match(csv.split('\r\n')[1]!, /^"case-ci".*"urgent".*"2027-03-21","14","2027-03-21"/);

    // Writing back to the person takes the mark away; the check-in goes on.
    await reviewStatement(
      { kind: 'reply', caseId: 'case-ci', text: 'We will call you.', key: s.anaKey, cases },
      s.io,
    );
    t.notMatch(await readFile(join(cases, 'index.html'), 'utf8'), /URGENT/);
  },
);

t.test('the command line reads --every and refuses nonsense', async (t) => {
  const io = testIo();
  t.not(
    await run(['review', 'checkin', 'x', '--every', 'two weeks', '--key', 'k', '--cases', 'c'], io),
    0,
  );
  t.match(io.errors.join(''), /--every is a number of days from 0 to 365/);
  const io2 = testIo();
  t.not(
    await run(['review', 'checkin', 'x', '--every', '400d', '--key', 'k', '--cases', 'c'], io2),
    0,
  );
  t.match(io2.errors.join(''), /--every/);
});
