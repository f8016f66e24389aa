// After intake, in headless Chromium, without a terminal: write report
// summaries (a name field only where the person said "yes"), ask for
// check-ins and see them listed, draft the annual report and save it (the
// summary in it, never the canary name of an anonymised case), make the
// weekly keys. axe-core on each view; screenshots saved.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import {
  EPOCH_KEY_FORMAT,
  readStatementAsSubmitter,
  verifyEpochKey,
} from '../../client-crypto/index.ts';
import { reviewOpen } from '../../reviewer/commands/review-open.ts';
import { readOutbox } from '../../reviewer/outbox.ts';
import { PASSPHRASE, writeBundle } from '../reviewer/fixtures.ts';
import { startBench } from '../workbench/fixtures.ts';
import { axeViolations, openBrowser, screenshot } from './harness.ts';

const CANARY = 'CANARY-NAME-Zarifa-Qoraeva';

t.test('a caseworker sets a check-in, writes summaries and saves the report', async (t) => {
  const b = await startBench(t);
  const bundle = join(b.setup.dir, 'anon.sbx');
  await writeBundle(
    bundle,
    [
      { kind: 'submission', id: 'case-an', seq: 3, received: '2026-06-02', answers: { country: 'BY', affected: CANARY, consent_public: 'anonymised' }, message: `I am ${CANARY}.` }, // prettier-ignore
    ],
    b.setup.sealing,
    b.setup,
  );
  await reviewOpen({ bundle, key: b.setup.anaKey, cases: b.cases }, b.setup.io);
  const browser = await openBrowser(t);
  const { page } = browser;
  await page.goto(b.workbench.url);
  await page.fill('#passphrase', PASSPHRASE);
  await page.click('button[type=submit]');
  await page.waitForSelector('#case-count');

  const summaryForm = 'form[aria-labelledby=summary-heading]';
  await page.click('[data-case="case-ni"]');
  await page.waitForSelector('#summary-name');
  await page.fill('#summary-text', 'Passport seized at the airport.');
  await page.fill('#summary-name', 'Ales B.');
  await page.click(`${summaryForm} button[type=submit]`);
  await page.waitForSelector('text=Summary saved.');
  t.match(await page.textContent('#summary-listed'), /lists this case/);
  t.equal(await page.inputValue('#summary-name'), 'Ales B.', 'the saved name shown to correct');
  t.same(await axeViolations(page), [], 'case view with check-ins and summary');
  await screenshot(page, 'workbench-case-protection');

  await page.click('[data-view="nav.cases"]');
  await page.click('[data-case="case-an"]');
  await page.waitForSelector('#summary-text');
  t.equal(await page.locator('#summary-name').count(), 0, 'no name field without consent to be named'); // prettier-ignore
  t.match(await page.textContent(summaryForm), /only without names/);
  await page.fill('#summary-text', 'A defender was threatened by phone.');
  await page.click(`${summaryForm} button[type=submit]`);
  // "Summary saved." still shows from case-ni: wait for this case's own page.
  await page.waitForSelector('#summary-listed:has-text("lists this case")');

  await page.click('[data-view="nav.cases"]');
  await page.click('[data-case="case-mm"]');
  await page.waitForSelector('#checkin-every');
  t.match(await page.textContent('#checkin-state'), /No check-ins/);
  await page.fill('#checkin-every', '14');
  await page.click('form[aria-labelledby=checkin-heading] button[type=submit]');
  await page.waitForSelector('#checkin-state:has-text("every 14 days")');
  await page.waitForSelector('.status:has-text("Signed and added to the outbox.")');

  await page.click('[data-view="nav.checkins"]');
  await page.waitForSelector('[data-checkin-case="case-mm"]');
  t.match(await page.textContent('main'), /due by .* \(every 14 days\); last sign of life 2026-03-04/); // prettier-ignore
  t.same(await axeViolations(page), [], 'check-ins view');
  await screenshot(page, 'workbench-checkins');

  await page.click('[data-view="nav.report"]');
  await page.waitForSelector('#report-from');
  await page.fill('#report-from', '2026-06-01');
  await page.fill('#report-to', '2026-01-01');
  await page.click('form.filters button[type=submit]');
  await page.waitForSelector('.status.problem');
  t.match(await page.textContent('.status'), /comes after/, 'a backwards period refused in words');
  await page.fill('#report-from', '2026-01-01');
  await page.fill('#report-to', '2026-12-31');
  await page.click('form.filters button[type=submit]');
  await page.waitForSelector('#report-count');
  t.match(await page.textContent('#report-count'), /3 case\(s\) counted .*2 in the case list, 1 left out/); // prettier-ignore
  t.same(await axeViolations(page), [], 'report view');
  await screenshot(page, 'workbench-report');
  const saved: Record<string, string> = {};
  for (const file of ['en.md', 'fr.csv']) {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click(`[data-download="${file}"]`),
    ]);
    t.equal(download.suggestedFilename(), `report-2026-01-01-2026-12-31.${file}`);
    saved[file] = await readFile(await download.path(), 'utf8');
  }
  for (const text of Object.values(saved)) {
    t.match(text, /Passport seized at the airport\./, 'the summary is in the report');
    t.match(text, /Ales B\./, 'with the name the person allowed');
    t.match(text, /A defender was threatened by phone\./);
    t.notMatch(text, CANARY, 'never the canary name');
  }
  t.match(saved['en.md'], /\*\*Anonymised\*\* \(case-an\)/);
  t.match(saved['fr.csv'], /non_repris_car/, 'the French CSV');

  await page.click('[data-view="nav.keys"]');
  await page.fill('#keys-ahead', '10');
  await page.click('form button[type=submit]');
  await page.waitForSelector('#keys-reach');
  t.match(await page.textContent('#keys-reach'), /Your keys now reach until \d{4}-\d{2}-\d{2}/);
  t.same(await axeViolations(page), [], 'weekly keys view');
  await screenshot(page, 'workbench-weekly-keys');

  await page.selectOption('#language', 'fr');
  await page.click('[data-view="nav.report"]');
  await page.waitForSelector('text=Projet de rapport annuel');
  await screenshot(page, 'workbench-report-fr');

  const lines = await readOutbox(join(b.cases, 'outbox.jsonl'));
  const [checkin, ...keys] = lines;
  const read = await readStatementAsSubmitter(checkin, b.setup.keyset, b.setup.replyKeyPair, 'case-mm'); // prettier-ignore
  t.equal(read.checkin, 14, 'the status page will ask every 14 days');
  t.ok(keys.length > 0 && keys.every((k) => (k as { format?: string }).format === EPOCH_KEY_FORMAT)); // prettier-ignore
  for (const key of keys) await verifyEpochKey(key, b.setup.keyset);
  t.same(browser.errors, []);
  const foreign = browser.requests.filter((r) => !r.url.startsWith(`http://127.0.0.1:${b.workbench.port}/`) && !r.url.startsWith('blob:')); // prettier-ignore
  t.same(foreign, [], 'no request to any other origin');
});
