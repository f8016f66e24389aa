// The workbench in headless Chromium, as a caseworker uses it: unlock, import
// a bundle with a damaged item, find a case by a filter and by a word of its
// text, reply with a status, purge another; the outbox then holds statements
// that verify against the keyset (workbench-loop.test.ts carries them on to
// the server and the status page). axe-core on each view; screenshots saved.
import { join } from 'node:path';
import t from 'tap';
import { verifyStatement } from '../../client-crypto/index.ts';
import { readOutbox } from '../../reviewer/outbox.ts';
import { PASSPHRASE, writeBundle } from '../reviewer/fixtures.ts';
import { startBench } from '../workbench/fixtures.ts';
import { axeViolations, openBrowser, screenshot } from './harness.ts';

t.test('a caseworker imports, finds, answers and purges without a terminal', async (t) => {
  const b = await startBench(t);
  const browser = await openBrowser(t);
  const { page } = browser;
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(b.workbench.url);
  await page.fill('#passphrase', PASSPHRASE);
  await page.click('button[type=submit]');
  await page.waitForSelector('#case-count');
  t.same(await axeViolations(page), [], 'cases view');
  await screenshot(page, 'workbench-cases');

  const bundle = join(b.setup.dir, 'second.sbx');
  await writeBundle(
    bundle,
    [
      { kind: 'submission', id: 'case-new', seq: 3, received: '2026-07-01', answers: { country: 'BY' }, message: 'Searched at the border.' }, // prettier-ignore
      { kind: 'submission', id: 'case-bad', seq: 4, files: [{ name: 'a.pdf', bytes: new Uint8Array(9), corrupt: true }] }, // prettier-ignore
    ],
    b.setup.sealing,
    b.setup,
  );
  await page.click('[data-view="nav.import"]');
  await page.setInputFiles('#bundle', bundle);
  await page.click('form button[type=submit]');
  await page.waitForSelector('#import-result .warning');
  const result = await page.textContent('#import-result');
  t.match(result, /New items: 1/);
  t.match(result, /case-bad: [A-Za-z]+ [a-z]+/, 'the damaged item, with its reason in words');
  t.same(await axeViolations(page), [], 'import view');
  await screenshot(page, 'workbench-import');

  await page.click('[data-view="nav.cases"]');
  await page.selectOption('#f-country', 'NI');
  await page.click('form.filters button[type=submit]');
  await page.waitForSelector('#case-count:has-text("1 case")');
  t.same(
    await page.locator('[data-case]').allTextContents(),
    ['case-ni'],
    'short numbers grow to stay unique',
  );
  await page.selectOption('#f-country', '');
  await page.fill('#f-text', 'border');
  await page.click('form.filters button[type=submit]');
  await page.waitForSelector('[data-case="case-new"]');
  t.equal(await page.locator('[data-case]').count(), 1, 'found by a word of its message');

  await page.fill('#f-text', '');
  await page.click('form.filters button[type=submit]');
  await page.click('[data-case="case-mm"]');
  await page.waitForSelector('img.attachment[src^="blob:"]');
  t.equal(await page.locator('script').count(), 1, 'no markup of the submitter became elements');
  t.same(await axeViolations(page), [], 'case view');
  await screenshot(page, 'workbench-case');
  await page.fill('#answer-text', 'Thank you, we are looking into it.');
  await page.selectOption('#answer-status', 'in_review');
  await page.click('form[aria-labelledby=answer-heading] button[type=submit]');
  await page.waitForSelector('text=Signed and added to the outbox.');

  await page.click('[data-view="nav.cases"]');
  await page.waitForSelector('#case-count');
  t.equal(await page.textContent('p.status'), '', 'the line about the reply stays with its view');
  await page.click('[data-case="case-ni"]');
  await page.waitForSelector('button.danger');
  t.match(await page.textContent('main'), /<img src=x onerror=alert\(1\)>/, 'shown as text');
  await page.click('button.danger');
  await page.locator('li', { hasText: ': purge' }).waitFor();

  const lines = await readOutbox(join(b.cases, 'outbox.jsonl'));
  const statements = await Promise.all(lines.map((l) => verifyStatement(l, b.setup.keyset)));
  t.same(
    statements.map((s) => [s.kind, s.caseId, s.status]),
    [
      ['reply', 'case-mm', 'in_review'],
      ['purge', 'case-ni', undefined],
    ],
  );
  await page.click('[data-view="nav.outbox"]');
  await page.waitForSelector('table');
  t.match(await page.textContent('main'), /purge/);
  t.same(await axeViolations(page), [], 'outbox view');
  await screenshot(page, 'workbench-outbox');
  await page.click('[data-view="nav.figures"]');
  await page.waitForSelector('text=Cases by country');
  t.same(await axeViolations(page), [], 'figures view');
  await screenshot(page, 'workbench-figures');

  await page.selectOption('#language', 'fr');
  await page.waitForSelector('text=Chiffres');
  await screenshot(page, 'workbench-figures-fr');
  await page.click('#lock');
  await page.waitForSelector('#passphrase');
  t.notOk(b.workbench.session.unlocked, 'lock forgets the passphrase');
  t.same(browser.errors, []);
  const foreign = browser.requests.filter((r) => !r.url.startsWith(`http://127.0.0.1:${b.workbench.port}/`) && !r.url.startsWith('blob:')); // prettier-ignore
  t.same(foreign, [], 'no request to any other origin');
});
