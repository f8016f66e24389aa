// Arabic is laid out right to left; every page and language is checked with
// axe-core and photographed for a person to look at; the language picker
// re-labels the page without losing what was typed; quick exit (button, or
// Escape twice) leaves no history entry behind.
import t from 'tap';
import { axeViolations, openBrowser, screenshot, startSite } from './harness.ts';

const site = await startSite(t);
const browser = await openBrowser(t, { locale: 'ar' });
const { page } = browser;

void t.test('Arabic: right to left, translated, accessible', async (t) => {
  await page.goto(site.url); // the browser asks for Arabic
  await page.getByText('تم التحقق من مفاتيح المنظمة').waitFor();
  t.same(
    await page.evaluate(() => [
      document.documentElement.lang,
      document.documentElement.dir,
      getComputedStyle(document.body).direction,
    ]),
    ['ar', 'rtl', 'rtl'],
  );
  const heading = page.locator('#submit-heading');
  t.equal(await heading.textContent(), 'إرسال بلاغ سري');
  // Laid out from the right: the heading hugs the right edge of its column.
  const box = (await heading.boundingBox())!;
  const column = (await page.locator('main').boundingBox())!;
  t.ok(column.x + column.width - (box.x + box.width) < 40, 'heading starts at the right');
  t.same(await axeViolations(page), [], 'axe: Arabic submit page');
  await screenshot(page, 'submit-ar');
  await page.getByRole('button', { name: 'متابعة بلاغ' }).click();
  t.same(await axeViolations(page), [], 'axe: Arabic status page');
  await screenshot(page, 'status-ar');
  await page.getByLabel('الإيصال').fill('0000-0000');
  await page.getByRole('button', { name: 'تحقّق' }).click();
  await page.getByText('لا يبدو هذا إيصالًا').waitFor();
  await screenshot(page, 'status-error-ar');
});

void t.test('every language: translated, right direction, no violation', async (t) => {
  for (const [lang, dir, heading] of [
    ['en', 'ltr', 'Check a report'],
    ['es', 'ltr', 'Consultar una denuncia'],
    ['fr', 'ltr', 'Suivre un signalement'],
    ['ru', 'ltr', 'Проверить сообщение'],
    ['zh', 'ltr', '查询报告'],
  ] as const) {
    await page.goto(`${site.url}/status.html?lang=${lang}`);
    await page.locator('#status-heading', { hasText: heading }).waitFor();
    t.same(
      await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]),
      [lang, dir],
    );
    t.same(await axeViolations(page), [], `axe: status page in ${lang}`);
    await screenshot(page, `status-${lang}`);
  }
  await page.goto(`${site.url}/?lang=zh`);
  await page.getByText('本组织的密钥已通过核验').waitFor();
  t.same(await axeViolations(page), [], 'axe: submit page in zh');
});

void t.test('the language picker keeps what was typed', async (t) => {
  await page.goto(`${site.url}/?lang=en`);
  await page.getByText(/keys are verified/).waitFor();
  await page.getByLabel('Your account').fill('keep this text');
  await page.check('[data-field=un_body] input[value=other]');
  const entries = await page.evaluate(() => history.length);
  await page.getByLabel('Language').selectOption('ru');
  await page.getByText('Ключи организации проверены').waitFor();
  t.equal(await page.locator('textarea').last().inputValue(), 'keep this text');
  t.ok(await page.isChecked('[data-field=un_body] input[value=other]'));
  t.equal(await page.evaluate(() => document.documentElement.lang), 'ru');
  await page.getByLabel('Язык').selectOption('ar');
  await page.waitForFunction(() => document.documentElement.dir === 'rtl');
  t.equal(await page.locator('textarea').last().inputValue(), 'keep this text');
  // The choice is kept in the address, not in the browser, and survives a reload.
  t.equal(new URL(page.url()).searchParams.get('lang'), 'ar');
  t.equal(await page.evaluate(() => history.length), entries, 'replaced, not added to the history');
  await page.reload();
  await page.getByText('تم التحقق من مفاتيح المنظمة').waitFor();
  t.same(
    await page.evaluate(() => [
      document.documentElement.dir,
      (document.getElementById('language') as HTMLSelectElement).value,
      localStorage.length + sessionStorage.length,
    ]),
    ['rtl', 'ar', 0],
  );
});

void t.test('keyboard only: answer, send, confirm the receipt', async (t) => {
  await page.goto(`${site.url}/?lang=en`);
  await page.getByText(/keys are verified/).waitFor();
  const active = () =>
    page.evaluate(() => {
      const el = document.activeElement as HTMLInputElement | null;
      const field = el?.closest<HTMLElement>('[data-field]')?.dataset.field ?? '';
      return {
        tag: el?.tagName ?? '',
        type: el?.type ?? '',
        field,
        id: el?.id ?? '',
        text: el?.textContent ?? '',
      };
    });
  const seen: string[] = [];
  let sent = false;
  for (let i = 0; i < 80 && !sent; i++) {
    await page.keyboard.press('Tab');
    const el = await active();
    seen.push(el.field || el.id || el.tag);
    if (el.type === 'radio')
      await page.keyboard.press('Space'); // arrows move within a group; Tab leaves it
    else if (el.type === 'checkbox' && !seen.slice(0, -1).includes(el.field))
      await page.keyboard.press('Space');
    else if (el.field === 'country') await page.keyboard.type('Kenya');
    else if (el.tag === 'TEXTAREA' && !el.field)
      await page.keyboard.type('Typed with the keyboard only.');
    else if (el.tag === 'BUTTON' && el.text === 'Lock and send') {
      await page.keyboard.press('Enter');
      sent = true;
    }
  }
  t.equal(seen[0], 'quick-exit', 'quick exit is the first stop');
  t.ok(sent, 'the send button is reachable by Tab');
  await page.locator('.receipt').waitFor({ timeout: 60_000 });
  t.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1');
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press('Tab');
    const el = await active();
    if (el.type === 'checkbox') await page.keyboard.press('Space');
    if (el.tag === 'BUTTON' && el.text === 'Finish') {
      await page.keyboard.press('Enter');
      break;
    }
  }
  await page.getByText('Your receipt is no longer shown').waitFor();
});

void t.test('quick exit: the button and Escape twice leave no history entry', async (t) => {
  await page.goto(`${site.url}/?lang=en`);
  await page.getByText(/keys are verified/).waitFor();
  const length = await page.evaluate(() => history.length);
  await page.getByRole('button', { name: 'Quick exit' }).click();
  await page.waitForURL('about:blank');
  t.equal(await page.evaluate(() => history.length), length, 'replaced, not pushed');
  t.equal(await page.content(), '<html><head></head><body></body></html>');

  await page.goto(`${site.url}/status.html?lang=fr`);
  await page.locator('#status-heading').waitFor();
  await page.getByRole('textbox', { name: 'Reçu', exact: true }).fill('ABCD');
  const before = await page.evaluate(() => history.length);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await page.waitForURL('about:blank');
  t.equal(await page.evaluate(() => history.length), before, 'Escape twice: replaced as well');
  const requests = browser.requests.map((r) => new URL(r.url).origin);
  t.same([...new Set(requests)], [new URL(site.url).origin], 'no other origin, ever');
});
