// The whole submitter journey in Chromium against the real server: answer the
// reprisal report, attach a photo (with EXIF/GPS) and a document, seal, upload,
// get the receipt (leaving mid-upload asks first, the one bar never goes back); a
// reviewer opens it and replies; the status page shows the verified reply, refuses a
// forged one, and sends a follow-up. Every request the page made is checked: same origin only, and no plaintext anywhere in it. Last,
// leaving is free again, and quick exit during an upload goes without the warning.
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import {
  createStatement,
  decryptAttachment,
  fromBase64Url,
  generateReviewerIdentity,
  checkAuthor,
  openDocument,
} from '../../client-crypto/index.ts';
import { insertStatement } from '../../server/db/statements.ts';
import { readUpload } from '../../server/db/uploads.ts';
import {
  axeViolations,
  browserTraces,
  fillRequired,
  openBrowser,
  screenshot,
  startSite,
  today,
} from './harness.ts';
import { ringOf } from '../epochs.ts';

const MESSAGE_CANARY = 'CANARY-MESSAGE-7f3a they took my passport at the airport';
const WHEN_CANARY = 'CANARY-WHEN-March-2025';
const FILE_CANARY = 'CANARY-FILE-91c2 minutes of the meeting ';
const GPS_CANARY = 'CANARY-GPS-48.8584N-2.2945E';
const COPIES = 30_000;
const REPLY = 'We have received your report and are reviewing it. Stay safe.';

function photoWithGps(): Buffer {
  const jpeg = readFileSync(new URL('../web/fixtures/gradient.jpg', import.meta.url));
  const payload = Buffer.concat([Buffer.from('Exif\0\0'), Buffer.from(GPS_CANARY)]);
  const head = Buffer.from([0xff, 0xe1, 0, 0]);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), head, payload, jpeg.subarray(2)]);
}

const site = await startSite(t);
const browser = await openBrowser(t);
const { page } = browser;
const db = site.app.sealbox.db;

async function expectAccessible(t: Test, state: string) {
  t.same(await axeViolations(page), [], `axe: no serious or critical violation (${state})`);
}

let receipt = '';
// Every dialog the page opens (a beforeunload warning), dismissed: the person stays.
const dialogs: string[] = [];
page.on('dialog', (dialog) => {
  dialogs.push(dialog.type());
  void dialog.dismiss();
});

void t.test('submit a report with a photo and a document', async (t) => {
  await page.goto(site.url);
  await page.getByText(/keys are verified/).waitFor();
  t.match(await page.textContent('.trust'), site.pinned, 'the page shows the pinned fingerprint');
  await expectAccessible(t, 'submit page');
  await screenshot(page, 'submit-en');

  // Sending with required answers missing: nothing leaves, the first question gets focus.
  const before = browser.requests.length;
  await page.getByRole('button', { name: 'Lock and send' }).click();
  await page.getByText('Some required questions are not answered yet').waitFor();
  t.equal(browser.requests.length, before, 'nothing sent for an incomplete form');
  t.equal(
    await page.evaluate(() => (document.activeElement as HTMLInputElement).value),
    'human_rights_council',
  );
  await expectAccessible(t, 'validation errors');

  // Before sending, leaving is free: no beforeunload dialog (the reload goes through).
  await page.reload();
  await page.getByText(/keys are verified/).waitFor();
  t.same(dialogs, [], 'no warning before sending');

  await page.check('[data-field=un_body] input[value=special_procedures]');
  await page.selectOption('[data-field=country] select', 'BY');
  await page.check('[data-field=reprisal_kinds] input[value=travel_ban]');
  await page.check('[data-field=reprisal_kinds] input[value=surveillance]');
  await page.fill('[data-field=when] input', WHEN_CANARY);
  // The urgency questions, in the person's words: shown by their labels.
  await page.getByText('in danger right now?').waitFor();
  await page.getByLabel('Moving to a safer place').check();
  await page.getByLabel('Digital security').check();
  await page.check('[data-field=danger_now] input[value=yes]');
  await page.check('[data-field=consent_public] input[value=anonymised]');
  await page.check('[data-field=publicity_risk] input[value=yes]');
  await page.check('[data-field=safe_contact] input[value=status_page]');
  await page.getByLabel('Your account').fill(MESSAGE_CANARY);
  await page.setInputFiles('input[type=file]', [
    { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: photoWithGps() },
    // 1.2 MB: two parts (of 1 MiB) on the wire.
    {
      name: 'minutes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from(FILE_CANARY.repeat(COPIES)),
    },
  ]);
  await page.getByText('has been removed from this image').waitFor();
  await page.getByText('may contain hidden information').waitFor();
  await expectAccessible(t, 'files chosen');
  await screenshot(page, 'submit-files-en');

  // Every value the one bar takes, and every time estimate, as the page shows them.
  await page.evaluate(() => {
    const area = document.querySelector('#submit-view .progress')!;
    const seen: { value: string | null; eta: string }[] = [];
    (window as unknown as { seen: typeof seen }).seen = seen;
    new MutationObserver(() => {
      const eta = area.querySelector<HTMLElement>('.hint')!;
      seen.push({
        value: area.querySelector('progress')!.getAttribute('value'),
        eta: eta.hidden ? '' : eta.textContent,
      });
    }).observe(area, { attributes: true, childList: true, characterData: true, subtree: true });
  });
  // The second part on the wire (the first of minutes.txt) waits until the test lets it go.
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
  await page.getByRole('button', { name: 'Lock and send' }).click();
  await holding;
  await page.getByText('Keep this page open until you see your receipt').waitFor();
  const midway = Number(await page.getAttribute('#submit-view progress', 'value'));
  t.ok(midway > 0 && midway < 100, `the bar is part way during the upload (${midway} %)`);
  // Closing (or reloading) now asks first; staying keeps the upload going.
  const dialog = page.waitForEvent('dialog');
  await page.close({ runBeforeUnload: true });
  t.same(await dialog.then((d) => d.type()), 'beforeunload', 'leaving mid-upload asks first');
  t.notOk(page.isClosed(), 'staying keeps the page');
  // Long enough for an estimate to mean something (3 s and 5 %).
  await new Promise((resolve) => setTimeout(resolve, 3200));
  release();
  await page.locator('.receipt').waitFor({ timeout: 60_000 });
  await page.unroute('**/v1/uploads/*/parts/*');
  t.equal(puts, 3, 'three parts sent');
  t.notOk(
    await page.getByText('Keep this page open').isVisible(),
    'the note goes with the receipt',
  );
  const seen = await page.evaluate(
    () => (window as unknown as { seen: { value: string | null; eta: string }[] }).seen,
  );
  const values = seen.map((s) => s.value);
  t.notOk(values.includes(null), 'never an empty bar (no "length unknown" while preparing)');
  const numbers = values.map(Number);
  t.ok(
    numbers.every((n, i) => i === 0 || n >= numbers[i - 1]!),
    `the bar never goes back across files (${[...new Set(numbers)].join(', ')})`,
  );
  t.equal(numbers.at(-1), 100, 'and ends at 100 %');
  t.ok(new Set(numbers).size >= 4, 'it moves in several steps');
  t.ok(
    seen.some((s) => /^About \d+ (seconds?|minutes?) left$/.test(s.eta)),
    'a time estimate in words once it means something',
  );
  receipt = (await page.textContent('.receipt'))!.trim();
  t.match(receipt, /^([0-9A-Z]{4}-){6}[0-9A-Z]{4}$/, 'a grouped receipt');
  t.match(await page.textContent('.receipt-panel'), 'shown only once');
  t.equal(
    await page.evaluate(() => document.activeElement?.tagName),
    'H1',
    'focus moves to the receipt heading',
  );
  await expectAccessible(t, 'receipt');
  await screenshot(page, 'receipt-en');
  const finish = page.getByRole('button', { name: 'Finish' });
  t.ok(await finish.isDisabled(), 'Finish waits for the confirmation');
  await page.getByLabel('I have written down my receipt').check();
  await finish.click();
  await page.getByText('Your receipt is no longer shown').waitFor();
  t.equal(await page.locator('.receipt').count(), 0, 'the receipt is gone from the page');
});

let caseId = '';
let replyKey: Uint8Array = new Uint8Array();
let authorKey: Uint8Array = new Uint8Array();

void t.test('the reviewer opens what the page sealed', async (t) => {
  const row = await db.selectFrom('submissions').selectAll().executeTakeFirstOrThrow();
  caseId = row.case_id;
  t.equal(row.received, today());
  const opened = await openDocument(row.envelope!, ringOf(site.trust.reviewer, site.trust.epochs));
  t.ok(opened, 'sealed to the reviewer');
  const doc = opened!.document;
  t.equal(doc.kind, 'submission');
  if (doc.kind !== 'submission') return;
  replyKey = fromBase64Url(doc.replyPublicKey);
  authorKey = opened!.author;
  t.equal(doc.message, MESSAGE_CANARY);
  t.same(doc.answers, {
    un_body: 'special_procedures',
    country: 'BY',
    reprisal_kinds: ['travel_ban', 'surveillance'],
    when: WHEN_CANARY,
    danger_now: 'yes',
    support_needed: ['relocation', 'digital_security'],
    consent_public: 'anonymised',
    publicity_risk: 'yes',
    safe_contact: 'status_page',
  });
  t.same(
    doc.attachments.map((a) => [a.name, a.type]),
    [
      ['photo.jpg', 'image/jpeg'],
      ['minutes.txt', 'text/plain'],
    ],
  );
  for (const entry of doc.attachments) {
    const upload = await db
      .selectFrom('uploads')
      .selectAll()
      .where('id', '=', entry.uploadId)
      .executeTakeFirstOrThrow();
    const chunks: Uint8Array[] = [];
    const plain = decryptAttachment(readUpload(db, upload), {
      key: fromBase64Url(entry.key),
      size: entry.size,
      digest: fromBase64Url(entry.digest),
      ...(entry.digestAlgorithm ? { digestAlgorithm: entry.digestAlgorithm } : {}),
    });
    for await (const chunk of plain) chunks.push(chunk);
    const bytes = Buffer.concat(chunks);
    if (entry.name === 'photo.jpg') {
      t.same([...bytes.subarray(0, 2)], [0xff, 0xd8], 'still a JPEG');
      t.notOk(bytes.includes(GPS_CANARY), 'GPS/EXIF removed before sealing');
    } else {
      t.equal(bytes.length, FILE_CANARY.length * COPIES);
      t.ok(bytes.equals(Buffer.from(FILE_CANARY.repeat(COPIES))), 'document intact');
      t.equal(upload.part_count, 2, 'sent in two parts');
    }
  }
  const seq = row.seq;
  const { reviewer, keyset } = site.trust;
  const stated = async (id: string, signed: unknown, kind: string) =>
    insertStatement(db, {
      id,
      submissionSeq: seq,
      kind,
      signed: JSON.stringify(signed),
      statedOn: today(),
    });
  const input = { caseId, replyPublicKey: replyKey };
  await stated(
    'st-1',
    await createStatement({ ...input, kind: 'status', status: 'in_review' }, reviewer, keyset),
    'status',
  );
  await stated(
    'st-2',
    await createStatement({ ...input, kind: 'reply', text: REPLY }, reviewer, keyset),
    'reply',
  );
  // Signed by someone outside the keyset (a server that wants to put words in the
  // reviewers' mouths): the page must not show it.
  const impostor = await generateReviewerIdentity('Test Reviewer');
  const forged = await createStatement(
    { ...input, kind: 'reply', text: 'FORGED: send us your address' },
    impostor,
    keyset,
  );
  await stated('st-3', forged, 'reply');
  // A check-in request: to the server, a reply like the others.
  await stated(
    'st-4',
    await createStatement(
      { ...input, kind: 'reply', text: 'When you can, please confirm here.', checkin: 14 },
      reviewer,
      keyset,
    ),
    'reply',
  );
});

void t.test('the status page shows the verified reply and sends a follow-up', async (t) => {
  await page.getByRole('button', { name: 'Check a report' }).click();
  // A typo is caught by the checksum, in the page, before anything is sent.
  const before = browser.requests.length;
  const typo = receipt.slice(0, 5) + (receipt[5] === 'A' ? 'B' : 'A') + receipt.slice(6);
  await page.getByLabel('Receipt').fill(typo);
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.getByText('This receipt has a typing mistake').waitFor();
  t.equal(browser.requests.length, before, 'a mistyped receipt sends nothing');
  await expectAccessible(t, 'status typo');

  // Lower case, without dashes: still the same receipt.
  await page.getByLabel('Receipt').fill(receipt.toLowerCase().replaceAll('-', ' '));
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.getByText(REPLY).waitFor();
  t.match(await page.textContent('.status-line'), 'Being reviewed');
  t.match(await page.textContent('.statements'), 'Test Reviewer');
  t.notMatch(await page.textContent('#status-view'), 'FORGED', 'the forged statement is not shown');
  t.match(await page.textContent('#status-view'), '1 message(s) could not be verified');
  await expectAccessible(t, 'status with reply');
  await screenshot(page, 'status-en');

  await page.getByLabel('Your message').fill('CANARY-FOLLOWUP they came back yesterday');
  await page.locator('form.followup').getByRole('button', { name: 'Lock and send' }).click();
  await page.getByText('Your message has been sent').waitFor({ timeout: 30_000 });
  const followup = await db.selectFrom('followups').selectAll().executeTakeFirstOrThrow();
  const opened = await openDocument(
    followup.envelope,
    ringOf(site.trust.reviewer, site.trust.epochs),
  );
  t.equal(opened?.document.kind, 'followup');
  t.equal(opened?.document.message, 'CANARY-FOLLOWUP they came back yesterday');
  await checkAuthor(opened!, authorKey);
  t.same(opened!.author, authorKey, "signed by the author key of the case's submission");

  // The check-in: one action, neutral words, sent as a signed follow-up.
  const checkin = page.locator('section.checkin');
  const words = (await checkin.textContent()) ?? '';
  t.notMatch(words, /danger|safe|alive|emergenc|missed|overdue|help/i, 'nothing alarming');
  await expectAccessible(t, 'status with check-in');
  await checkin.getByRole('button', { name: 'Confirm', exact: true }).click();
  await checkin.getByText('Thank you. Sent on').waitFor({ timeout: 30_000 });
  const rows = await db.selectFrom('followups').selectAll().orderBy('seq').execute();
  t.equal(rows.length, 2);
  const answers = [];
  for (const r of rows) {
    const doc = await openDocument(r.envelope, ringOf(site.trust.reviewer, site.trust.epochs));
    await checkAuthor(doc!, authorKey);
    answers.push(doc!.document.answers);
  }
  t.same(answers, [{}, { checkin: 'fine' }], 'the confirmation is a sealed, signed answer');
});

void t.test('what left the page: same origin, ciphertext only; nothing kept', async (t) => {
  const origin = new URL(site.url).origin;
  const canaries = [
    MESSAGE_CANARY,
    WHEN_CANARY,
    FILE_CANARY,
    GPS_CANARY,
    'CANARY-FOLLOWUP',
    receipt,
    receipt.replaceAll('-', ''),
  ];
  t.ok(browser.requests.length > 10);
  const kinds = new Set<string>();
  for (const request of browser.requests) {
    const url = new URL(request.url);
    t.equal(url.origin, origin, `${request.method} ${url.pathname}: same origin`);
    kinds.add(
      `${request.method} ${url.pathname.replace(/\/[A-Za-z0-9_-]{22}(\/|$)/, '/:id$1').replace(/\d+$/, ':n')}`,
    );
    const body = request.body ?? Buffer.alloc(0);
    for (const canary of canaries) {
      if (body.includes(canary) || request.url.includes(canary))
        t.fail(`${request.method} ${url.pathname} carries "${canary.slice(0, 20)}"`);
    }
  }
  for (const expected of [
    'POST /v1/uploads',
    'PUT /v1/uploads/:id/parts/:n',
    'POST /v1/submissions',
    'POST /v1/status',
    'POST /v1/followups',
  ]) {
    t.ok(kinds.has(expected), `the page made ${expected}`);
  }
  t.same(await browserTraces(browser), {
    localStorage: 0,
    sessionStorage: 0,
    indexedDB: 0,
    serviceWorkers: 0,
    cookie: '',
    cookies: 0,
  });
  t.same(browser.errors, [], 'no uncaught error in the page');
});

void t.test(
  'leaving after sending is free; quick exit during an upload goes without the warning',
  async (t) => {
    // After sending (the receipt confirmed, a follow-up sent), leaving is free again.
    await page.goto(site.url);
    await page.getByText(/keys are verified/).waitFor();
    t.same(dialogs, ['beforeunload'], 'no warning after sending: only the one mid-upload');
    await fillRequired(page);
    await page.setInputFiles('input[type=file]', [
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.alloc(100_000, 'q') },
    ]);
    await page.getByText('may contain hidden information').waitFor();
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    // The part never arrives: the upload is still going when the person leaves.
    await page.route('**/v1/uploads/*/parts/*', () => held());
    await page.getByRole('button', { name: 'Lock and send' }).click();
    await holding;
    await page.getByText('Keep this page open').waitFor();
    await page.getByRole('button', { name: 'Quick exit' }).click();
    await page.waitForURL('about:blank', { timeout: 5000 });
    t.equal(dialogs.length, 1, 'no beforeunload dialog on the way out');
  },
);
