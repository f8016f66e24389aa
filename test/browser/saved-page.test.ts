// The saved page, as a person gets it: one HTML file opened from disk (file://),
// built with two API origins, the first of which does not answer. It verifies
// the keys through the second, submits a report with files, and shows the
// reviewer's reply on its own status view; opened again without WebAssembly and
// in French (catalogue inlined, nothing fetched), it reads the reply and sends a
// follow-up on libsodium's pure-JS build. Every request it made went to its API
// origins and nowhere else; its CSP (in a <meta>) was never violated.
import t from 'tap';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createStatement, fromBase64Url, openDocument } from '../../client-crypto/index.ts';
import { insertStatement } from '../../server/db/statements.ts';
import { buildWeb } from '../../web/build.ts';
import { fillRequired, openBrowser, screenshot, startSite, today } from './harness.ts';
import { ringOf } from '../epochs.ts';

const REPLY = 'Reply to the saved page: we have your report.';
const FILE_CANARY = 'CANARY-SAVED-FILE minutes ';

/** An origin on loopback where nothing listens: connections are refused. */
async function deadOrigin(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

const site = await startSite(t);
const dead = await deadOrigin();
const dist = await mkdtemp(join(tmpdir(), 'sealbox-saved-'));
t.teardown(() => rm(dist, { recursive: true, force: true }));
const manifest = await buildWeb({
  outDir: dist,
  orgFingerprint: site.pinned,
  saved: { apiOrigins: [dead, site.url] },
});
const saved = manifest.saved!;
const fileUrl = pathToFileURL(join(dist, saved.file)).href;
const db = site.app.sealbox.db;

const browser = await openBrowser(t);
const { page } = browser;
const workers: string[] = [];
const cspViolations: string[] = [];
browser.context.on('page', (p) => p.on('worker', (w) => workers.push(w.url())));
page.on('worker', (w) => workers.push(w.url()));
const watchConsole = (p: typeof page) =>
  p.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text());
  });
watchConsole(page);

let receipt = '';

void t.test('the file is what the manifest says, and not served', async (t) => {
  t.equal(saved.file, 'saved/sealbox.html');
  t.same(saved.apiOrigins, [dead, site.url]);
  t.equal(manifest.files[saved.file], undefined, 'not among the served files');
  t.equal((await readFile(join(dist, saved.file))).length, saved.bytes);
});

void t.test('opened from disk: keys verified through the origin that answers', async (t) => {
  await page.goto(fileUrl);
  await page.getByText(/keys are verified/).waitFor({ timeout: 60_000 });
  t.match(await page.textContent('.trust'), site.pinned);
  t.equal(await page.textContent('.api-origin'), `Connected to \u2066${site.url}\u2069`);
  t.equal(await page.evaluate(() => document.documentElement.dataset.sodium), 'wasm');

  await fillRequired(page);
  await page.getByLabel('Your account').fill('sent from the saved page');
  await page.setInputFiles('input[type=file]', [
    { name: 'minutes.txt', mimeType: 'text/plain', buffer: Buffer.from(FILE_CANARY.repeat(50)) },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('second file') },
  ]);
  await page.getByText('may contain hidden information').first().waitFor();
  await page.getByRole('button', { name: 'Lock and send' }).click();
  await page.locator('.receipt').waitFor({ timeout: 120_000 });
  receipt = (await page.textContent('.receipt'))!.trim();
  await screenshot(page, 'saved-receipt-en');
  await page.getByLabel('I have written down my receipt').check();
  await page.getByRole('button', { name: 'Finish' }).click();

  const row = await db.selectFrom('submissions').selectAll().executeTakeFirstOrThrow();
  const opened = await openDocument(row.envelope!, ringOf(site.trust.reviewer, site.trust.epochs));
  const doc = opened!.document;
  if (doc.kind !== 'submission') return t.fail('not a submission');
  t.equal(doc.message, 'sent from the saved page');
  t.same(
    doc.attachments.map((a) => a.name),
    ['minutes.txt', 'notes.txt'],
    'both files arrived',
  );
  // The reviewer replies (as the review tool does, through the courier).
  const reply = await createStatement(
    {
      caseId: row.case_id,
      replyPublicKey: fromBase64Url(doc.replyPublicKey),
      kind: 'reply',
      text: REPLY,
    },
    site.trust.reviewer,
    site.trust.keyset,
  );
  await insertStatement(db, {
    id: 'st-saved',
    submissionSeq: row.seq,
    kind: 'reply',
    signed: JSON.stringify(reply),
    statedOn: today(),
  });

  // The status view is in the same file.
  await page.getByRole('button', { name: 'Check a report' }).click();
  await page.getByLabel('Receipt').fill(receipt);
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.getByText(REPLY).waitFor({ timeout: 30_000 });
  await screenshot(page, 'saved-status-en');
  t.ok(
    workers.length > 0 && workers.every((url) => url.startsWith('blob:')),
    `proof of work in a blob: worker (${workers.join(', ') || 'none'})`,
  );
});

void t.test('without WebAssembly, in French: reads the reply, sends a follow-up', async (t) => {
  const second = await browser.context.newPage();
  watchConsole(second);
  const errors: string[] = [];
  second.on('pageerror', (error) => errors.push(error.message));
  await second.addInitScript('delete globalThis.WebAssembly;');
  await second.goto(`${fileUrl}?lang=fr`);
  await second.locator('body[data-ready=true]').waitFor({ timeout: 60_000 });
  t.same(
    await second.evaluate(() => [
      typeof globalThis.WebAssembly,
      document.documentElement.dataset.sodium,
    ]),
    ['undefined', 'js'],
    'the pure-JS libsodium build runs',
  );
  t.equal(await second.title(), 'Sealbox — signalements confidentiels', 'French, inlined');
  await second.getByText(/clés de l’organisation sont vérifiées/).waitFor({ timeout: 60_000 });
  await second.locator('button.tab[data-view=status]').click();
  await second.getByRole('textbox', { name: 'Reçu' }).fill(receipt);
  await second.locator('#status-view form').first().locator('button[type=submit]').click();
  await second.getByText(REPLY).waitFor({ timeout: 60_000 });
  await second.getByLabel('Votre message').fill('CANARY-SAVED-FOLLOWUP sans WebAssembly');
  await second.getByRole('button', { name: 'Chiffrer et envoyer' }).click();
  await second.getByText('Votre message a été envoyé.').waitFor({ timeout: 120_000 });
  const followup = await db.selectFrom('followups').selectAll().executeTakeFirstOrThrow();
  const opened = await openDocument(
    followup.envelope,
    ringOf(site.trust.reviewer, site.trust.epochs),
  );
  t.equal(opened?.document.message, 'CANARY-SAVED-FOLLOWUP sans WebAssembly');
  t.same(errors, [], 'no uncaught error (the libsodium fallback rejection is swallowed)');
});

void t.test('every request went to the API origins, in order; CSP never violated', async (t) => {
  const origins = new Set<string>();
  for (const request of browser.requests) {
    if (request.url.startsWith('file:')) {
      t.equal(request.url.split('?')[0], fileUrl, 'the only file loaded is the page itself');
      continue;
    }
    if (request.url.startsWith('blob:')) continue;
    const origin = new URL(request.url).origin;
    origins.add(origin);
    t.ok(origin === site.url || origin === dead, `${request.method} ${request.url}: an API origin`);
  }
  t.same([...origins].sort(), [dead, site.url].sort(), 'the dead origin was tried, then the next');
  const first = browser.requests.find(
    (r) => !r.url.startsWith('file:') && !r.url.startsWith('blob:'),
  );
  t.equal(first?.url, `${dead}/v1/keyset`, 'the first origin is tried first');
  t.ok(
    browser.requests.filter((r) => r.url.startsWith(site.url) && r.method === 'POST').length >= 5,
    'uploads, submission, status and follow-up went to the answering origin',
  );
  t.same(cspViolations, [], 'no CSP violation');
  t.same(browser.errors, [], 'no uncaught error in the page');
});
