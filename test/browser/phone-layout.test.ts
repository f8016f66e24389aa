// A defender's phone is often 390 CSS pixels wide. Nothing on the page may stick
// out of the screen on either side (English runs to the right edge, Arabic to
// the left one), with the questions empty, with every error message showing,
// and with a file chosen; the native file picker's own words ("Choose Files",
// "No file chosen", in the browser's language) never show. Each state is
// photographed in English and Arabic at phone and desktop widths, for a person
// to look at (test-artifacts/).
import t, { type Test } from 'tap';
import type { Page } from 'playwright-core';
import { openBrowser, screenshot, startSite } from './harness.ts';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

const site = await startSite(t);
// The browser's own language is German: the file picker's native labels would
// say "Dateien auswählen" / "Keine ausgewählt" if they were ever visible.
const browser = await openBrowser(t, { locale: 'de-DE' });
const { page } = browser;

/** Every visible element that reaches past the left or right edge of the viewport. */
function overflowing(page: Page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const found: string[] = [];
    for (const element of document.body.querySelectorAll<HTMLElement>('*')) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      if (getComputedStyle(element).visibility === 'hidden') continue;
      // A visually hidden control (the native file input) is clipped to 1 px.
      if (box.width <= 1 && box.height <= 1) continue;
      if (box.left < -0.5 || box.right > width + 0.5) {
        const name =
          element.tagName.toLowerCase() +
          (element.id ? `#${element.id}` : '') +
          (element.className && typeof element.className === 'string'
            ? `.${element.className.split(' ').join('.')}`
            : '');
        found.push(`${name} [${Math.round(box.left)}, ${Math.round(box.right)}] of ${width}`);
      }
    }
    return {
      found,
      scroll: document.documentElement.scrollWidth,
      width,
    };
  });
}

async function checkFits(t: Test, page: Page, what: string) {
  const result = await overflowing(page);
  t.same(result.found, [], `${what}: nothing past the screen's edges`);
  t.ok(
    result.scroll <= result.width,
    `${what}: no sideways scrolling (${result.scroll} ≤ ${result.width})`,
  );
}

/** The native file input's own words, as the browser would draw them. */
async function nativePickerVisible(page: Page): Promise<boolean> {
  return page.locator('input[type=file]').evaluate((input) => {
    const box = input.getBoundingClientRect();
    const style = getComputedStyle(input);
    return (
      box.width > 1 && box.height > 1 && style.opacity !== '0' && style.visibility !== 'hidden'
    );
  });
}

for (const [lang, send, verified, filesButton] of [
  ['en', 'Lock and send', /keys are verified/, 'Add files (optional)'],
  ['ar', 'تشفير وإرسال', 'تم التحقق من مفاتيح المنظمة', 'إضافة ملفات (اختياري)'],
] as const) {
  void t.test(`${lang}: the submit page fits a phone and a desktop`, async (t) => {
    for (const [size, viewport] of [
      ['phone', PHONE],
      ['desktop', DESKTOP],
    ] as const) {
      await page.setViewportSize(viewport);
      await page.goto(`${site.url}/?lang=${lang}`);
      await page.getByText(verified).first().waitFor();
      await checkFits(t, page, `${lang} ${size}, empty form`);
      t.notOk(
        await nativePickerVisible(page),
        `${lang} ${size}: the native file picker is not shown`,
      );
      await screenshot(page, `layout-submit-${lang}-${size}`);

      // Errors on every question: press send with nothing answered.
      await page.getByRole('button', { name: send }).click();
      await page.locator('.error').first().waitFor();
      await checkFits(t, page, `${lang} ${size}, every error showing`);
      await screenshot(page, `layout-submit-errors-${lang}-${size}`);

      await page.setInputFiles('input[type=file]', [
        {
          name: 'a-very-long-file-name-without-any-spaces-from-a-phone-camera-20251103_181512.jpg',
          mimeType: 'application/octet-stream',
          buffer: Buffer.from('not really an image'),
        },
      ]);
      await page.locator('.file-list li').first().waitFor();
      await checkFits(t, page, `${lang} ${size}, a file with a long name`);
      await screenshot(page, `layout-submit-file-${lang}-${size}`);

      await page.goto(`${site.url}/status.html?lang=${lang}`);
      await page.locator('#status-heading').waitFor();
      await checkFits(t, page, `${lang} ${size}, status page`);
      await screenshot(page, `layout-status-${lang}-${size}`);
    }
    if (filesButton) {
      // The picker speaks the page's language: its visible button is ours.
      await page.goto(`${site.url}/?lang=${lang}`);
      await page.getByText(verified).first().waitFor();
      const chooser = page.waitForEvent('filechooser');
      await page.getByText(filesButton, { exact: true }).click();
      t.ok(await chooser, 'our labelled button opens the file chooser');
    }
  });
}

void t.test('the picker is reached and opened from the keyboard', async (t) => {
  await page.setViewportSize(PHONE);
  await page.goto(`${site.url}/?lang=en`);
  await page.getByText(/keys are verified/).waitFor();
  await page.locator('input[type=file]').focus();
  const outline = await page
    .locator('.files .picker')
    .evaluate((label) => getComputedStyle(label).outlineStyle);
  t.not(outline, 'none', 'the visible button shows keyboard focus');
  // Focus again and press on the input itself: on a loaded machine the page may
  // still move focus between the check above and the key press.
  const chooser = page.waitForEvent('filechooser');
  await page.locator('input[type=file]').press('Enter');
  t.ok(await chooser, 'Enter on the focused picker opens the file chooser');
});
