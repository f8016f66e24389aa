// A flooded service, as a person on the page meets it: the server asks new
// cases for effort level 2 (pinned, as an operator does before a known date).
// The page says in plain words that the service is very busy and how long
// sending will take on this device, in a live region, in the person's
// language; a keyboard-reachable button asks for a higher level, and the
// report then gets in at that level. A minimum that rises while the device
// works (429 EFFORT_TOO_LOW) is met at the new level, said as such. Follow-ups
// from an open case ask for level 0 and show nothing of it.
import t from 'tap';
import type { Page, Route } from 'playwright-core';
import {
  axeViolations,
  fillRequired,
  openBrowser,
  screenshot,
  startSite,
  type Captured,
} from './harness.ts';

const PINNED = 2;
let receipt = '';
const site = await startSite(t, { env: { SEALBOX_POW_LEVEL: String(PINNED) } });

/** GET /v1/challenge at `level` (undefined: asked without a level, i.e. 0). */
const isChallenge = (url: URL, level: number | undefined) =>
  url.pathname === '/v1/challenge' &&
  url.searchParams.get('level') === (level === undefined ? null : String(level));

/** Holds the page's next request for a challenge at `level` until `release` is called. */
async function hold(page: Page, level: number) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held!: () => void;
  const arrived = new Promise<void>((resolve) => (held = resolve));
  await page.route(
    (url) => isChallenge(url, level),
    async (route: Route) => {
      held();
      await released;
      await route.continue().catch(() => undefined);
    },
    { times: 1 },
  );
  return { arrived, release };
}

const challengeLevels = (requests: Captured[]) =>
  requests
    .filter((r) => new URL(r.url).pathname === '/v1/challenge')
    .map((r) => Number(new URL(r.url).searchParams.get('level') ?? 0));

/** The level of the proof in each POST to `path` (the last one alone by default). */
function paidLevels(requests: Captured[], path: string): (number | undefined)[] {
  return requests
    .filter((r) => r.method === 'POST' && new URL(r.url).pathname === path)
    .map((r) => {
      const body = JSON.parse(r.body?.toString('utf8') ?? '{}') as {
        challenge?: { challenge?: { parameters?: { data?: { level?: number } } } };
      };
      return body.challenge?.challenge?.parameters?.data?.level;
    });
}

const submittedLevel = (requests: Captured[]) => paidLevels(requests, '/v1/submissions').at(-1);

void t.test('busy: the page says so, the person tries harder, the report gets in', async (t) => {
  const browser = await openBrowser(t);
  const { page, requests } = browser;
  await page.goto(`${site.url}/?lang=en`);
  await page.getByText(/keys are verified/).waitFor();
  await fillRequired(page);
  const pinned = await hold(page, PINNED);
  await page.getByRole('button', { name: 'Lock and send' }).click();
  await pinned.arrived;

  const line = page.locator('.busy-line');
  await line.getByText('very busy').waitFor();
  t.equal(await line.getAttribute('role'), 'status', 'a status');
  t.match(
    await line.textContent(),
    /^The service is very busy\. Sending will take about \d+\s(seconds?|minutes?) on this device\./,
    'plain words, with a time for this device',
  );
  t.equal(await line.getAttribute('aria-live'), 'polite', 'a polite live region');
  t.notMatch(await line.textContent(), /attack|error|fail|danger/i, 'nothing alarming');
  t.equal(await page.locator('.busy').getByRole('alert').count(), 0, 'not an alert');
  t.same(await axeViolations(page), [], 'axe: busy state');
  await screenshot(page, 'busy-en');

  // The same words in the language the person picks, the time's words too.
  await page.getByLabel('Language').selectOption('es');
  await page.getByText(/^El servicio está muy solicitado\. El envío tardará unos \d+/).waitFor();
  t.match(await line.textContent(), /segundos?|minutos?/, 'the time in Spanish');
  await page.getByLabel('Idioma').selectOption('en');
  await line.getByText('very busy').waitFor();

  // Reached with Tab alone, pressed with Enter.
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.textContent === 'Try harder');
  }
  t.ok(reached, 'the button is reachable by keyboard');
  await page.keyboard.press('Enter');
  pinned.release();

  await page.locator('.receipt').waitFor({ timeout: 120_000 });
  const levels = challengeLevels(requests);
  t.same(levels.slice(0, 2), [0, PINNED], 'the load first, then the pinned level');
  t.ok(
    levels.includes(PINNED + 1),
    `a challenge at level ${PINNED + 1} was asked for: ${levels.join()}`,
  );
  t.equal(submittedLevel(requests), PINNED + 1, 'the report was sent with the higher level');
  receipt = (await page.textContent('.receipt'))!.trim();
});

void t.test('a follow-up from the open case: level 0, no busy state', async (t) => {
  const browser = await openBrowser(t);
  const { page, requests } = browser;
  await page.goto(`${site.url}/status.html?lang=en`);
  await page.getByLabel('Receipt', { exact: true }).fill(receipt);
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.getByLabel('Your message').fill('They came back yesterday.');
  await page.locator('form.followup').getByRole('button', { name: 'Lock and send' }).click();
  await page.getByText('Your message has been sent').waitFor({ timeout: 60_000 });
  t.same(challengeLevels(requests), [0], 'one challenge, at level 0, while new cases need 2');
  t.equal(await page.getByText('very busy').count(), 0, 'nothing said of the busy state');
});

void t.test('busier while working: met at the new level, said in French', async (t) => {
  const browser = await openBrowser(t, { locale: 'fr-FR' });
  const { page, requests } = browser;
  // The first answer looks quiet (as before a flood starts): the page solves
  // level 0, and the server's refusal tells it the minimum.
  await page.route(
    (url) => isChallenge(url, undefined),
    async (route: Route) => {
      const response = await route.fetch();
      const json = (await response.json()) as { load: Record<string, unknown> };
      json.load = { ...json.load, minimumLevel: 0, busy: false };
      await route.fulfill({ response, json });
    },
    { times: 1 },
  );
  await page.goto(`${site.url}/?lang=fr`);
  await page.getByText(/clés de l’organisation sont vérifiées/).waitFor();
  await fillRequired(page);
  const pinned = await hold(page, PINNED);
  await page.getByRole('button', { name: 'Chiffrer et envoyer' }).click();
  await pinned.arrived;
  const line = page.getByRole('status').filter({ hasText: 'encore plus sollicité' });
  await line.waitFor();
  t.match(await line.textContent(), /L’envoi prendra environ \d+\s(secondes?|minutes?)/);
  t.equal(
    await page.getByRole('button', { name: 'Faire un effort de plus' }).isVisible(),
    true,
    'the button, in French',
  );
  t.same(await axeViolations(page), [], 'axe: busier state in French');
  await screenshot(page, 'busy-fr');
  const refused = requests.filter(
    (r) => r.method === 'POST' && r.url.endsWith('/v1/submissions'),
  ).length;
  t.equal(refused, 1, 'one refused attempt at level 0');
  pinned.release();
  await page.locator('.receipt').waitFor({ timeout: 120_000 });
  t.equal(submittedLevel(requests), PINNED, 'sent again at the level the server asked for');
});

void t.test(
  "a new case with files while busy: each file is paid at the case's level",
  async (t) => {
    const browser = await openBrowser(t);
    const { page, requests } = browser;
    await page.goto(`${site.url}/?lang=en`);
    await page.getByText(/keys are verified/).waitFor();
    await fillRequired(page);
    await page.setInputFiles('input[type=file]', [
      { name: 'one.txt', mimeType: 'text/plain', buffer: Buffer.from('first file') },
      { name: 'two.txt', mimeType: 'text/plain', buffer: Buffer.from('second file') },
    ]);
    await page.getByRole('button', { name: 'Lock and send' }).click();
    await page.locator('.receipt').waitFor({ timeout: 120_000 });
    const uploads = paidLevels(requests, '/v1/uploads');
    t.equal(uploads.length, 2, 'one upload a file');
    t.ok(
      uploads.every((level) => level !== undefined && level >= PINNED),
      `every upload paid at least level ${PINNED}: ${uploads.join()}`,
    );
    t.ok((submittedLevel(requests) ?? 0) >= PINNED, 'and the case itself');
  },
);
