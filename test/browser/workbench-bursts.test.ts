// A burst in headless Chromium, without a terminal: the Bursts view shows the
// day in words, "Set aside" takes its cases out of the case list (the urgent
// one stays, named with why), the list's toggle shows them marked, and
// "Bring back" returns them. axe-core on the view; screenshots saved.
import { join } from 'node:path';
import t from 'tap';
import { reviewOpen } from '../../reviewer/commands/review-open.ts';
import { PASSPHRASE, type ItemSpec, writeBundle } from '../reviewer/fixtures.ts';
import { startBench } from '../workbench/fixtures.ts';
import { axeViolations, openBrowser, screenshot } from './harness.ts';

const DAY = '2026-11-13';

t.test('a reviewer sets a burst aside and brings it back', async (t) => {
  const b = await startBench(t);
  let seq = 10;
  const items: ItemSpec[] = [
    ...Array.from({ length: 22 }, (_, i): ItemSpec => ({ kind: 'submission', id: `flood-${i}`, seq: ++seq, received: DAY, effort: 5 })), // prettier-ignore
    { kind: 'submission', id: 'danger', seq: ++seq, received: DAY, effort: 5, answers: { danger_now: 'yes' } }, // prettier-ignore
  ];
  const bundle = join(b.setup.dir, 'flood.sbx');
  await writeBundle(bundle, items, b.setup.sealing, b.setup);
  await reviewOpen({ bundle, key: b.setup.anaKey, cases: b.cases }, b.setup.io);
  const browser = await openBrowser(t);
  const { page } = browser;
  await page.goto(b.workbench.url);
  await page.fill('#passphrase', PASSPHRASE);
  await page.click('button[type=submit]');
  await page.waitForSelector('#case-count');
  t.equal(await page.locator('[data-case="flood-3"]').count(), 1, 'listed before');

  await page.click('[data-view="nav.bursts"]');
  await page.waitForSelector('#bursts-table');
  t.match(await page.textContent(`tr[data-day="${DAY}"]`), /BURST/, 'the burst said in words');
  t.notMatch(await page.textContent('tr[data-day="2026-03-04"]'), /BURST/);
  t.same(await axeViolations(page), [], 'bursts view');
  await screenshot(page, 'workbench-bursts');
  await page.click(`[data-set-aside="${DAY}"]`);
  await page.waitForSelector('#bursts-outcome');
  t.match(
    await page.textContent('#bursts-outcome'),
    /22 case\(s\) received on 2026-11-13 set aside/,
  );
  t.match(
    await page.textContent('#bursts-kept'),
    /danger — urgent/,
    'the urgent case kept, with why',
  );
  t.same(await axeViolations(page), [], 'bursts view with an outcome');

  await page.click('[data-view="nav.cases"]');
  await page.waitForSelector('#case-count');
  t.equal(await page.locator('[data-case="flood-3"]').count(), 0, 'set aside: not in the list');
  t.equal(await page.locator('[data-case="danger"]').count(), 1, 'the urgent case stays');
  await page.check('#f-set-aside');
  await page.click('form.filters button[type=submit]');
  await page.waitForSelector('[data-case="flood-3"]');
  t.match(await page.textContent('tr:has([data-case="flood-3"])'), /Set aside \(burst\)/);
  t.notMatch(await page.textContent('tr:has([data-case="danger"])'), /Set aside/);
  await screenshot(page, 'workbench-cases-set-aside');

  await page.click('[data-view="nav.bursts"]');
  await page.click(`[data-bring-back="${DAY}"]`);
  await page.waitForSelector('#bursts-outcome:has-text("are back in the case list")');
  await page.click('[data-view="nav.cases"]');
  await page.uncheck('#f-set-aside');
  await page.click('form.filters button[type=submit]');
  await page.waitForSelector('[data-case="flood-3"]');
  t.notMatch(await page.textContent('tr:has([data-case="flood-3"])'), /Set aside/, 'brought back');

  await page.selectOption('#language', 'fr');
  await page.click('[data-view="nav.bursts"]');
  await page.waitForSelector('text=AFFLUX');
  await screenshot(page, 'workbench-bursts-fr');
  t.same(browser.errors, []);
});
