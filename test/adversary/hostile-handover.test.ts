// Handover files made to mislead desk B's reviewer: signed by a reviewer of
// the keyset (a hostile colleague, or whoever took their key), yet each is
// refused before anything is written, and a case already in the folder stays
// as it was. Real keys, real envelopes, real files.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import {
  deriveReceiptKeys,
  generateReceipt,
  generateReviewerIdentity,
  toBase64Url,
} from '../../client-crypto/index.ts';
import { reviewHandover } from '../../reviewer/commands/review-handover.ts';
import { reviewOpen } from '../../reviewer/commands/review-open.ts';
import { type HandoverPayload, signHandover } from '../../reviewer/cases/handover-file.ts';
import { loadReviewerKey } from '../../reviewer/keys.ts';
import { type Submitter, TEST_ENV, sealItem, tempDir, writeBundle } from '../reviewer/fixtures.ts';
import { DESK_A, DESK_B, codeOf, deskItem, makeDeskSetup } from '../reviewer/desk-fixtures.ts';

const dir = await tempDir(t);
const s = await makeDeskSetup(dir);
const trust = { keyset: s.keysetFile, organisation: s.orgFingerprint };
const anaCases = join(dir, 'ana-cases');
const benCases = join(dir, 'ben-cases');
const submission = await deskItem(s, {
  kind: 'submission',
  id: 'case-one',
  seq: 1,
  desk: DESK_A,
  message: 'The real testimony.',
});
const bundle = join(dir, 'bundle.sbx');
await writeBundle(bundle, [submission], s.sealing, s.submitter);
await reviewOpen({ bundle, key: s.anaKey, cases: anaCases, ...trust }, s.io);
const handed = await reviewHandover(
  {
    caseId: 'case-one',
    to: DESK_B,
    consent: 'Agreed in writing.',
    epochKeys: s.epochsFile,
    out: join(dir, 'handover.json'),
    key: s.anaKey,
    cases: anaCases,
  },
  s.io,
);
await reviewOpen({ bundle: handed.out, key: s.benKey, cases: benCases, ...trust }, s.io);
const benCase = () => readFile(join(benCases, 'case-one', 'case.json'), 'utf8');
const before = await benCase();

const ana = (await loadReviewerKey(s.anaKey, { env: TEST_ENV })).secrets;
const stranger = await deriveReceiptKeys(await generateReceipt());
let n = 0;

/** A handover signed by Ana (a reviewer of the keyset), with what the test puts in it. */
async function forged(
  payload: Partial<HandoverPayload>,
  signer: Parameters<typeof signHandover>[1] = ana,
): Promise<string> {
  const file = join(dir, `forged-${++n}.json`);
  const full: HandoverPayload = {
    v: 1,
    caseId: 'case-one',
    desk: DESK_B,
    from: DESK_A,
    date: '2026-12-01',
    keysetVersion: s.keyset.version,
    consent: 'Agreed.',
    items: [],
    ...payload,
  };
  await writeFile(file, await signHandover(full, signer));
  return file;
}

async function envelopeOf(spec: Parameters<typeof deskItem>[1], who: Submitter = s.submitter) {
  return toBase64Url((await deskItem(s, spec, who)).envelope!);
}

async function casesIn(folder: string): Promise<string[]> {
  return (await readdir(folder).catch(() => [] as string[])).filter((f) => f.startsWith('case'));
}

t.test('a file naming a case that holds other content', async (t) => {
  const other = await envelopeOf(
    { kind: 'submission', id: 'case-one', seq: 1, desk: DESK_B, message: 'Not what they said.' },
    stranger,
  );
  const file = await forged({
    items: [{ itemId: 'case-one', kind: 'submission', date: '2026-12-01', envelope: other }],
  });
  t.equal(
    await codeOf(reviewOpen({ bundle: file, key: s.benKey, cases: benCases }, s.io)),
    'HANDOVER_TAMPERED',
  );
  t.equal(await benCase(), before, 'the case already here is unchanged');
});

t.test('a file re-sealed to the wrong desk', async (t) => {
  const toA = await envelopeOf({ kind: 'submission', id: 'case-two', seq: 2, desk: DESK_A });
  const file = await forged({
    caseId: 'case-two',
    items: [{ itemId: 'case-two', kind: 'submission', date: '2026-12-01', envelope: toA }],
  });
  const fresh = join(dir, 'ben-fresh-1');
  t.equal(
    await codeOf(reviewOpen({ bundle: file, key: s.benKey, cases: fresh, ...trust }, s.io)),
    'HANDOVER_REFUSED',
  );
  t.same(await casesIn(fresh), [], 'nothing adopted');
  const toADesk = await forged({
    caseId: 'case-two',
    desk: DESK_A,
    items: [{ itemId: 'case-two', kind: 'submission', date: '2026-12-01', envelope: toA }],
  });
  t.equal(
    await codeOf(reviewOpen({ bundle: toADesk, key: s.benKey, cases: fresh }, s.io)),
    'HANDOVER_REFUSED',
    'a file for a desk the reader is not in',
  );
});

t.test("a follow-up by someone else than the case's author", async (t) => {
  const first = await envelopeOf({ kind: 'submission', id: 'case-three', seq: 3, desk: DESK_B });
  const intruder = await envelopeOf(
    { kind: 'followup', id: 'fu-x', caseId: 'case-three', seq: 4, desk: DESK_B },
    stranger,
  );
  const file = await forged({
    caseId: 'case-three',
    items: [
      { itemId: 'case-three', kind: 'submission', date: '2026-12-01', envelope: first },
      { itemId: 'fu-x', kind: 'followup', date: '2026-12-01', envelope: intruder },
    ],
  });
  const fresh = join(dir, 'ben-fresh-2');
  t.equal(
    await codeOf(reviewOpen({ bundle: file, key: s.benKey, cases: fresh, ...trust }, s.io)),
    'HANDOVER_TAMPERED',
  );
  t.same(await casesIn(fresh), [], 'not even the submission is adopted');
});

t.test('an envelope filed as another kind, or a file no reviewer signed', async (t) => {
  const first = await envelopeOf({ kind: 'submission', id: 'case-four', seq: 5, desk: DESK_B });
  const fresh = join(dir, 'ben-fresh-3');
  const asFollowup = await forged({
    caseId: 'case-four',
    items: [
      { itemId: 'case-four', kind: 'submission', date: '2026-12-01', envelope: first },
      { itemId: 'fu-y', kind: 'followup', date: '2026-12-01', envelope: first },
    ],
  });
  t.equal(
    await codeOf(reviewOpen({ bundle: asFollowup, key: s.benKey, cases: fresh, ...trust }, s.io)),
    'HANDOVER_TAMPERED',
  );
  const outsider = await generateReviewerIdentity('Mallory');
  const unsigned = await forged(
    {
      caseId: 'case-four',
      items: [{ itemId: 'case-four', kind: 'submission', date: '2026-12-01', envelope: first }],
    },
    outsider,
  );
  t.equal(
    await codeOf(reviewOpen({ bundle: unsigned, key: s.benKey, cases: fresh }, s.io)),
    'HANDOVER_TAMPERED',
  );
  const toEveryone = toBase64Url(
    (await sealItem({ kind: 'submission', id: 'case-five', seq: 6 }, s.sealing, s.submitter))
      .envelope,
  );
  const notDesk = await forged({
    caseId: 'case-five',
    items: [{ itemId: 'case-five', kind: 'submission', date: '2026-12-01', envelope: toEveryone }],
  });
  t.equal(
    await codeOf(reviewOpen({ bundle: notDesk, key: s.benKey, cases: fresh }, s.io)),
    'HANDOVER_TAMPERED',
    'an envelope that is not sealed to a desk',
  );
  t.same(await casesIn(fresh), []);
});
