// A hostile server (or whoever holds its database) against the page's epoch
// keys: it writes into its own table an epoch key signed by another reviewer
// of the same organisation, or the key of someone outside the keyset filed
// under a reviewer's name, or it serves only last month's key. Whatever it
// serves beside the genuine keys, the page in Chromium offers no form, says
// why, seals nothing and sends nothing: no report goes to a key the
// organisation's reviewers did not vouch for, or to a week that is over.
import t, { type Test } from 'tap';
import {
  type EpochKey,
  addDays,
  epochRecipientId,
  generateEpochKey,
  generateReviewerIdentity,
  reviewerCard,
  signKeyset,
  toBase64Url,
} from '../../client-crypto/index.ts';
import type { ReviewerIdentity } from '../../client-crypto/index.ts';
import { insertEpochKey } from '../../server/db/epochs.ts';
import { storeKeyset } from '../../server/db/keysets.ts';
import { type Site, axeViolations, openBrowser, startSite, today } from '../browser/harness.ts';
import { type TestEpoch, makeEpoch } from '../epochs.ts';
import { storeEpochs } from '../helper.ts';

const T = today();

/** A site whose keyset (version 2) has two reviewers, Test Reviewer and Bea, each with this week's key. */
async function twoReviewers(t: Test): Promise<{ site: Site; bea: ReviewerIdentity }> {
  const site = await startSite(t, { epochs: false });
  const bea = await generateReviewerIdentity('Bea');
  const { keyset, org, reviewer } = site.trust;
  const signed = await signKeyset(
    { ...keyset, version: 2, reviewers: [...keyset.reviewers, reviewerCard(bea)] },
    org,
  );
  await storeKeyset(site.app.sealbox.db, 2, JSON.stringify(signed));
  await storeEpochs(site.app.sealbox.db, [
    await makeEpoch(reviewer, 1, addDays(T, -3), addDays(T, 4)),
    await makeEpoch(bea, 1, addDays(T, -3), addDays(T, 4)),
  ]);
  return { site, bea };
}

/** The page refuses: no form, the reason in words, nothing sealed or sent. */
async function refuses(t: Test, site: Site, reason: RegExp) {
  const browser = await openBrowser(t);
  const { page } = browser;
  await page.goto(site.url);
  const alert = page.locator('#submit-view > [role=alert]');
  await alert.getByText('could not verify').waitFor();
  t.match(await alert.textContent(), reason);
  t.equal(await page.locator('#submit-view form').isHidden(), true, 'no form to fill in');
  t.same(await axeViolations(page), [], 'axe: the refusal');
  t.same(
    browser.requests.filter((r) => r.method !== 'GET' || r.url.includes('/v1/challenge')),
    [],
    'nothing sent, not even a challenge fetched',
  );
  t.ok(
    browser.requests.some((r) => r.url.endsWith('/v1/epochs')),
    'the page did fetch the epoch keys',
  );
  t.same(browser.errors, [], 'no uncaught error in the page');
}

const NOT_A_REVIEWER = /weekly keys that are not signed by a reviewer of this organisation/;

void t.test("an epoch key signed by another reviewer's identity", async (t) => {
  const { site, bea } = await twoReviewers(t);
  const { reviewer } = site.trust;
  // Bea, a reviewer of the same organisation, signs a key that names her
  // colleague: the signature is hers, the key claims to be his.
  const forged = await generateEpochKey(
    { signPublicKey: reviewer.signPublicKey, signSecretKey: bea.signSecretKey },
    2,
    addDays(T, -1),
    addDays(T, 6),
  );
  const epoch: TestEpoch = {
    reviewer,
    epoch: 2,
    starts: addDays(T, -1),
    ends: addDays(T, 6),
    signed: forged.signed,
    seed: forged.seed,
    keyPair: { publicKey: forged.publicKey, secretKey: forged.seed },
  };
  await storeEpochs(site.app.sealbox.db, [epoch]);
  await refuses(t, site, NOT_A_REVIEWER);
});

void t.test('the epoch key of someone not in the keyset, under a reviewer’s name', async (t) => {
  const { site } = await twoReviewers(t);
  const outsider = await generateReviewerIdentity('Test Reviewer');
  const theirs = await makeEpoch(outsider, 2, addDays(T, -1), addDays(T, 6));
  // Filed under the reviewer's name in the server's own table, so that its
  // query serves it.
  const { payload } = theirs.signed;
  const key = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as EpochKey;
  await insertEpochKey(site.app.sealbox.db, {
    recipientId: await epochRecipientId(key),
    reviewer: toBase64Url(site.trust.reviewer.signPublicKey),
    epoch: key.epoch,
    starts: key.starts,
    ends: key.ends,
    signed: JSON.stringify(theirs.signed),
  });
  await refuses(t, site, NOT_A_REVIEWER);
});

void t.test('only last month’s key, served as if it were current', async (t) => {
  const site = await startSite(t, { epochs: false });
  const old = await makeEpoch(site.trust.reviewer, 1, addDays(T, -35), addDays(T, -28));
  const browser = await openBrowser(t);
  await browser.page.route('**/v1/epochs', (route) =>
    route.fulfill({ json: { epochs: [old.signed] } }),
  );
  const { page } = browser;
  await page.goto(site.url);
  const alert = page.locator('#submit-view > [role=alert]');
  await alert.getByText("the organisation's weekly keys are out of date").waitFor();
  t.equal(await page.locator('#submit-view form').isHidden(), true, 'no form to fill in');
  t.same(await axeViolations(page), [], 'axe: the refusal');
  t.notOk(
    browser.requests.some((r) => r.method !== 'GET'),
    'nothing sent',
  );
});
