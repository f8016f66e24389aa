// The desk path, end to end with the real tools (docs/protocol.md, "Desks"): an
// organisation whose keyset, signed with `sealbox organisation sign-keyset
// --desks`, has desk A (Ana) and desk B (Ben). A person files a report in
// Chromium choosing desk A; `courier pull` → `review open`: Ana's opens it into
// a case that records desk A, Ben's counts it apart as for another desk. Ana
// replies, `courier push`; the status page shows the verified reply, and the
// follow-up the person sends goes to desk A without asking for a desk again:
// Ana's `review open` joins it to the case, Ben's does not open it. Then Ana
// hands the case to desk B (`review handover`, with the epoch keys of GET
// /v1/epochs); Ben opens the handover file and replies, and the person's next
// follow-up goes to desk B: Ben opens it, Ana does not.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import type { CaseRecord } from '../../reviewer/cases/records.ts';
import { caseName } from '../../reviewer/cases/safe-name.ts';
import { run } from '../../reviewer/cli.ts';
import { reviewOpen } from '../../reviewer/commands/review-open.ts';
import { courierPush } from '../../reviewer/courier/commands.ts';
import { courierPull } from '../../reviewer/courier/pull.ts';
import { tempDir, testIo } from '../reviewer/fixtures.ts';
import { checkStatus, fileReport, openBrowser, startOrganisationSite } from './harness.ts';

void t.test('a report to desk A, its reply, follow-ups, and a handover to desk B', async (t) => {
  const dir = await tempDir(t);
  const { org, server, courier } = await startOrganisationSite(t, dir, { desks: true });
  const anaCases = join(dir, 'ana-cases');
  const benCases = join(dir, 'ben-cases');
  const trust = ['--keyset', org.keysetFile, '--organisation', org.fingerprint];
  const ana = ['--key', org.reviewerKey, '--cases', anaCases];
  const ben = ['--key', org.benKey!, '--cases', benCases];
  let bundles = 0;
  const pull = async (items: number) => {
    const out = join(dir, `b${++bundles}.sealbox`);
    t.equal((await courierPull({ ...courier, out }, org.io)).items, items, `bundle ${bundles}`);
    return out;
  };
  /** `sealbox review …` as typed; returns what it printed. */
  const sealbox = async (...args: string[]) => {
    const io = testIo();
    t.equal(await run(args, io), 0, `${args.slice(0, 2).join(' ')}: ${io.errors.join('')}`);
    return io.lines.join('\n');
  };
  const push = async (cases: string) =>
    courierPush({ ...courier, outbox: join(cases, 'outbox.jsonl') }, org.io);
  const caseFolders = async (cases: string) =>
    (await readdir(cases).catch(() => [] as string[])).filter(
      (f) => !/\.(html|csv|jsonl|json)$/.test(f) && !f.startsWith('.'),
    );

  const browser = await openBrowser(t);
  const { page } = browser;
  const receipt = await fileReport(page, server, {
    country: 'MM',
    message: 'CANARY-DESK-A They took my passport at the airport.',
    desk: 'Treaty bodies',
  });

  // Desk A's reviewer opens it; the case records desk A everywhere it is listed.
  const b1 = await pull(1);
  const opened = await reviewOpen(
    { bundle: b1, key: org.reviewerKey, cases: anaCases, keyset: org.keysetFile, organisation: org.fingerprint }, // prettier-ignore
    org.io,
  );
  t.same([opened.cases.length, opened.failed, opened.forOtherDesks], [1, [], []]);
  const caseId = opened.cases[0]!;
  const folder = join(anaCases, caseName(caseId));
  const record = async (cases: string) =>
    JSON.parse(await readFile(join(cases, caseName(caseId), 'case.json'), 'utf8')) as CaseRecord;
  t.match((await record(anaCases)).desk, { id: 'a', names: { en: 'Treaty bodies' } });
  t.match(await readFile(join(folder, 'index.html'), 'utf8'), 'Desk: <strong dir="auto">Treaty bodies</strong>'); // prettier-ignore
  t.match(await readFile(join(anaCases, 'index.html'), 'utf8'), 'Treaty bodies');
  // After the byte-order mark, every cell is quoted, and none here holds a quote of its own.
  const [header, row] = (await readFile(join(anaCases, 'cases.csv'), 'utf8'))
    .replace(/^\ufeff/, '')
    .split('\r\n')
    .map((line) => line.slice(1, -1).split('","'));
  t.equal(row![header!.indexOf('desk')], 'Treaty bodies', 'cases.csv names desk A');
  const submission = (await record(anaCases)).items[0]!;
  t.match(await readFile(join(folder, submission.folder, 'message.txt'), 'utf8'), 'CANARY-DESK-A'); // prettier-ignore

  // Desk B's reviewer: counted apart as for another desk, and no case.
  t.match(await sealbox('review', 'open', b1, ...ben, ...trust), '1 item(s) went to desks you are not in.'); // prettier-ignore
  t.same(await caseFolders(benCases), [], 'desk B adopts nothing');

  // Ana replies; the person's status page shows the verified reply.
  const replyA = join(dir, 'reply-a.txt');
  await writeFile(replyA, 'CANARY-REPLY-A We have your report and will write again.');
  await sealbox('review', 'reply', caseId, '--text-file', replyA, ...ana);
  t.match(await push(anaCases), { applied: 1 });
  await checkStatus(page, server, receipt);
  await page.getByText('CANARY-REPLY-A').waitFor();
  t.match(await page.locator('.statements .verified').first().textContent(), '✓ Checked: signed by a reviewer of the organisation'); // prettier-ignore
  t.notMatch(await page.textContent('#status-view'), 'could not be verified');

  // The follow-up: no desk to choose, since the reply names desk A.
  const followUp = async (message: string) => {
    await page.locator('form.followup').waitFor();
    t.equal(await page.locator('#status-view [data-field=desk]').count(), 0, 'no desk asked for');
    await page.getByLabel('Your message').fill(message);
    await page.locator('form.followup').getByRole('button', { name: 'Lock and send' }).click();
    await page.getByText('Your message has been sent.').waitFor({ timeout: 60_000 });
  };
  await followUp('CANARY-FOLLOWUP-A The officer came back.');
  const b2 = await pull(1);
  const joined = await reviewOpen({ bundle: b2, key: org.reviewerKey, cases: anaCases }, org.io);
  t.same([joined.opened.length, joined.failed, joined.forOtherDesks], [1, [], []]);
  const items = (await record(anaCases)).items;
  t.same(items.map((i) => i.kind), ['submission', 'followup'], 'joined to the case'); // prettier-ignore
  t.match(await readFile(join(folder, items[1]!.folder, 'message.txt'), 'utf8'), 'CANARY-FOLLOWUP-A'); // prettier-ignore
  t.match(await sealbox('review', 'open', b2, ...ben), '1 item(s) went to desks you are not in.');
  t.same(await caseFolders(benCases), [], 'desk B still holds no case');

  // Ana hands the case to desk B, sealed to the epoch keys the server serves.
  const epochs = join(dir, 'epochs.json');
  await writeFile(epochs, await (await fetch(`${server}/v1/epochs`)).text());
  const handover = join(dir, 'handover.json');
  await sealbox('review', 'handover', caseId, '--to', 'b', '--consent-recorded', 'Agreed in a follow-up.', '--epoch-keys', epochs, '--out', handover, ...ana); // prettier-ignore
  t.equal((await record(anaCases)).desk?.id, 'b', "Ana's copy says the case is with desk B");
  const adopted = await reviewOpen({ bundle: handover, key: org.benKey!, cases: benCases }, org.io);
  t.same(adopted.cases, [caseId], 'desk B adopts the handed case');
  t.match(await record(benCases), { desk: { id: 'b' }, handovers: [{ from: 'a', to: 'b' }] });
  const replyB = join(dir, 'reply-b.txt');
  await writeFile(replyB, 'CANARY-REPLY-B Your case is with the special procedures now.');
  await sealbox('review', 'reply', caseId, '--text-file', replyB, ...ben);
  t.match(await push(benCases), { applied: 1 });
  await checkStatus(page, server, receipt);
  await page.getByText('CANARY-REPLY-B').waitFor();

  // The next follow-up goes to desk B: Ben opens it, Ana cannot.
  await followUp('CANARY-FOLLOWUP-B They called my sister.');
  const b3 = await pull(1);
  const toB = await reviewOpen({ bundle: b3, key: org.benKey!, cases: benCases }, org.io);
  t.same([toB.opened.length, toB.failed, toB.forOtherDesks], [1, [], []]);
  const benItems = (await record(benCases)).items;
  t.same(benItems.map((i) => i.kind), ['submission', 'followup', 'followup']); // prettier-ignore
  t.match(
    await readFile(join(benCases, caseName(caseId), benItems[2]!.folder, 'message.txt'), 'utf8'),
    'CANARY-FOLLOWUP-B',
  );
  t.match(await sealbox('review', 'open', b3, ...ana), '1 item(s) went to desks you are not in.');
  t.equal((await record(anaCases)).items.length, 2, "nothing joins Ana's copy");

  t.same(browser.errors, []);
  const foreign = browser.requests.filter((r) => !r.url.startsWith(`${server}/`));
  t.same(foreign, [], 'no request to any other origin');
});
