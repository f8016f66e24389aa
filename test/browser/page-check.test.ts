// The served page checks itself against the organisation's signature: with the
// genuine page it says so (data-page-check) and offers both forms; with one byte
// of its app script or of a catalogue changed on the server, with no signature,
// or with a signature by another root, it offers neither form, says why, and
// sends nothing. One site serves a copy of the build that the test changes
// between page loads.
import t, { type Test } from 'tap';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateOrganisationKey } from '../../client-crypto/index.ts';
import {
  axeViolations,
  builtPage,
  openBrowser,
  pageSignature,
  screenshot,
  startSite,
} from './harness.ts';

const en = JSON.parse(
  await readFile(new URL('../../web/i18n/en.json', import.meta.url), 'utf8'),
) as Record<string, string>;

const { dist: shared, manifest } = await builtPage();
const dist = await mkdtemp(join(tmpdir(), 'sealbox-web-changed-'));
t.teardown(() => rm(dist, { recursive: true, force: true }));
await cp(shared, dist, { recursive: true });

let signature: () => Promise<unknown> = () => Promise.resolve(undefined);
const site = await startSite(t, { dist, signature: () => signature() });
const genuine = () => pageSignature(dist, site.trust.org);
signature = genuine;
const browser = await openBrowser(t);
const { page } = browser;

/** Opens the page and waits for its check of itself to answer. */
async function open(query = ''): Promise<string | undefined> {
  browser.requests.length = 0;
  await page.goto(`${site.url}/${query}`);
  await page.waitForFunction(() => {
    const state = document.documentElement.dataset.pageCheck;
    return document.body.dataset.ready === 'true' && (state === 'ok' || state === 'failed');
  });
  return page.evaluate(() => document.documentElement.dataset.pageCheck);
}

/** Both views refuse, in plain words, and nothing was written or looked up. */
async function expectRefusal(t: Test, reason: string, file?: string): Promise<void> {
  const data = await page.evaluate(() => ({ ...document.documentElement.dataset }));
  t.equal(data.pageCheckReason, reason, 'the reason');
  if (file) t.equal(data.pageCheckFile, file, 'the file');
  const alert = page.locator('#submit-view [role=alert]').first();
  await alert.waitFor();
  t.match(await alert.textContent(), en['page.failed']!, 'the headline');
  t.match(await alert.textContent(), en[reason]!, 'and why');
  t.equal(await page.locator('#submit-view form').isHidden(), true, 'no report form');
  await page.locator('button.tab[data-view=status]').click();
  const statusAlert = page.locator('#status-view [role=alert]').first();
  await statusAlert.waitFor();
  t.match(await statusAlert.textContent(), en[reason]!, 'the status view says why');
  t.equal(await page.getByRole('textbox', { name: 'Receipt' }).count(), 0, 'no receipt is taken');
  t.same(
    browser.requests.filter((r) => r.method !== 'GET' || /\/v1\/(challenge|status)/.test(r.url)),
    [],
    'nothing written, nothing looked up',
  );
}

void t.test('the genuine page checks itself, then offers both forms', async (t) => {
  t.equal(await open('?lang=fr'), 'ok');
  await page.locator('#submit-view form').waitFor();
  const fetched = (path: string) => browser.requests.filter((r) => r.url.endsWith(path)).length;
  t.equal(fetched('/manifest.json'), 1, 'the manifest, once');
  t.equal(fetched('/page-signature.json'), 1, 'the signature, once');
  t.equal(fetched(manifest.assets.powWorker), 1, 'the worker, hashed before it runs');
  await page.locator('button.tab[data-view=status]').click();
  await page.locator('#status-view form input').waitFor();
  t.equal(fetched('/manifest.json'), 1, 'one check for both views');
  t.same(await axeViolations(page), [], 'axe: checked page');
});

async function changeOneByte(name: string, at: string): Promise<() => Promise<void>> {
  const path = join(dist, name);
  const original = await readFile(path);
  const i = original.indexOf(at);
  if (i < 0) throw new Error(`${at} is not in ${name}`);
  const changed = Buffer.from(original);
  changed[i] = changed[i]! ^ 0x20; // One letter's case: the script still runs.
  await writeFile(path, changed);
  return () => writeFile(path, original);
}

void t.test('one byte of the app changed on the server: refused', async (t) => {
  const restore = await changeOneByte(manifest.assets.app, 'Checking the organisation');
  t.teardown(restore);
  t.equal(await open(), 'failed');
  await expectRefusal(t, 'page.file_changed', manifest.assets.app);
  await screenshot(page, 'page-check-changed-app');
  t.same(await axeViolations(page), [], 'axe: refusal');
});

void t.test('one byte of a catalogue changed: refused, and not shown', async (t) => {
  const restore = await changeOneByte(manifest.assets.catalogues.fr!, 'Envoyer');
  t.teardown(restore);
  t.equal(await open('?lang=fr'), 'failed');
  await expectRefusal(t, 'page.file_changed', manifest.assets.catalogues.fr);
  t.equal(await page.evaluate(() => document.documentElement.lang), 'en', 'still in English');
});

void t.test('no signature: refused', async (t) => {
  signature = () => Promise.resolve(undefined);
  t.teardown(() => (signature = genuine));
  t.equal(await open(), 'failed');
  await expectRefusal(t, 'page.no_signature');
});

void t.test('a signature by another root: refused', async (t) => {
  const other = await generateOrganisationKey();
  signature = () => pageSignature(dist, other);
  t.teardown(() => (signature = genuine));
  t.equal(await open(), 'failed');
  await expectRefusal(t, 'page.other_organisation');
});

void t.test(
  'a page whose pin a middlebox removed: refused, before anything is checked',
  async (t) => {
    await page.route(`${site.url}/`, async (route) => {
      const response = await route.fetch();
      const html = (await response.text()).replace(
        /<meta name="sealbox-org-fingerprint" content="[^"]*" \/>/,
        '<meta name="sealbox-org-fingerprint" content="" />',
      );
      await route.fulfill({ response, body: html });
    });
    t.teardown(() => page.unroute(`${site.url}/`));
    t.equal(await open(), 'failed');
    const data = await page.evaluate(() => ({ ...document.documentElement.dataset }));
    t.equal(data.pageCheckReason, 'trust.no_pin', 'no organisation to check against');
    const alert = page.locator('#submit-view [role=alert]').first();
    await alert.waitFor();
    t.match(await alert.textContent(), en['trust.no_pin']!, 'says why');
    t.equal(await page.locator('#submit-view form').isHidden(), true, 'no report form');
    t.same(
      browser.requests.filter((r) => /manifest\.json|page-signature|\/v1\/keyset/.test(r.url)),
      [],
      'nothing to verify against: nothing fetched to verify',
    );
  },
);
