// Reviewer epoch keys in Chromium against the real server. The page seals to
// the epoch key of its own day, on either side of a boundary and when it was
// left open over midnight (the browser's clock is driven, the server's is
// today's); the stored envelope opens with that epoch's key and no other. With
// the weekly keys out of date the page offers no form and says why, and offers
// it once they are published. When the server refuses the epoch key used, the
// page seals again to freshly fetched keys and sends once more, the uploaded
// file staying as it was; refused twice, it says so and keeps the answers.
// Replies stay readable with no epoch key at all.
import t, { type Test } from 'tap';
import type { Page } from 'playwright-core';
import {
  type KemKeyPair,
  addDays,
  createStatement,
  fromBase64Url,
  openDocument,
} from '../../client-crypto/index.ts';
import { insertStatement } from '../../server/db/statements.ts';
import { storeEpochs } from '../helper.ts';
import { type TestEpoch, makeEpoch } from '../epochs.ts';
import {
  type Browser,
  type Site,
  axeViolations,
  fillRequired,
  openBrowser,
  screenshot,
  startSite,
  today,
} from './harness.ts';

const T = today();
const at = (day: string, time: string) => new Date(`${day}T${time}Z`);
const ring = (epoch: TestEpoch): KemKeyPair[] => [epoch.keyPair];

/** Every text the progress line showed from now on, in order. */
async function recordSteps(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { sealboxSteps: string[] }).sealboxSteps = seen;
    new MutationObserver(() => {
      for (const line of document.querySelectorAll('.progress [role=status]')) {
        const text = line.textContent ?? '';
        if (text && seen.at(-1) !== text) seen.push(text);
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  return () => page.evaluate(() => (window as unknown as { sealboxSteps: string[] }).sealboxSteps);
}

/** Opens the page, answers, sends, and returns the receipt. */
async function submitReport(browser: Browser, site: Site, message: string): Promise<string> {
  const { page } = browser;
  await page.goto(site.url);
  await page.getByText(/keys are verified/).waitFor();
  await fillRequired(page);
  await page.getByLabel('Your account').fill(message);
  await page.getByRole('button', { name: 'Lock and send' }).click();
  await page.locator('.receipt').waitFor({ timeout: 60_000 });
  return (await page.textContent('.receipt'))!.trim();
}

/** The envelopes of the stored submissions, oldest first. */
async function storedEnvelopes(site: Site): Promise<Uint8Array[]> {
  const rows = await site.app.sealbox.db
    .selectFrom('submissions')
    .select(['envelope', 'seq'])
    .orderBy('seq')
    .execute();
  return rows.map((r) => r.envelope!);
}

/** Which of `epochs` opens `envelope`: exactly one must. */
async function sealedTo(t: Test, envelope: Uint8Array, epochs: TestEpoch[]): Promise<number[]> {
  const found: number[] = [];
  for (const epoch of epochs) {
    const opened = await openDocument(envelope, ring(epoch));
    if (opened) {
      t.same(opened.openedWith, epoch.keyPair.publicKey, `opened with epoch ${epoch.epoch}`);
      found.push(epoch.epoch);
    }
  }
  return found;
}

void t.test('across a boundary, the page seals to the epoch of its own day', async (t) => {
  const site = await startSite(t, { epochs: false });
  const { reviewer } = site.trust;
  // Epoch 1 ends tonight (its last day is today); epoch 2 starts tomorrow.
  const one = await makeEpoch(reviewer, 1, addDays(T, -6), addDays(T, 1));
  const two = await makeEpoch(reviewer, 2, addDays(T, 1), addDays(T, 8));
  await storeEpochs(site.app.sealbox.db, [one, two]);

  // A minute before midnight: epoch 1.
  const before = await openBrowser(t);
  await before.page.clock.setFixedTime(at(T, '23:59:00'));
  await submitReport(before, site, 'sealed late on the last day of epoch 1');

  // A page opened before midnight and sent after it: the keys are fetched
  // again when it seals, and it is epoch 2.
  const across = await openBrowser(t);
  const { page } = across;
  await page.clock.setFixedTime(at(T, '23:58:30'));
  await page.goto(site.url);
  await page.getByText(/keys are verified/).waitFor();
  await fillRequired(page);
  await page.getByLabel('Your account').fill('written before midnight, sent after it');
  await page.clock.setFixedTime(at(addDays(T, 1), '00:00:30'));
  await page.getByRole('button', { name: 'Lock and send' }).click();
  await page.locator('.receipt').waitFor({ timeout: 60_000 });

  const envelopes = await storedEnvelopes(site);
  t.equal(envelopes.length, 2, 'the server took both');
  t.same(await sealedTo(t, envelopes[0]!, [one, two]), [1], 'before midnight: epoch 1 only');
  t.same(await sealedTo(t, envelopes[1]!, [one, two]), [2], 'after midnight: epoch 2 only');
  const [first, second] = await Promise.all(
    envelopes.map(async (e) => (await openDocument(e, [...ring(one), ...ring(two)]))!.document),
  );
  t.equal(first!.message, 'sealed late on the last day of epoch 1');
  t.equal(second!.message, 'written before midnight, sent after it');
  t.same([before.errors, across.errors], [[], []], 'no uncaught error in the pages');
});

void t.test(
  'weekly keys out of date: no form, a reason, and the form once they are back',
  async (t) => {
    const site = await startSite(t, { epochs: false });
    const { reviewer } = site.trust;
    // The server still serves a key that ended yesterday (ends >= today - 1), but
    // no page may seal to it any more.
    await storeEpochs(site.app.sealbox.db, [
      await makeEpoch(reviewer, 1, addDays(T, -8), addDays(T, -1)),
    ]);
    const browser = await openBrowser(t);
    const { page } = browser;
    await page.goto(site.url);
    const alert = page.locator('#submit-view > [role=alert]');
    await alert.getByText('weekly keys').waitFor();
    const text = await alert.textContent();
    t.match(text, "this page could not verify the organisation's keys");
    t.match(text, "the organisation's weekly keys are out of date");
    t.match(text, 'Nothing has been sent');
    t.match(text, 'come back later');
    t.match(text, 'does not save what you type');
    t.equal(await page.locator('#submit-view form').isHidden(), true, 'no form to fill in');
    t.same(await axeViolations(page), [], 'axe: weekly keys out of date');
    await screenshot(page, 'no-epoch-en');
    t.same(
      browser.requests.filter((r) => r.method !== 'GET' || r.url.includes('/v1/challenge')),
      [],
      'nothing sent, not even a challenge fetched',
    );

    // The same in Arabic, right to left.
    await page.selectOption('#language', 'ar');
    await page.locator('html[dir=rtl]').waitFor();
    t.match(await alert.textContent(), 'المفاتيح الأسبوعية');
    t.same(await axeViolations(page), [], 'axe: weekly keys out of date, Arabic');
    await page.selectOption('#language', 'en');

    // This week's key is published: "Try again" brings the form.
    await storeEpochs(site.app.sealbox.db, [
      await makeEpoch(reviewer, 2, addDays(T, -1), addDays(T, 6)),
    ]);
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByText(/keys are verified/).waitFor();
    t.equal(await page.locator('#submit-view form').isVisible(), true, 'the form is offered');
  },
);

void t.test('refused once: sealed again to fresh keys and sent, the file kept', async (t) => {
  const site = await startSite(t);
  const { reviewer } = site.trust;
  const stored = site.trust.epochs[0]!;
  // A genuine key of the reviewer that the server does not take (a cache in
  // front of it served an epochs list it no longer holds): it started after
  // the stored one, so the page prefers it.
  const unknown = await makeEpoch(reviewer, 7, addDays(T, -1), addDays(T, 6));
  const browser = await openBrowser(t);
  const { page } = browser;
  let refused = 0;
  await page.route('**/v1/submissions', async (route) => {
    const response = await route.fetch();
    if (response.status() === 409) refused += 1;
    await route.fulfill({ response });
  });
  await page.route('**/v1/epochs', (route) =>
    refused
      ? route.continue()
      : route.fulfill({ json: { epochs: [stored.signed, unknown.signed] } }),
  );
  await page.goto(site.url);
  await page.getByText(/keys are verified/).waitFor();
  const steps = await recordSteps(page);
  await fillRequired(page);
  await page.getByLabel('Your account').fill('sealed twice, sent once');
  await page.setInputFiles('input[type=file]', [
    { name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('a note') },
  ]);
  await page.getByText('may contain hidden information').waitFor();
  await page.getByRole('button', { name: 'Lock and send' }).click();
  await page.locator('.receipt').waitFor({ timeout: 90_000 });

  t.equal(refused, 1, 'the server refused the first seal');
  const posts = (path: string) =>
    browser.requests.filter((r) => r.method === 'POST' && new URL(r.url).pathname === path);
  t.equal(posts('/v1/submissions').length, 2, 'sent twice');
  t.equal(posts('/v1/uploads').length, 1, 'the file was uploaded once');
  const shown = await steps();
  const again = shown.indexOf('The weekly keys have just changed. Locking your report again…');
  t.ok(again > shown.indexOf('Locking your report…'), `the steps say so: ${shown.join(' | ')}`);
  t.ok(shown.lastIndexOf('Sending your report…') > again, 'and then send');

  const [envelope] = await storedEnvelopes(site);
  t.same(await sealedTo(t, envelope!, [stored, unknown]), [stored.epoch], 'to the stored key');
  const opened = await openDocument(envelope!, ring(stored));
  if (opened?.document.kind !== 'submission') return t.fail('not a submission');
  t.equal(opened.document.message, 'sealed twice, sent once');
  t.equal(opened.document.attachments.length, 1, 'the file is in the document');
  const upload = await site.app.sealbox.db
    .selectFrom('uploads')
    .select('id')
    .where('id', '=', opened.document.attachments[0]!.uploadId)
    .executeTakeFirst();
  t.ok(upload, 'and it is the upload the server holds');
  t.same(browser.errors, [], 'no uncaught error in the page');
});

void t.test('refused twice: the page says why and keeps the answers', async (t) => {
  const site = await startSite(t, { epochs: false });
  const { reviewer } = site.trust;
  // A device two days ahead: it seals to the epoch starting then, which the
  // server (today) does not take yet; fetched again, the keys say the same.
  const one = await makeEpoch(reviewer, 1, addDays(T, -5), addDays(T, 2));
  const two = await makeEpoch(reviewer, 2, addDays(T, 2), addDays(T, 9));
  await storeEpochs(site.app.sealbox.db, [one, two]);
  const browser = await openBrowser(t);
  const { page } = browser;
  await page.clock.setFixedTime(at(addDays(T, 2), '12:00:00'));
  await page.goto(site.url);
  await page.getByText(/keys are verified/).waitFor();
  await fillRequired(page);
  await page.getByLabel('Your account').fill('still here after two refusals');
  await page.getByRole('button', { name: 'Lock and send' }).click();
  const alert = page.locator('#submit-view form').getByRole('alert');
  await alert.getByText('weekly keys have just changed').waitFor({ timeout: 90_000 });
  t.match(await alert.textContent(), 'so it was not sent');
  t.match(await alert.textContent(), 'Your answers are still here');
  t.equal(
    browser.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/v1/submissions')).length,
    2,
    'sent twice, no more',
  );
  t.equal(await page.getByLabel('Your account').inputValue(), 'still here after two refusals');
  t.equal(
    await page.getByRole('button', { name: 'Lock and send' }).isEnabled(),
    true,
    'it can be sent again',
  );
  t.equal((await storedEnvelopes(site)).length, 0, 'no case was stored');
  t.same(await axeViolations(page), [], 'axe: refused twice');
  await screenshot(page, 'epoch-refused-en');
});

void t.test('replies stay readable with no epoch key at all', async (t) => {
  const site = await startSite(t);
  const db = site.app.sealbox.db;
  const browser = await openBrowser(t);
  const { page } = browser;
  const receipt = await submitReport(browser, site, 'a report that will get a reply');
  const [envelope] = await storedEnvelopes(site);
  const opened = (await openDocument(envelope!, ring(site.trust.epochs[0]!)))!;
  if (opened.document.kind !== 'submission') return t.fail('not a submission');
  const row = await db.selectFrom('submissions').selectAll().executeTakeFirstOrThrow();
  const reply = await createStatement(
    {
      caseId: row.case_id,
      replyPublicKey: fromBase64Url(opened.document.replyPublicKey),
      kind: 'reply',
      text: 'We read your report. Stay safe.',
    },
    site.trust.reviewer,
    site.trust.keyset,
  );
  await insertStatement(db, {
    id: 'st-1',
    submissionSeq: row.seq,
    kind: 'reply',
    signed: JSON.stringify(reply),
    statedOn: T,
  });
  // Every epoch key is gone from the server: nothing can be sealed any more.
  await db.deleteFrom('epoch_keys').execute();

  await page.goto(`${site.url}/status.html`);
  await page.getByRole('textbox', { name: 'Receipt' }).fill(receipt);
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.getByText('We read your report. Stay safe.').waitFor();
  t.notMatch(await page.textContent('#status-view'), 'could not be verified');
  t.same(await axeViolations(page), [], 'axe: reply read without epoch keys');

  // A follow-up cannot be sealed: said plainly, and the message stays.
  await page.getByLabel('Your message').fill('one more thing');
  await page.locator('form.followup').getByRole('button', { name: 'Lock and send' }).click();
  const alert = page.locator('form.followup').getByRole('alert');
  await alert.getByText('weekly keys are out of date').waitFor();
  t.equal(await page.getByLabel('Your message').inputValue(), 'one more thing');
  t.notOk(
    browser.requests.some((r) => r.url.endsWith('/v1/followups')),
    'no follow-up was sent',
  );
  t.same(await axeViolations(page), [], 'axe: follow-up refused');
  t.same(browser.errors, [], 'no uncaught error in the page');
});
