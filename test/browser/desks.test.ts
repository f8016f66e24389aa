// Desks in Chromium against the real server (docs/protocol.md, "Desks"): the
// form offers the organisation's desks, named in the page's language, and
// seals the report to the one chosen, so that only that desk's reviewers
// (and those of an `always` desk) open it, as the reviewer tool opens it. A
// follow-up goes to the desk the newest reply names; with no such reply, the
// page asks again. A desk gone from a newer keyset while the person wrote is
// said so, and nothing is sealed to everyone instead. A keyset whose desks were
// changed after the root signed it is refused, and nothing is sealed.
import t, { type Test } from 'tap';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import {
  type Desk,
  type SealedDocument,
  createStatement,
  fromBase64Url,
  openDocument,
  parseEnvelopeHeader,
  signKeyset,
} from '../../client-crypto/index.ts';
import { insertStatement } from '../../server/db/statements.ts';
import { storeKeyset } from '../../server/db/keysets.ts';
import { build, makeDeskKeyset } from '../helper.ts';
import {
  axeViolations,
  builtPage,
  fillRequired,
  openBrowser,
  screenshot,
  serveWeb,
  today,
} from './harness.ts';

const NAMES = ['Treaty bodies reviewer', 'Special procedures reviewer', 'Focal point reviewer'];
const DESKS = ([treaty, special, focal]: string[]): Desk[] => [
  {
    id: 'a',
    names: { en: 'Treaty bodies', fr: 'Organes de traités', ar: 'هيئات المعاهدات' },
    reviewers: [treaty!],
  },
  { id: 'b', names: { en: 'Special procedures' }, reviewers: [special!] },
  { id: 'focal', names: { en: 'Reprisals focal point' }, reviewers: [focal!], always: true },
];

/** The server on a socket with a desk keyset, serving the page pinned to its root. */
async function deskSite(t: Test, tamper?: (payload: Record<string, unknown>) => void) {
  const { app, db } = await build(t);
  const org = await makeDeskKeyset(NAMES, DESKS, tamper ? undefined : db);
  if (tamper) {
    // What a hostile server serves: the root's signature over other desks.
    const payload = JSON.parse(
      Buffer.from(org.signed.payload, 'base64url').toString('utf8'),
    ) as Record<string, unknown>;
    tamper(payload);
    const signed = {
      ...org.signed,
      payload: Buffer.from(JSON.stringify(payload)).toString('base64url'),
    };
    await storeKeyset(db, 1, JSON.stringify(signed));
  }
  serveWeb(app, (await builtPage()).dist, org.org);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, app, db, org };
}

const site = await deskSite(t);
const [treaty, special, focal] = site.org.epochs.map((e) => [e.keyPair]);

/** What each reviewer's epoch key opens of `envelope`, as `review open` opens it. */
async function openers(envelope: Uint8Array) {
  const [a, b, f] = await Promise.all(
    [treaty!, special!, focal!].map((ring) => openDocument(envelope, ring)),
  );
  return { a, b, f };
}

const envelopes = async (table: 'submissions' | 'followups') =>
  (await site.db.selectFrom(table).select(['envelope', 'seq']).orderBy('seq').execute()).map(
    (r) => r.envelope!,
  );

async function checkReceipt(page: Page, receipt: string) {
  await page.goto(`${site.url}/status.html`);
  await page.getByRole('textbox', { name: 'Receipt' }).fill(receipt);
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.locator('form.followup').waitFor();
}

let receipt = '';

void t.test('the form offers the desks and seals to the one chosen', async (t) => {
  const browser = await openBrowser(t);
  const { page } = browser;
  await page.goto(site.url);
  await page.getByText(/keys are verified/).waitFor();
  const choice = page.getByRole('group', { name: /Who should receive your report/ });
  t.same(
    await choice
      .getByRole('radio')
      .evaluateAll((radios) => radios.map((r) => (r as HTMLInputElement).labels![0]!.textContent)),
    ['Treaty bodies', 'Special procedures'],
    'the desks to choose from; the `always` desk is not one of them',
  );
  t.match(await choice.textContent(), 'Reports are also always received by Reprisals focal point.');
  t.same(await axeViolations(page), [], 'axe: the desk choice');

  // Not chosen: said at the desk choice, which takes focus, and nothing is sent.
  await fillRequired(page);
  await page.getByLabel('Your account').fill('CANARY-DESK-A they took my passport');
  const before = browser.requests.length;
  await page.getByRole('button', { name: 'Lock and send' }).click();
  await choice.getByText('Please choose who should receive it.').waitFor();
  t.equal(
    await page.evaluate(() => (document.activeElement as HTMLInputElement).value),
    'a',
    'focus on the desk choice',
  );
  t.equal(browser.requests.length, before, 'nothing left the page');
  t.same(await axeViolations(page), [], 'axe: the desk not chosen');

  // By keyboard: into the group, the arrow keys move between the desks.
  await choice.getByLabel('Treaty bodies').focus();
  await page.keyboard.press('ArrowDown');
  t.ok(await choice.getByLabel('Special procedures').isChecked(), 'the arrow keys choose');
  await page.keyboard.press('ArrowUp');
  t.ok(await choice.getByLabel('Treaty bodies').isChecked());
  await page.getByRole('button', { name: 'Lock and send' }).click();
  await page.locator('.receipt').waitFor({ timeout: 60_000 });
  receipt = (await page.textContent('.receipt'))!.trim();

  const [envelope] = await envelopes('submissions');
  t.equal(parseEnvelopeHeader(envelope!).version, 3, 'a desk envelope');
  const { a, b, f } = await openers(envelope!);
  t.equal(a?.document.desk, 'a', "desk A's reviewer opens it, and it names desk A");
  t.match(a?.document.message, 'CANARY-DESK-A');
  t.equal(b, null, "desk B's reviewer is not a recipient");
  t.equal(f?.document.desk, 'a', 'the `always` desk opens it too');
  await screenshot(page, 'desk-choice-en');
  t.same(browser.errors, [], 'no uncaught error in the page');
});

void t.test('desk names follow the language of the page', async (t) => {
  const { page } = await openBrowser(t, { locale: 'fr-FR' });
  await page.goto(site.url);
  const choice = page.locator('[data-field=desk]');
  await choice.getByText('Organes de traités').waitFor();
  // A desk with no French name keeps its English one, marked as English.
  const special = choice.getByText('Special procedures');
  t.equal(await special.getAttribute('lang'), 'en');
  t.match(await choice.textContent(), 'Qui doit recevoir votre signalement');
  t.match(await choice.textContent(), 'toujours reçus par : Reprisals focal point.');
  await page.getByLabel(/Langue|Language/).selectOption('ar');
  await choice.getByText('هيئات المعاهدات').waitFor();
  t.match(await choice.textContent(), 'من يجب أن يتلقى بلاغك');
  t.same(await axeViolations(page), [], 'axe: the desk choice in Arabic');
});

void t.test('a follow-up before any reply names a desk asks for one', async (t) => {
  const browser = await openBrowser(t);
  const { page } = browser;
  await checkReceipt(page, receipt);
  const choice = page.getByRole('group', { name: /Who should receive your message/ });
  t.match(await choice.textContent(), 'No reply has said yet which team has your case');
  await page.getByLabel('Your message').fill('CANARY-FOLLOWUP-B one more thing');
  const before = browser.requests.length;
  await page.locator('form.followup').getByRole('button', { name: 'Lock and send' }).click();
  await choice.getByText('Please choose who should receive it.').waitFor();
  t.equal(browser.requests.length, before, 'nothing sent before a desk is chosen');
  t.same(await axeViolations(page), [], 'axe: the desk asked again');
  await choice.getByLabel('Special procedures').check();
  await page.locator('form.followup').getByRole('button', { name: 'Lock and send' }).click();
  await page.getByText('Your message has been sent.').waitFor({ timeout: 60_000 });
  const [followup] = await envelopes('followups');
  const { a, b } = await openers(followup!);
  t.equal(a, null, 'desk A cannot open it');
  t.equal(b?.document.desk, 'b');
  t.match(b?.document.message, 'CANARY-FOLLOWUP-B');
  t.same(browser.errors, []);
});

void t.test('after a reply naming desk B, follow-ups and check-ins go to desk B', async (t) => {
  const row = await site.db.selectFrom('submissions').selectAll().executeTakeFirstOrThrow();
  const opened = (await openDocument(row.envelope!, treaty!))!.document as SealedDocument & {
    replyPublicKey: string;
  };
  const reply = async (desk: string, text: string) =>
    insertStatement(site.db, {
      id: `st-${desk}`,
      submissionSeq: row.seq,
      kind: 'reply',
      signed: JSON.stringify(
        await createStatement(
          {
            caseId: row.case_id,
            replyPublicKey: fromBase64Url(opened.replyPublicKey),
            kind: 'reply',
            text,
            desk,
            checkin: 7,
          },
          site.org.reviewers[0]!,
          site.org.keyset,
        ),
      ),
      statedOn: today(),
    });
  await reply('b', 'Your case is now with the special procedures team.');
  const browser = await openBrowser(t);
  const { page } = browser;
  await checkReceipt(page, receipt);
  t.equal(await page.locator('#status-view [data-field=desk]').count(), 0, 'no desk to choose');
  await page.getByLabel('Your message').fill('CANARY-AFTER-REPLY to desk B');
  await page.locator('form.followup').getByRole('button', { name: 'Lock and send' }).click();
  await page.getByText('Your message has been sent.').waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByText(/Thank you. Sent on/).waitFor({ timeout: 60_000 });
  const [, followup, checkin] = await envelopes('followups');
  for (const [what, envelope] of [
    ['the follow-up', followup!],
    ['the check-in', checkin!],
  ] as const) {
    const { a, b } = await openers(envelope);
    t.equal(a, null, `${what}: desk A cannot open it`);
    t.equal(b?.document.desk, 'b', `${what}: desk B opens it`);
  }
  t.same(browser.errors, []);
});

void t.test(
  'a desk gone while the person wrote: nothing sealed, asked to choose again',
  async (t) => {
    const changing = await deskSite(t);
    const browser = await openBrowser(t);
    const { page } = browser;
    await page.goto(changing.url);
    await page.getByText(/keys are verified/).waitFor();
    await fillRequired(page);
    await page.getByLabel('Your account').fill('written while the desks changed');
    await page.locator('[data-field=desk]').getByLabel('Treaty bodies').check();
    // The organisation publishes a newer keyset without desk A, same reviewers.
    const { keyset, org } = changing.org;
    const newer = await signKeyset(
      { ...keyset, version: 2, desks: keyset.desks!.filter((d) => d.id !== 'a') },
      org,
    );
    await storeKeyset(changing.db, 2, JSON.stringify(newer));
    await page.getByRole('button', { name: 'Lock and send' }).click();
    await page
      .locator('#submit-view [role=alert]')
      .getByText(/changed who receives reports since this page was opened/)
      .waitFor();
    t.notOk(
      browser.requests.some((r) => r.method === 'POST'),
      'nothing sealed or sent to every reviewer instead',
    );
    t.equal(await page.getByLabel('Your account').inputValue(), 'written while the desks changed');
    t.same(await axeViolations(page), [], 'axe: desks changed');
  },
);

void t.test('desks changed after the root signed them: refused, nothing sealed', async (t) => {
  const changes: [string, (p: Record<string, unknown>) => void][] = [
    [
      'a reviewer added to a desk',
      (p) => {
        const desks = p.desks as { reviewers: string[] }[];
        desks[0]!.reviewers.push(desks[1]!.reviewers[0]!);
      },
    ],
    ['the desks taken away', (p) => delete p.desks],
  ];
  for (const [what, change] of changes) {
    const hostile = await deskSite(t, change);
    const browser = await openBrowser(t);
    const { page } = browser;
    await page.goto(hostile.url);
    const alert = page.locator('#submit-view [role=alert]');
    await alert.getByText(/not signed by the organisation/).waitFor();
    t.ok(await page.locator('#submit-view form').isHidden(), `${what}: no form`);
    t.equal(await page.locator('[data-field=desk]').count(), 0, `${what}: no desk offered`);
    t.notOk(
      browser.requests.some((r) => r.method === 'POST'),
      `${what}: nothing sealed or sent`,
    );
    t.equal((await hostile.db.selectFrom('submissions').selectAll().execute()).length, 0);
  }
});
