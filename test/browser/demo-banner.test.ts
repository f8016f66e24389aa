// A DEMO organisation's keys protect nothing, and its page says so: first thing on
// both views, in all six languages, announced as an alert, laid out right to left
// in Arabic, axe-clean. A page for a configured organisation says nothing of the
// kind. Both pages are served by the Sealbox server itself, with the pin baked in.
import { readFile } from 'node:fs/promises';
import t from 'tap';
import { axeViolations, openBrowser, screenshot, startServedSite } from './harness.ts';

const LOCALES = ['ar', 'en', 'es', 'fr', 'ru', 'zh'] as const;
const VIEWS = [
  ['/', 'submit'],
  ['/status.html', 'status'],
] as const;
const banners: Record<string, string> = {};
for (const lang of LOCALES) {
  const catalogue = JSON.parse(
    await readFile(new URL(`../../web/i18n/${lang}.json`, import.meta.url), 'utf8'),
  ) as Record<string, string>;
  banners[lang] = catalogue['demo.banner']!;
}
const browser = await openBrowser(t);
const { page } = browser;

async function open(url: string, lang: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(
    (l) => document.body.dataset.ready === 'true' && document.documentElement.lang === l,
    lang,
  );
}

void t.test('DEMO organisation: the banner on both views, in every language', async (t) => {
  const site = await startServedSite(t, { demo: true });
  t.match(site.notes.join('\n'), /built the page for the DEMO organisation/);
  await open(`${site.url}/?lang=en`, 'en');
  // The keys check out, but the page never calls DEMO keys "verified".
  await page.getByText(/These are DEMO keys/).waitFor();
  t.notMatch(await page.textContent('body'), /verified/);
  for (const lang of LOCALES) {
    for (const [path, view] of VIEWS) {
      await open(`${site.url}${path}?lang=${lang}`, lang);
      const banner = page.locator('#demo-banner');
      t.ok(await banner.isVisible(), `${view} in ${lang}: shown`);
      t.equal(
        (await banner.textContent())?.trim(),
        banners[lang],
        `${view} in ${lang}: translated`,
      );
      t.equal(await banner.getAttribute('role'), 'alert');
      const box = (await banner.boundingBox())!;
      const bar = (await page.locator('.bar').boundingBox())!;
      const main = (await page.locator('main').boundingBox())!;
      t.ok(box.y < bar.y && box.y + box.height <= main.y, 'above the bar and the view');
      t.ok(box.height > 0 && box.width > 200, 'not a sliver');
      t.equal(
        await banner.evaluate((el) => getComputedStyle(el).direction),
        lang === 'ar' ? 'rtl' : 'ltr',
      );
      t.same(await axeViolations(page), [], `axe: ${view} in ${lang}, DEMO`);
      if (lang === 'en' || lang === 'ar') await screenshot(page, `demo-${view}-${lang}`);
    }
  }
});

void t.test('a configured organisation: no banner, in any language', async (t) => {
  const site = await startServedSite(t, { demo: false });
  await open(`${site.url}/?lang=en`, 'en');
  await page.getByText(/keys are verified/).waitFor();
  t.same(await axeViolations(page), [], 'axe: submit page, not a DEMO');
  for (const lang of LOCALES) {
    for (const [path, view] of VIEWS) {
      await open(`${site.url}${path}?lang=${lang}`, lang);
      t.equal(await page.locator('#demo-banner').count(), 0, `${view} in ${lang}: no banner`);
      t.notOk((await page.textContent('body'))!.includes(banners[lang]!), 'nor its text');
    }
  }
});
