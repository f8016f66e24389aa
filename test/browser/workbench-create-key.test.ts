// Step 1 of the reviewer guide without a terminal: the workbench started on a
// key file that does not exist yet offers to create it, shows the fingerprint
// to write on paper and hands over the card; the session is then unlocked.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { parseReviewerCard } from '../../client-crypto/index.ts';
import { reviewerFingerprint } from '../../reviewer/keys.ts';
import { startWorkbench } from '../../reviewer/workbench/server.ts';
import { tempDir } from '../reviewer/fixtures.ts';
import { axeViolations, openBrowser, screenshot } from './harness.ts';

process.env.SEALBOX_KEYFILE_COST = 'test';
const PASSPHRASE = 'four unrelated words here';

t.test('a caseworker creates the reviewer key from the page', async (t) => {
  const dir = await tempDir(t);
  const wb = await startWorkbench({ cases: join(dir, 'cases'), key: join(dir, 'my.key') });
  t.teardown(() => wb.close());
  const { page } = await openBrowser(t);
  await page.goto(wb.url);
  await page.waitForSelector('#key-name');
  t.equal(await page.inputValue('#key-name'), 'Reviewer');
  t.match(await page.textContent('#key-name-warning'), /never your own name/);
  t.match(await page.textContent('main'), /my-card\.json/, 'the page says where the card goes');
  t.same(await axeViolations(page), [], 'create-key view');

  await page.fill('#key-name', 'Reviewer 2');
  await page.fill('#key-passphrase', PASSPHRASE);
  await page.fill('#key-again', 'something else entirely');
  await page.click('main button[type=submit]');
  await page.waitForSelector('.status.problem:has-text("differ")');
  await page.fill('#key-again', PASSPHRASE);
  await page.click('main button[type=submit]');
  await page.waitForSelector('#fingerprint');

  const card = parseReviewerCard(JSON.parse(await readFile(join(dir, 'my-card.json'), 'utf8')));
  t.equal(card.name, 'Reviewer 2');
  t.equal(await page.textContent('#fingerprint'), await reviewerFingerprint(card.kem, card.sign));
  t.ok(wb.session.unlocked);
  t.same(await axeViolations(page), [], 'key created view');
  await screenshot(page, 'workbench-key-created');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('text=Save a copy of the card'),
  ]);
  t.equal(download.suggestedFilename(), 'my-card.json');
  await page.click('text=Continue to the cases');
  await page.waitForSelector('#case-count');
});
