// The safety check-in, end to end with the real tools: two people file reports
// in Chromium through the default form, both "not in danger right now", so no
// case is urgent; `courier pull` → `review open`; the reviewer asks both for a
// sign of life (`sealbox review checkin CASE --every 14d`) and `courier push`
// carries the replies; on the status page one person clicks "Please contact me",
// the other "Confirm". The next `courier pull` → `review open` makes the first
// case urgent (first in index.html and cases.csv, with its reason, and in
// `review checkins`) and leaves the other one calm, until the reviewer writes
// back (`review reply`). The person's page says nothing alarming
// (docs/threat-model.md), and the server holds ciphertext only.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import type { Page } from 'playwright-core';
import type { CaseRecord } from '../../reviewer/cases/records.ts';
import { caseName } from '../../reviewer/cases/safe-name.ts';
import { run } from '../../reviewer/cli.ts';
import { reviewOpen } from '../../reviewer/commands/review-open.ts';
import { courierPush } from '../../reviewer/courier/commands.ts';
import { courierPull } from '../../reviewer/courier/pull.ts';
import { tempDir, testIo } from '../reviewer/fixtures.ts';
import {
  axeViolations,
  checkStatus,
  fileReport,
  openBrowser,
  screenshot,
  startOrganisationSite,
  today,
} from './harness.ts';

// The words docs/threat-model.md keeps off the person's page.
const ALARMING = /danger|safe|alive|help|emergenc|missed|urgent/i;

/** The case lists: index.html's rows, and cases.csv's rows by column name, in their order. */
async function listed(cases: string) {
  const index = await readFile(join(cases, 'index.html'), 'utf8');
  // After the byte-order mark, every cell is quoted, and none here holds a quote of its own.
  const [header, ...lines] = (await readFile(join(cases, 'cases.csv'), 'utf8'))
    .replace(/^\ufeff/, '')
    .split('\r\n')
    .slice(0, -1)
    .map((line) => line.slice(1, -1).split('","'));
  return {
    rows: index.split('<tr>').slice(2),
    csv: lines.map((cells) => Object.fromEntries(header!.map((name, i) => [name, cells[i]]))),
    order: (ids: string[]) => ids.map((id) => index.indexOf(caseName(id))),
  };
}

/** Answers the check-in on the status page and waits for its thanks. */
async function answerCheckin(page: Page, button: 'Confirm' | 'Please contact me') {
  const section = page.locator('section.checkin');
  await section.getByRole('button', { name: button, exact: true }).click();
  await section.locator('.success').getByText('Thank you. Sent on').waitFor({ timeout: 30_000 });
  return section;
}

void t.test('status page "Please contact me" → courier → review: the case is urgent', async (t) => {
  const dir = await tempDir(t);
  const cases = join(dir, 'cases');
  const { org, db, server, courier } = await startOrganisationSite(t, dir);
  const reviewer = ['--key', org.reviewerKey, '--cases', cases];
  const day = today();

  const browser = await openBrowser(t);
  const { page } = browser;
  const receipts: Record<string, string> = {
    MM: await fileReport(page, server, { country: 'MM', message: 'Police at my door.', dangerNow: 'no' }), // prettier-ignore
    NI: await fileReport(page, server, { country: 'NI', message: 'My passport was taken.', dangerNow: 'no' }), // prettier-ignore
  };

  t.equal((await courierPull({ ...courier, out: join(dir, 'b1.sealbox') }, org.io)).items, 2);
  const first = await reviewOpen(
    {
      bundle: join(dir, 'b1.sealbox'),
      key: org.reviewerKey,
      cases,
      keyset: org.keysetFile,
      organisation: org.fingerprint,
    },
    org.io,
  );
  t.same([first.cases.length, first.failed], [2, []]);
  const countryOf: Record<string, string> = {};
  for (const id of first.cases) {
    const record = JSON.parse(await readFile(join(cases, id, 'case.json'), 'utf8')) as CaseRecord;
    t.equal(record.answers.danger_now, 'no', 'not in danger now, as the person answered');
    countryOf[id] = String(record.answers.country);
  }
  const before = await listed(cases);
  t.notMatch(before.rows.join(''), /URGENT/, 'no case is urgent at first');
  t.same(
    before.csv.map((row) => row.urgent),
    ['', ''],
    'nor in cases.csv',
  );
  // The person who asks for contact is the one whose case is listed second, so
  // that "first in the list" can only come from the call.
  const [calmId, helpId] = [...first.cases].sort((a, b) => {
    const [x, y] = before.order([a, b]);
    return x! - y!;
  }) as [string, string];

  // The reviewer asks both for a sign of life every 14 days; the courier carries it.
  for (const id of [helpId, calmId]) {
    const io = testIo();
    t.equal(await run(['review', 'checkin', id, '--every', '14d', ...reviewer], io), 0, io.errors.join('')); // prettier-ignore
  }
  const pushed = await courierPush({ ...courier, outbox: join(cases, 'outbox.jsonl') }, org.io);
  t.match(pushed, { applied: 2, unchanged: 0 });
  const waiting = testIo();
  t.equal(await run(['review', 'checkins', '--cases', cases], waiting), 0);
  t.notMatch(waiting.lines.join('\n'), /URGENT|OVERDUE/, 'asked, not yet due, nothing urgent');

  // The person who needs contact, on the status page with the receipt.
  await checkStatus(page, server, receipts[countryOf[helpId]!]!);
  const section = page.locator('section.checkin');
  await section.waitFor();
  t.equal(await section.locator('h3').textContent(), 'Confirm');
  t.same(await section.getByRole('button').allTextContents(), ['Confirm', 'Please contact me']);
  t.notMatch(await page.locator('#status-view').innerText(), ALARMING, 'nothing alarming before');
  await answerCheckin(page, 'Please contact me');
  const view = await page.locator('#status-view').innerText();
  t.match(view, 'Thank you. Sent on');
  t.notMatch(view, ALARMING, 'nothing alarming after the call');
  t.ok(await section.locator('[role=alert]').isHidden(), 'a thank-you, not an alert');
  t.equal(await section.locator('.success').getAttribute('role'), 'status');
  t.same(await axeViolations(page), [], 'axe: status page after "Please contact me"');
  await screenshot(page, 'checkin-contact-me');
  // Coming back later shows the same dull page: no trace of the call.
  await checkStatus(page, server, receipts[countryOf[helpId]!]!);
  await section.waitFor();
  t.notMatch(await page.locator('#status-view').innerText(), ALARMING, 'nothing alarming later');

  // The other person confirms.
  await checkStatus(page, server, receipts[countryOf[calmId]!]!);
  await answerCheckin(page, 'Confirm');

  // The server holds two sealed follow-ups, alike in size, with no word of either answer.
  const rows = await db.selectFrom('followups').selectAll().execute();
  t.equal(rows.length, 2);
  t.equal(rows[0]!.envelope.length, rows[1]!.envelope.length, 'help and fine look the same');
  for (const row of rows) {
    const envelope = Buffer.from(row.envelope);
    for (const word of ['help', 'fine', 'checkin', 'answers']) {
      t.notOk(envelope.includes(word), `no "${word}" in the stored envelope`);
    }
    const rest = JSON.stringify({ ...row, envelope: undefined }, (_k, v: unknown) =>
      typeof v === 'bigint' ? String(v) : v,
    );
    t.notMatch(rest, /help|fine|checkin/i, 'nor in its other columns');
  }

  // The next bundle: the call makes its case urgent, first everywhere, with its reason.
  await courierPull({ ...courier, out: join(dir, 'b2.sealbox') }, org.io);
  const second = await reviewOpen(
    { bundle: join(dir, 'b2.sealbox'), key: org.reviewerKey, cases },
    org.io,
  );
  t.equal(second.opened.length, 2, 'both answers opened');
  t.same([second.failed, second.setAside, second.waiting], [[], [], []]);
  const after = await listed(cases);
  const reason = `asked for help at a check-in on ${day}`;
  t.match(after.rows[0], caseName(helpId), 'the case that called is first in index.html');
  t.match(after.rows[0], `URGENT</span> ${reason}`);
  t.notMatch(after.rows[1], /URGENT/, 'the confirmed case is not urgent');
  t.match(
    after.csv,
    [
      { case: caseName(helpId), urgent: 'urgent', danger_now: 'No', help_requested: day },
      { case: caseName(calmId), urgent: '', danger_now: 'No', help_requested: '', last_sign_of_life: day, checkin_overdue: 'no' }, // prettier-ignore
    ],
    'cases.csv: the call first, urgent for the day of its call; the confirmed case calm',
  );
  const casePage = (id: string) => readFile(join(cases, caseName(id), 'index.html'), 'utf8');
  t.match(await casePage(helpId), reason, "the case's own page says why it is urgent");
  t.notMatch(await casePage(calmId), /URGENT/);
  const checkins = testIo();
  t.equal(await run(['review', 'checkins', '--cases', cases], checkins), 0);
  t.equal(checkins.lines.length, 2);
  t.match(checkins.lines[0], `${caseName(helpId)}  URGENT: ${reason}`);
  t.match(checkins.lines[1], caseName(calmId));
  t.match(checkins.lines[1], `check-in due by`);
  t.match(checkins.lines[1], `last sign of life ${day}`);
  t.notMatch(checkins.lines[1], /URGENT|OVERDUE/);

  // Writing back answers the call: after the next round the mark is gone.
  const answer = join(dir, 'answer.txt');
  await writeFile(answer, 'We will call you today on the number you gave us.');
  const io = testIo();
  t.equal(await run(['review', 'reply', helpId, '--text-file', answer, ...reviewer], io), 0, io.errors.join('')); // prettier-ignore
  t.match(await courierPush({ ...courier, outbox: join(cases, 'outbox.jsonl') }, org.io), {
    applied: 1,
  });
  await courierPull({ ...courier, out: join(dir, 'b3.sealbox') }, org.io);
  const third = await reviewOpen(
    { bundle: join(dir, 'b3.sealbox'), key: org.reviewerKey, cases },
    org.io,
  );
  t.same([third.opened, third.failed, third.setAside], [[], [], []], 'nothing new');
  t.notMatch((await listed(cases)).rows.join(''), /URGENT/, 'no longer urgent');
  const later = testIo();
  t.equal(await run(['review', 'checkins', '--cases', cases], later), 0);
  t.notMatch(later.lines.join('\n'), /URGENT/);
  await checkStatus(page, server, receipts[countryOf[helpId]!]!);
  await page.getByText('We will call you today').waitFor();

  t.same(browser.errors, []);
  const foreign = browser.requests.filter((r) => !r.url.startsWith(`${server}/`));
  t.same(foreign, [], 'no request to any other origin');
});
