// A follow-up with files, from the status page, through the real tools: the
// person comes back with the receipt, writes, adds a photo (its GPS data
// removed in the page) and a document, and sends; `courier pull` and `review
// open` then put both files into the case folder, under the follow-up. After
// sending, the page shows what was sent from its memory only: nothing of it in
// web storage, IndexedDB, the cache or the server's answers, and nothing left
// once the person leaves (docs/threat-model.md, "What the person sees of what
// they sent").
import t from 'tap';
import { readFile, readdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyOptions } from '../../reviewer/io.ts';
import { loadSigningKey } from '../../reviewer/keys.ts';
import { reviewOpen } from '../../reviewer/commands/review-open.ts';
import { courierPull } from '../../reviewer/courier/pull.ts';
import { makeOrganisation, publishOrganisation } from '../audit/organisation.ts';
import { Submitter, submitCase } from '../audit/submitter.ts';
import { build } from '../helper.ts';
import { tempDir } from '../reviewer/fixtures.ts';
import { axeViolations, builtPage, openBrowser, screenshot, serveWeb } from './harness.ts';

const FOLLOWUP = 'CANARY-FOLLOWUP-5e1 Here is the photo of the summons you asked for.';
const SECOND = 'CANARY-SECOND-0b7 One more thing: they came back on Sunday.';
const DOC_CANARY = 'CANARY-DOC-77d2 list of the officers present';
const GPS_CANARY = 'CANARY-GPS-48.8584N-2.2945E';
const PHOTO = 'summons photo.jpg';
// A name in Arabic: shown back as the person typed it, its direction its own.
const DOC = 'قائمة الضباط.txt';

function photoWithGps(): Buffer {
  const jpeg = readFileSync(new URL('../web/fixtures/gradient.jpg', import.meta.url));
  const payload = Buffer.concat([Buffer.from('Exif\0\0'), Buffer.from(GPS_CANARY)]);
  const head = Buffer.from([0xff, 0xe1, 0, 0]);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), head, payload, jpeg.subarray(2)]);
}

const dir = await tempDir(t);
const org = await makeOrganisation(dir);
const { dist } = await builtPage();
const { app, db } = await build(t, { env: { SEALBOX_ORG_FINGERPRINT: org.fingerprint } });
await publishOrganisation(db, org);
serveWeb(app, dist, await loadSigningKey(org.dir + '/org.key', 'organisation', keyOptions(org.io)));
await app.listen({ host: '127.0.0.1', port: 0 });
const server = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

// The case itself, filed as the page files it.
const filed = await submitCase(new Submitter(server), org.keyset, {
  answers: { country: 'MM' },
  message: 'After I spoke in Geneva, police visited my parents.',
});

const browser = await openBrowser(t);
const { page } = browser;
const dialogs: string[] = [];
page.on('dialog', (dialog) => {
  dialogs.push(dialog.type());
  void dialog.dismiss();
});

/** What the page could have kept in this browser, the Cache API included. */
async function traces() {
  return page.evaluate(async () => ({
    localStorage: localStorage.length,
    sessionStorage: sessionStorage.length,
    indexedDB: (await indexedDB.databases()).length,
    caches: (await caches.keys()).length,
    serviceWorkers: (await navigator.serviceWorker?.getRegistrations())?.length ?? 0,
    cookie: document.cookie,
  }));
}
const NOTHING = {
  localStorage: 0,
  sessionStorage: 0,
  indexedDB: 0,
  caches: 0,
  serviceWorkers: 0,
  cookie: '',
};

async function checkReceipt() {
  await page.getByRole('button', { name: 'Check a report' }).click();
  await page.getByLabel('Receipt', { exact: true }).fill(filed.receipt);
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.locator('form.followup').waitFor();
}

const pageText = async () => (await page.textContent('body')) ?? '';

void t.test('a follow-up with a photo and a document, shown back once', async (t) => {
  await page.goto(server);
  await checkReceipt();
  const followup = page.locator('form.followup');
  // The choice, said before anything is written.
  t.match(await followup.textContent(), 'This page keeps no copy of it');
  // Files alone need no message, but nothing at all is refused in the page.
  const before = browser.requests.length;
  await followup.getByRole('button', { name: 'Lock and send' }).click();
  t.match(await followup.locator('[role=alert]').textContent(), 'write a message or add a file');
  t.equal(browser.requests.length, before, 'an empty follow-up sends nothing');

  await page.getByLabel('Your message').fill(FOLLOWUP);
  await followup.locator('input[type=file]').setInputFiles([
    { name: PHOTO, mimeType: 'image/jpeg', buffer: photoWithGps() },
    { name: DOC, mimeType: 'text/plain', buffer: Buffer.from(DOC_CANARY) },
  ]);
  await followup.getByText('Hidden data (location, camera, dates) has been removed').waitFor();
  await followup.getByText('may contain hidden information').waitFor();
  // The second part on the wire (the document's, after the photo's) waits
  // until the test lets it go: the person is told to stay, the bar is part
  // way, and leaving asks first.
  let puts = 0;
  let held!: () => void;
  const holding = new Promise<void>((resolve) => (held = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/v1/uploads/*/parts/*', async (route) => {
    if (++puts === 2) {
      held();
      await released;
    }
    await route.continue();
  });
  await followup.getByRole('button', { name: 'Lock and send' }).click();
  await holding;
  t.ok(await followup.getByText('Keep this page open until it confirms').isVisible());
  const midway = Number(await followup.locator('progress').getAttribute('value'));
  t.ok(midway > 0 && midway < 100, `one bar for the whole follow-up, part way (${midway} %)`);
  const dialog = page.waitForEvent('dialog');
  await page.close({ runBeforeUnload: true });
  t.equal((await dialog).type(), 'beforeunload', 'leaving mid-upload asks first');
  t.notOk(page.isClosed(), 'staying keeps the page');
  release();
  await followup
    .locator('.success')
    .getByText('Your message has been sent')
    .waitFor({ timeout: 60_000 });
  await page.unroute('**/v1/uploads/*/parts/*');
  t.same(dialogs, ['beforeunload'], 'the one warning, mid-upload');
  t.ok(await followup.getByText('Keep this page open').isHidden(), 'the note goes when sent');

  const summary = followup.locator('.sent-summary');
  t.ok(await summary.isVisible(), 'what was sent is shown');
  t.match(await summary.locator('h4').textContent(), 'What you sent during this visit');
  t.match(await summary.textContent(), FOLLOWUP);
  const names = await summary.locator('.file-name').allTextContents();
  t.same(names, [PHOTO, DOC], 'each file by its name');
  t.equal(await summary.locator('.file-name').nth(1).getAttribute('dir'), 'auto');
  const sizes = await summary.locator('.file-size').allTextContents();
  t.equal(sizes[1], `${Buffer.byteLength(DOC_CANARY)} B`, 'and its size');
  t.match(await summary.textContent(), "Shown from this page's memory only".replace("'", '’'));
  // The form is empty again: nothing left to send twice.
  t.equal(await page.getByLabel('Your message').inputValue(), '');
  t.equal(await followup.locator('fieldset .file-list li').count(), 0, 'the picker is empty');
  t.same(await axeViolations(page), [], 'axe: the status page after a follow-up with files');
  await screenshot(page, 'followup-sent-en');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'followup-sent-en-phone');
  const overflow = () =>
    page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  t.equal(await overflow(), 0, 'nothing wider than a phone');
  // The same in Arabic, right to left: the summary is in the page's language.
  await page.selectOption('#language', 'ar');
  await page.locator('html[dir=rtl]').waitFor();
  t.equal(await summary.locator('h4').textContent(), 'ما أرسلته خلال هذه الزيارة');
  t.equal(await overflow(), 0, 'nothing wider than a phone, in Arabic');
  await screenshot(page, 'followup-sent-ar-phone');
  await page.setViewportSize({ width: 1280, height: 720 });
  await screenshot(page, 'followup-sent-ar');
  t.same(await axeViolations(page), [], 'axe: the same in Arabic');
  await page.selectOption('#language', 'en');

  // Sealed, stripped and sent as ciphertext only; kept nowhere in the browser.
  for (const request of browser.requests) {
    const body = request.body ?? Buffer.alloc(0);
    for (const canary of [FOLLOWUP, DOC_CANARY, GPS_CANARY, PHOTO, filed.receipt]) {
      if (body.includes(canary) || request.url.includes(canary))
        t.fail(`${request.method} ${request.url} carries "${canary.slice(0, 20)}"`);
    }
  }
  t.ok(
    browser.requests.filter((r) => r.method === 'PUT' && r.url.includes('/v1/uploads/')).length >=
      2,
    'both files went up in parts',
  );
  t.same(await traces(), NOTHING, 'nothing kept in the browser');
  t.equal((await browser.context.cookies()).length, 0);
});

void t.test('leaving takes the summary with it; hiding it too', async (t) => {
  // A browser that keeps the page in its back/forward cache fires `pagehide`
  // (persisted) as the person leaves; the page must empty itself then. This
  // Chromium does not cache these no-store pages, so the event is fired here.
  t.ok(await page.locator('.sent-summary').isVisible());
  await page.evaluate(() => {
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
  });
  t.equal(await page.locator('.sent-summary').count(), 0, 'emptied as the page is hidden');
  t.equal(await page.locator('.statements, form.followup').count(), 0, 'the replies too');
  t.equal(await page.getByLabel('Receipt', { exact: true }).inputValue(), '', 'and the receipt');
  // Away and Back: nothing of what was sent (nor the replies) is shown.
  await page.goto(`${server}/healthz`);
  await page.goBack();
  await page.locator('#status-view').waitFor({ state: 'attached' });
  t.notMatch(await pageText(), 'CANARY-FOLLOWUP', 'nothing of it after Back');
  t.notMatch(await pageText(), DOC);
  t.equal(await page.locator('.sent-summary').count(), 0);
  t.same(await traces(), NOTHING);

  // A reload as well.
  await checkReceipt();
  const followup = page.locator('form.followup');
  await page.getByLabel('Your message').fill(SECOND);
  await followup.getByRole('button', { name: 'Lock and send' }).click();
  await followup
    .locator('.success')
    .getByText('Your message has been sent')
    .waitFor({ timeout: 60_000 });
  t.match(await followup.locator('.sent-summary').textContent(), SECOND);
  t.equal(await followup.locator('.sent-summary .file-list').count(), 0, 'no file, no file list');
  await followup.getByRole('button', { name: 'Hide what I sent' }).click();
  t.ok(await followup.locator('.sent-summary').isHidden(), 'hidden at once');
  t.notMatch(await pageText(), 'CANARY-SECOND', 'and gone from the page, not only from view');
  await page.reload();
  await page.locator('#status-view').waitFor({ state: 'attached' });
  t.notMatch(await pageText(), 'CANARY-', 'nothing after a reload');
  t.same(await traces(), NOTHING);
  t.same(browser.errors, [], 'no uncaught error in the page');
});

void t.test('the reviewer tool opens the follow-up with its files', async (t) => {
  const cases = join(dir, 'cases');
  const bundle = join(dir, 'bundle.sealbox');
  await courierPull({ server, key: org.courierKey, out: bundle }, org.io);
  const opened = await reviewOpen(
    {
      bundle,
      key: org.reviewerKey,
      cases,
      keyset: org.keysetFile,
      organisation: org.fingerprint,
    },
    org.io,
  );
  t.same([opened.failed, opened.setAside, opened.waiting], [[], [], []]);
  t.equal(opened.opened.length, 3, 'the case and its two follow-ups');
  const caseId = opened.cases[0]!;
  const record = JSON.parse(await readFile(join(cases, caseId, 'case.json'), 'utf8')) as {
    items: { kind: string; folder: string; attachments: { file: string; size: number }[] }[];
  };
  const [withFiles, second] = record.items.filter((i) => i.kind === 'followup');
  const folder = join(cases, caseId, withFiles!.folder);
  t.equal(await readFile(join(folder, 'message.txt'), 'utf8'), FOLLOWUP);
  t.same((await readdir(join(folder, 'attachments'))).sort(), [DOC, PHOTO].sort());
  t.equal(await readFile(join(folder, 'attachments', DOC), 'utf8'), DOC_CANARY);
  const photo = await readFile(join(folder, 'attachments', PHOTO));
  t.same([...photo.subarray(0, 2)], [0xff, 0xd8], 'the photo is a JPEG');
  t.notOk(photo.includes(GPS_CANARY), 'without its GPS data');
  t.equal(await readFile(join(cases, caseId, second!.folder, 'message.txt'), 'utf8'), SECOND);
  const casePage = await readFile(join(cases, caseId, 'index.html'), 'utf8');
  t.match(casePage, 'attachments/summons%20photo.jpg', 'the case page links the photo');
});
