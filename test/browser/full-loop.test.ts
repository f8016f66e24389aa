// The full loop, with the real tools at every step: the organisation signs a
// keyset with the `sealbox` commands and the courier publishes it; a person
// submits in Chromium; `courier pull` → `review open` → `review status` and
// `review reply` → `courier push`; the status page then shows the decrypted,
// verified reply. Then a reply that sets a status, a follow-up from the status
// page that the reviewer tool accepts as the submitter's (author key), and a
// purge that the page shows as closed and deleted. Across an epoch change: the
// reviewer makes epoch keys with `sealbox reviewer epochs`, the report is
// sealed in epoch 1 and the follow-up, the browser's clock past midnight, in
// epoch 2; the reviewer tool opens both.
import t from 'tap';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  addDays,
  envelopeRecipientIds,
  epochRecipientId,
  toBase64Url,
} from '../../client-crypto/index.ts';
import type { EpochKey } from '../../client-crypto/index.ts';
import { keyOptions } from '../../reviewer/io.ts';
import { loadSigningKey } from '../../reviewer/keys.ts';
import { reviewOpen } from '../../reviewer/commands/review-open.ts';
import { reviewerEpochs } from '../../reviewer/commands/reviewer-epochs.ts';
import { reviewStatement } from '../../reviewer/commands/review-statement.ts';
import { courierPublishKeyset, courierPush } from '../../reviewer/courier/commands.ts';
import { readOutbox } from '../../reviewer/outbox.ts';
import { courierPull } from '../../reviewer/courier/pull.ts';
import { makeOrganisation } from '../audit/organisation.ts';
import { build } from '../helper.ts';
import { tempDir, testIo } from '../reviewer/fixtures.ts';
import { axeViolations, builtPage, openBrowser, screenshot, serveWeb, today } from './harness.ts';

const REPLY = 'Thank you. We will raise this with the special rapporteur, without your name.';
const REPLY_WITH_STATUS = 'Could you tell us the date of the visit to your parents?';
const FOLLOWUP = 'CANARY-FOLLOWUP It was on the 3rd of May, in the evening.';

void t.test('submit in the page → courier → review → courier → reply in the page', async (t) => {
  const dir = await tempDir(t);
  const io = testIo();
  const p = (name: string) => join(dir, name);

  // The organisation, offline, with the real tools: a root, a reviewer (Ana),
  // a courier, a keyset (test/audit/organisation.ts).
  const org = await makeOrganisation(dir, { epochs: false });

  // The server knows only the root's fingerprint; the keyset arrives by courier.
  // The page is signed by the root, offline.
  const { dist } = await builtPage();
  const { app } = await build(t, { env: { SEALBOX_ORG_FINGERPRINT: org.fingerprint } });
  serveWeb(app, dist, await loadSigningKey(p('org.key'), 'organisation', keyOptions(io)));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const server = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const courier = { server, key: p('courier.key') };
  t.equal(await courierPublishKeyset({ ...courier, keyset: p('keyset.json') }, io), 1);

  // Ana makes her weekly keys, as if six days ago: epoch 1 ends tonight,
  // epoch 2 starts tomorrow. Their public halves go out in her outbox, and
  // `courier push` publishes them.
  const T = today();
  const made = await reviewerEpochs(
    {
      key: p('ana.key'),
      cases: p('cases'),
      ahead: 3,
      now: new Date(`${addDays(T, -6)}T12:00:00Z`),
    },
    io,
  );
  t.same(made.made, [1, 2, 3]);
  const first = await courierPush({ ...courier, outbox: join(p('cases'), 'outbox.jsonl') }, io);
  t.equal(first.epochs?.stored, 3, 'the server holds the three epoch keys');
  const epochs = await readOutbox(join(p('cases'), 'outbox.jsonl'));
  const recipientOf = async (n: number) => {
    for (const line of epochs as { payload: string }[]) {
      const key = JSON.parse(Buffer.from(line.payload, 'base64url').toString('utf8')) as EpochKey;
      if (key.epoch === n) return epochRecipientId(key);
    }
    throw new Error(`no epoch ${n}`);
  };
  const sealedTo = (envelope: Uint8Array) => envelopeRecipientIds(envelope).map(toBase64Url);

  // The person, in the browser.
  const browser = await openBrowser(t);
  const { page } = browser;
  await page.goto(server);
  await page.getByText(/keys are verified/).waitFor();
  await page.check('[data-field=un_body] input[value=universal_periodic_review]');
  await page.selectOption('[data-field=country] select', 'MM');
  await page.check('[data-field=reprisal_kinds] input[value=acts_against_family]');
  await page.check('[data-field=consent_public] input[value=no]');
  await page.check('[data-field=publicity_risk] input[value=yes]');
  await page.check('[data-field=safe_contact] input[value=status_page]');
  await page.getByLabel('Your account').fill('After I spoke in Geneva, police visited my parents.');
  await page.setInputFiles('input[type=file]', [
    { name: 'summons.txt', mimeType: 'text/plain', buffer: Buffer.from('Summons no. 42') },
  ]);
  await page.getByText('may contain hidden information').waitFor();
  await page.getByRole('button', { name: 'Lock and send' }).click();
  await page.locator('.receipt').waitFor({ timeout: 60_000 });
  const receipt = (await page.textContent('.receipt'))!.trim();
  await page.getByLabel('I have written down my receipt').check();
  await page.getByRole('button', { name: 'Finish' }).click();

  const submission = await app.sealbox.db
    .selectFrom('submissions')
    .select('envelope')
    .executeTakeFirstOrThrow();
  t.same(sealedTo(submission.envelope!), [await recipientOf(1)], 'the report is sealed in epoch 1');

  // The courier pulls; the reviewer opens on the offline machine, decides, replies.
  const pulled = await courierPull({ ...courier, out: p('bundle-1.sealbox') }, io);
  t.equal(pulled.items >= 1, true, 'the bundle holds the submission');
  const opened = await reviewOpen(
    {
      bundle: p('bundle-1.sealbox'),
      key: p('ana.key'),
      cases: p('cases'),
      keyset: p('keyset.json'),
      organisation: org.fingerprint,
    },
    io,
  );
  t.equal(opened.cases.length, 1, 'one case opened');
  t.same(opened.failed, []);
  const caseId = opened.cases[0]!;
  const cases = p('cases');
  await reviewStatement(
    { kind: 'status', status: 'in_review', caseId, key: p('ana.key'), cases },
    io,
  );
  await reviewStatement({ kind: 'reply', text: REPLY, caseId, key: p('ana.key'), cases }, io);
  const pushed = await courierPush({ ...courier, outbox: join(cases, 'outbox.jsonl') }, io);
  t.match(pushed, { applied: 2, unchanged: 0 });

  // The person comes back with the receipt.
  await page.getByRole('button', { name: 'Check a report' }).click();
  await page.getByLabel('Receipt').fill(receipt);
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.getByText(REPLY).waitFor();
  t.match(await page.textContent('.status-line'), 'Being reviewed');
  t.match(await page.textContent('.statements'), 'Ana');
  t.notMatch(await page.textContent('#status-view'), 'could not be verified');
  // Each reply says, in plain words, that it was checked against the key this page trusts.
  const keyStart = org.fingerprint.replace(/[\s-]/g, '').slice(0, 4).toUpperCase();
  t.match(
    await page.locator('.statements .verified').first().textContent(),
    `✓ Checked: signed by a reviewer of the organisation whose key this page trusts (\u2066${keyStart}-…\u2069).`,
  );
  t.same(await axeViolations(page), [], 'axe: status with the reviewer reply');
  await screenshot(page, 'status-reply-en');

  // A reply that asks for more: `review reply --status` signs the status with
  // the reply, so the page and the reviewer's folder agree on it.
  await reviewStatement(
    {
      kind: 'reply',
      status: 'needs_information',
      text: REPLY_WITH_STATUS,
      caseId,
      key: p('ana.key'),
      cases,
    },
    io,
  );
  t.match(await courierPush({ ...courier, outbox: join(cases, 'outbox.jsonl') }, io), {
    applied: 1,
    unchanged: 2,
  });
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.getByText(REPLY_WITH_STATUS).waitFor();
  t.match(await page.textContent('.status-line'), 'More information needed');

  // The person answers from the status page after midnight, in epoch 2; the
  // follow-up is signed with the receipt's author key, and the reviewer tool
  // takes it into the case, opening it with epoch 2's key.
  await page.clock.setFixedTime(new Date(`${addDays(T, 1)}T00:00:30Z`));
  await page.getByLabel('Your message').fill(FOLLOWUP);
  await page.locator('form.followup').getByRole('button', { name: 'Lock and send' }).click();
  await page.getByText('Your message has been sent').waitFor({ timeout: 30_000 });
  // Good news, said as such: a status, in the success style, not an alert.
  const sent = page.locator('form.followup .success');
  t.equal(await sent.getAttribute('role'), 'status');
  t.match(await sent.textContent(), 'Your message has been sent');
  t.ok(await page.locator('form.followup [role=alert]').isHidden(), 'no alert beside it');
  const followupRow = await app.sealbox.db
    .selectFrom('followups')
    .select('envelope')
    .executeTakeFirstOrThrow();
  t.same(sealedTo(followupRow.envelope), [await recipientOf(2)], 'the follow-up is in epoch 2');
  await courierPull({ ...courier, out: p('bundle-2.sealbox') }, io);
  const second = await reviewOpen({ bundle: p('bundle-2.sealbox'), key: p('ana.key'), cases }, io);
  t.equal(second.opened.length, 1, 'the follow-up is opened');
  t.same([second.failed, second.setAside, second.waiting], [[], [], []]);
  const caseRecord = JSON.parse(await readFile(join(cases, caseId, 'case.json'), 'utf8')) as {
    items: { kind: string; folder: string }[];
    status: string;
  };
  t.equal(caseRecord.status, 'needs_information', "the reviewer's folder has the same status");
  const followup = caseRecord.items.find((i) => i.kind === 'followup')!;
  t.equal(await readFile(join(cases, caseId, followup.folder, 'message.txt'), 'utf8'), FOLLOWUP);

  // A purge: the page shows the case as closed and deleted, and offers no follow-up.
  await reviewStatement({ kind: 'purge', caseId, key: p('ana.key'), cases }, io);
  t.match(await courierPush({ ...courier, outbox: join(cases, 'outbox.jsonl') }, io), {
    applied: 1,
    unchanged: 3,
  });
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.locator('.status-purged').waitFor();
  t.match(await page.textContent('.status-line'), 'Closed');
  t.match(await page.textContent('#status-view'), 'closed and its data has been deleted');
  t.notMatch(await page.textContent('#status-view'), 'could not be verified');
  t.equal(await page.locator('form.followup').count(), 0, 'no follow-up to a deleted case');
  await screenshot(page, 'status-purged-en');

  // The reviewer's own pages, opened from disk as the guide says: no violation
  // at all, minor ones included.
  await page.goto(pathToFileURL(join(cases, 'index.html')).href);
  t.same(await axeViolations(page, { every: true }), [], 'axe: the case list');
  await page.goto(pathToFileURL(join(cases, caseId, 'index.html')).href);
  t.match(await page.textContent('main'), FOLLOWUP);
  t.same(await axeViolations(page, { every: true }), [], 'axe: a case page');
});
