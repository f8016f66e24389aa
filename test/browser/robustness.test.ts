// The page fails closed and keeps going where it safely can: a keyset signed by
// another root seals nothing, and the status page says so as a trust failure (not
// as a network error) before the lookup token leaves it; without WebAssembly (Tor Browser "Safer") a report
// still goes through on libsodium's pure-JS build; a dropped connection during an
// upload is retried and resumed from the parts the server already holds.
import t from 'tap';
import { generateOrganisationKey, generateReceipt } from '../../client-crypto/index.ts';
import { axeViolations, fillRequired, openBrowser, screenshot, startSite } from './harness.ts';

void t.test('a keyset signed by another root: the page refuses and sends nothing', async (t) => {
  const other = await generateOrganisationKey();
  const site = await startSite(t, { pin: other });
  const browser = await openBrowser(t);
  const { page } = browser;
  await page.goto(site.url);
  const alert = page.getByRole('alert').filter({ hasText: 'could not verify' });
  await alert.waitFor();
  t.match(await alert.textContent(), 'not signed by the organisation');
  t.equal(await page.locator('#submit-view form').isHidden(), true, 'no form to fill in');
  t.same(await axeViolations(page), [], 'axe: refusal state');
  await screenshot(page, 'refused-en');
  const writes = browser.requests.filter((r) => r.method !== 'GET');
  t.same(writes, [], 'no write request at all');
  t.notOk(
    browser.requests.some((r) => r.url.includes('/v1/challenge')),
    'not even a challenge was fetched',
  );
});

void t.test(
  'status page, keyset signed by another root: a trust failure, not a network error',
  async (t) => {
    const other = await generateOrganisationKey();
    const site = await startSite(t, { pin: other });
    const browser = await openBrowser(t);
    const { page } = browser;
    await page.goto(`${site.url}/status.html`);
    await page.getByRole('textbox', { name: 'Receipt' }).fill(await generateReceipt());
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    const alert = page
      .locator('#status-view')
      .getByRole('alert')
      .filter({ hasText: 'could not verify' });
    await alert.waitFor();
    const text = await alert.textContent();
    t.match(
      text,
      "this page could not verify the organisation's keys",
      'the words of the submit page',
    );
    t.match(text, 'not signed by the organisation', 'and why');
    t.notMatch(
      await page.textContent('#status-view'),
      /connection|try again/i,
      'not a network error',
    );
    t.equal(
      await page.getByRole('textbox', { name: 'Receipt' }).getAttribute('aria-invalid'),
      null,
      'the receipt is not blamed',
    );
    t.same(await axeViolations(page), [], 'axe: status refusal');
    await screenshot(page, 'status-refused-en');
    t.notOk(
      browser.requests.some((r) => r.url.includes('/v1/status')),
      'the lookup token was never sent',
    );
  },
);

void t.test(
  'without WebAssembly, with a dropped connection: the report still arrives',
  async (t) => {
    const site = await startSite(t);
    const browser = await openBrowser(t, { noWasm: true });
    const { page } = browser;
    // The first part is lost on the way (connection reset before the server sees it);
    // the second reaches the server but its answer is lost.
    let puts = 0;
    await page.route('**/v1/uploads/*/parts/*', async (route) => {
      puts += 1;
      if (puts === 1) return route.abort('connectionreset');
      if (puts === 3) {
        await route.fetch();
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await page.goto(site.url);
    await page.getByText(/keys are verified/).waitFor({ timeout: 60_000 });
    t.same(
      await page.evaluate(() => [
        typeof globalThis.WebAssembly,
        document.documentElement.dataset.sodium,
      ]),
      ['undefined', 'js'],
      'the pure-JS build was loaded',
    );
    await fillRequired(page);
    await page.getByLabel('Your account').fill('sent from a browser without WebAssembly');
    await page.setInputFiles('input[type=file]', [
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.alloc(1_300_000, 'n') },
    ]);
    await page.getByText('may contain hidden information').waitFor();
    await page.getByRole('button', { name: 'Lock and send' }).click();
    await page.getByText('The connection was lost').waitFor({ timeout: 60_000 });
    await page.locator('.receipt').waitFor({ timeout: 120_000 });
    // Part 0 twice; part 1 once: the server had it, so it was not sent again.
    t.equal(puts, 3, 'three PUTs for two parts');
    const asked = browser.requests.filter(
      (r) => r.method === 'GET' && /\/v1\/uploads\/[\w-]+$/.test(r.url),
    );
    t.ok(asked.length >= 1, 'the page asked the server which parts had arrived');
    const db = site.app.sealbox.db;
    const upload = await db.selectFrom('uploads').selectAll().executeTakeFirstOrThrow();
    t.ok(upload.finished, 'upload finished');
    t.ok(upload.submission_seq !== null, 'and claimed by the submission');
    t.same(browser.errors, [], 'no uncaught error (the libsodium fallback rejection is swallowed)');
  },
);
