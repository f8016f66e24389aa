// The whole loop with the workbench in the reviewer's seat: two people submit
// through the page in Chromium and keep their receipts; `courier pull` makes
// the bundle; the reviewer, in the workbench's page, gives the case folder its
// first keyset, imports the bundle, finds one case by a filter and by a word
// of its message, replies with a status, purges the other, and sees that the
// outbox passes `review check-outbox`; `courier push` carries it; each person's
// status page then shows the verified reply, or the case closed and deleted.
// Before the push, the status page shows nothing of either.
import { join } from 'node:path';
import t from 'tap';
import type { Page } from 'playwright-core';
import { courierPush } from '../../reviewer/courier/commands.ts';
import { courierPull } from '../../reviewer/courier/pull.ts';
import { startWorkbench } from '../../reviewer/workbench/server.ts';
import { PASSPHRASE, tempDir } from '../reviewer/fixtures.ts';
import {
  axeViolations,
  checkStatus,
  fileReport,
  openBrowser,
  screenshot,
  startOrganisationSite,
} from './harness.ts';

const MESSAGE = 'After I spoke in Geneva, police visited my parents in Mandalay.';
const REPLY = 'Thank you. We will raise this with the special rapporteur, without your name.';

/**
 * Applies the case list's filters and waits for the list they give: each
 * answer replaces the view, so the count seen before must be gone first.
 */
async function applyFilters(bench: Page, country: string, text: string): Promise<void> {
  const before = await bench.$('#case-count');
  await bench.selectOption('#f-country', country);
  await bench.fill('#f-text', text);
  await bench.click('form.filters button[type=submit]');
  if (before) await bench.waitForFunction((e) => !e.isConnected, before);
  await bench.waitForSelector('#case-count');
}

void t.test('submit → courier pull → workbench → courier push → status page', async (t) => {
  const dir = await tempDir(t);
  const p = (name: string) => join(dir, name);
  const { org, db, server, courier } = await startOrganisationSite(t, dir);

  // Two people, in the browser.
  const browser = await openBrowser(t);
  const { page } = browser;
  const answered = await fileReport(page, server, { country: 'MM', message: MESSAGE });
  const purged = await fileReport(page, server, {
    country: 'NI',
    message: 'My passport was taken at the airport.',
  });

  // The courier pulls; the bundle goes to the offline computer.
  const bundle = p('bundle.sealbox');
  t.equal((await courierPull({ ...courier, out: bundle }, org.io)).items, 2);

  // The reviewer, in the workbench, on a case folder that does not exist yet.
  const cases = p('cases');
  const workbench = await startWorkbench({
    cases,
    key: org.reviewerKey,
    onFault: (error) => t.fail(`workbench fault: ${String(error)}`),
  });
  t.teardown(() => workbench.close());
  const bench = await browser.context.newPage();
  const benchErrors: string[] = [];
  bench.on('pageerror', (error) => benchErrors.push(error.message));
  bench.on('dialog', (dialog) => void dialog.accept());
  await bench.goto(workbench.url);
  await bench.fill('#passphrase', PASSPHRASE);
  await bench.click('button[type=submit]');
  await bench.waitForSelector('#case-count');
  t.match(await bench.textContent('#case-count'), /^0 cases?/, 'an empty folder to begin with');

  await bench.click('[data-view="nav.import"]');
  await bench.setInputFiles('#bundle', bundle);
  await bench.setInputFiles('#keyset', org.keysetFile);
  await bench.fill('#organisation', org.fingerprint);
  await bench.click('form button[type=submit]');
  await bench.waitForSelector('#import-result p');
  const imported = (await bench.textContent('#import-result'))!;
  t.match(imported, /New items: 2/);
  t.notMatch(imported, /damaged|set aside/i);
  t.same(await axeViolations(bench), [], 'import view');
  await screenshot(bench, 'workbench-loop-import');

  // The case to answer, found by its country and by a word of its message.
  await bench.click('[data-view="nav.cases"]');
  await bench.waitForSelector('#case-count');
  await applyFilters(bench, 'MM', '');
  t.match(await bench.textContent('#case-count'), /^1 case\b/);
  const byCountry = await bench.locator('[data-case]').allTextContents();
  await applyFilters(bench, '', 'mandalay');
  t.match(await bench.textContent('#case-count'), /^1 case\b/);
  t.same(await bench.locator('[data-case]').allTextContents(), byCountry, 'the same case both ways'); // prettier-ignore
  await bench.locator('[data-case]').click();
  await bench.getByText(MESSAGE).waitFor();
  await bench.fill('#answer-text', REPLY);
  await bench.selectOption('#answer-status', 'in_review');
  await bench.click('form[aria-labelledby=answer-heading] button[type=submit]');
  await bench.locator('li', { hasText: 'reply → Being reviewed' }).waitFor();

  // The other case, purged.
  await bench.click('[data-view="nav.cases"]');
  await bench.waitForSelector('#case-count');
  await applyFilters(bench, 'NI', '');
  t.match(await bench.textContent('#case-count'), /^1 case\b/);
  await bench.locator('[data-case]').click();
  await bench.getByText('My passport was taken').waitFor();
  await bench.click('button.danger');
  // The case view comes back with the purge listed (the line "Signed and added
  // to the outbox." still stands from the reply, so it proves nothing here).
  await bench.locator('li', { hasText: ': purge' }).waitFor();

  await bench.click('[data-view="nav.outbox"]');
  await bench.waitForSelector('#outbox-check');
  t.match(await bench.textContent('h1'), 'Outbox');
  t.match(
    await bench.textContent('#outbox-check'),
    /passed\. All 2 statement\(s\) and 0 epoch key\(s\) .* verify against keyset version 1/,
    'the outbox passes review check-outbox',
  );
  t.same(await axeViolations(bench), [], 'outbox view');
  await screenshot(bench, 'workbench-loop-outbox');

  // Not pushed yet: the server knows nothing of the reply or the purge.
  await checkStatus(page, server, answered);
  t.notMatch(await page.textContent('#status-view'), REPLY);
  t.equal(await page.locator('.statements .verified').count(), 0, 'no statement before the push');
  await checkStatus(page, server, purged);
  t.equal(await page.locator('.status-purged').count(), 0, 'not purged before the push');

  // The courier carries the outbox, with the function `sealbox courier push` runs.
  const pushed = await courierPush({ ...courier, outbox: join(cases, 'outbox.jsonl') }, org.io);
  t.match(pushed, { applied: 2, unchanged: 0 });

  await checkStatus(page, server, answered);
  await page.getByText(REPLY).waitFor();
  t.match(await page.textContent('.status-line'), 'Being reviewed');
  t.notMatch(await page.textContent('#status-view'), 'could not be verified');
  const keyStart = org.fingerprint.replace(/[\s-]/g, '').slice(0, 4).toUpperCase();
  t.match(
    await page.locator('.statements .verified').first().textContent(),
    `✓ Checked: signed by a reviewer of the organisation whose key this page trusts (\u2066${keyStart}-…\u2069).`,
  );
  t.same(await axeViolations(page), [], 'status page with the reply');
  await screenshot(page, 'workbench-loop-status-reply');

  await checkStatus(page, server, purged);
  await page.locator('.status-purged').waitFor();
  t.match(await page.textContent('.status-line'), 'Closed');
  t.match(await page.textContent('#status-view'), 'closed and its data has been deleted');
  t.notMatch(await page.textContent('#status-view'), 'could not be verified');
  await screenshot(page, 'workbench-loop-status-purged');
  const rows = await db
    .selectFrom('submissions')
    .select(['envelope', 'purged_on'])
    .orderBy('seq')
    .execute();
  t.same(
    rows.map((r) => [r.envelope !== null, r.purged_on !== null]),
    [
      [true, false],
      [false, true],
    ],
    'the server kept the answered case and dropped the purged one',
  );

  t.same([browser.errors, benchErrors], [[], []]);
  const sites = [server, `http://127.0.0.1:${workbench.port}`];
  const foreign = browser.requests.filter((r) => !sites.some((s) => r.url.startsWith(`${s}/`)) && !r.url.startsWith('blob:')); // prettier-ignore
  t.same(foreign, [], 'no request to any other origin');
});
