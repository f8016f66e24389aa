// Epoch keys under attack. A submitter's client (buggy, stale or hostile)
// seals to keys that would leave a reviewer unable to open a report, or keep
// it open to a laptop seized later: an identity key, an ended epoch, one
// reviewer twice, some reviewers only, a removed reviewer. The server refuses
// each with EPOCH_NOT_CURRENT before it stores anything or spends the proof.
// A courier (or whoever holds a courier key) publishes epoch keys that are
// tampered, signed by the wrong reviewer, of a stranger or long ended, or that
// would replace a published key: each is refused with its code, and nothing
// of that request is stored.
import t from 'tap';
import {
  EPOCH_KEY_FORMAT,
  courierCard,
  deriveReceiptKeys,
  generateCourierKey,
  generateOrganisationKey,
  generateReceipt,
  generateReviewerIdentity,
  reviewerCard,
  sealDocument,
  signKeyset,
  toBase64Url,
} from '../../client-crypto/index.ts';
import type {
  Keyset,
  ReviewerIdentity,
  SealingKeys,
  SignedEpochKey,
} from '../../client-crypto/index.ts';
import { EPOCH_KEY_SIGNATURE_LABEL } from '../../client-crypto/epoch.ts';
import { signJson } from '../../client-crypto/signed.ts';
import { call } from '../../reviewer/courier/http.ts';
import type { CourierClient } from '../../reviewer/courier/http.ts';
import type { Db } from '../../server/db/database.ts';
import { addDays, today } from '../../server/db/dates.ts';
import { storeKeyset } from '../../server/db/keysets.ts';
import { courierServer, refusal } from '../server/courier-fixtures.ts';
import type { TestEpoch } from '../epochs.ts';
import { legacySealingKeys, makeEpoch } from '../epochs.ts';
import { build, sampleDocument, solvedChallenge, storeEpochs } from '../helper.ts';

type ErrorJson = { error: { code: string; message: string } };

async function keysetOf(version: number, reviewers: ReviewerIdentity[]) {
  const org = await generateOrganisationKey();
  const courier = await generateCourierKey('Courier');
  const keyset: Keyset = {
    version,
    issued: today(),
    expires: addDays(today(), 365),
    reviewers: reviewers.map(reviewerCard),
    couriers: [courierCard(courier)],
  };
  return { keyset, signed: await signKeyset(keyset, org) };
}

const to = (keysetVersion: number, epochs: TestEpoch[]): SealingKeys => ({
  keysetVersion,
  recipients: epochs.map((e) => ({
    reviewerName: e.reviewer.name,
    epoch: e.epoch,
    publicKey: e.keyPair.publicKey,
  })),
});

async function counts(db: Db) {
  const [cases, followups, spent] = await Promise.all(
    ['submissions', 'followups', 'spent_challenges'].map(async (table) =>
      Number(
        (
          await db
            .selectFrom(table as 'submissions')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ),
  );
  return { cases, followups, spent };
}

t.test('submissions sealed to keys that are not current are refused', async (t) => {
  const { app, db } = await build(t);
  const day = today();
  const ana = await generateReviewerIdentity('Ana');
  const ben = await generateReviewerIdentity('Ben');
  const first = await keysetOf(1, [ana, ben]);
  await storeKeyset(db, 1, JSON.stringify(first.signed));
  const starts = addDays(day, -3);
  const anaNow = await makeEpoch(ana, 2, starts, addDays(starts, 7));
  const benNow = await makeEpoch(ben, 2, starts, addDays(starts, 7));
  // Ended two days ago: past the days the server still accepts.
  const anaOld = await makeEpoch(ana, 1, addDays(day, -9), addDays(day, -2));
  await storeEpochs(db, [anaNow, benNow, anaOld]);

  const submit = async (sealing: SealingKeys) => {
    const keys = await deriveReceiptKeys(await generateReceipt());
    const envelope = await sealDocument(
      sampleDocument('submission', keys),
      sealing,
      keys.authorKeyPair,
    );
    return app.inject({
      method: 'POST',
      url: '/v1/submissions',
      payload: {
        challenge: await solvedChallenge(app),
        lookupToken: toBase64Url(keys.lookupToken),
        envelope: toBase64Url(envelope),
      },
    });
  };
  const refused = async (name: string, sealing: SealingKeys, message: RegExp) => {
    const res = await submit(sealing);
    t.equal(res.statusCode, 409, `${name}: ${res.body}`);
    t.equal(res.json<ErrorJson>().error.code, 'EPOCH_NOT_CURRENT', name);
    t.match(res.json<ErrorJson>().error.message, message, name);
    t.same(await counts(db), { cases: 0, followups: 0, spent: 0 }, `${name}: nothing stored`);
  };

  await refused(
    'sealed to the identity keys, as before epoch keys',
    legacySealingKeys(first.keyset),
    /not sealed to a published epoch key/,
  );
  await refused(
    'an ended epoch',
    to(1, [anaOld, benNow]),
    /epoch 1 of reviewer "Ana".*not accepted/,
  );
  await refused('one reviewer twice', to(1, [benNow, benNow]), /"Ben" a second time/);
  await refused('only some reviewers', to(1, [anaNow]), /not sealed to reviewer "Ben"/);
  const unpublished = await makeEpoch(ben, 3, starts, addDays(starts, 7));
  await refused(
    'an epoch key the server never published',
    to(1, [anaNow, unpublished]),
    /not sealed to a published epoch key/,
  );

  // Ben leaves: keyset 2 lists Ana only. Ben's key is still stored, but an
  // envelope that names it is readable by someone who is no reviewer.
  const second = await keysetOf(2, [ana]);
  await storeKeyset(db, 2, JSON.stringify(second.signed));
  await refused(
    'a reviewer removed from the keyset',
    to(2, [anaNow, benNow]),
    /reviewer who is not in the current keyset/,
  );
  const ok = await submit(to(2, [anaNow]));
  t.equal(ok.statusCode, 201, `sealed to every current reviewer: ${ok.body}`);

  // Late in an epoch: ended yesterday, still accepted for EPOCH_ACCEPT_DAYS.
  const anaLate = await makeEpoch(ana, 4, addDays(day, -8), addDays(day, -1));
  await storeEpochs(db, [anaLate]);
  const late = await submit(to(2, [anaLate]));
  t.equal(late.statusCode, 201, `sealed late in an epoch that has just ended: ${late.body}`);
  // Early: the day before the next epoch starts (a fast clock at the page).
  const anaNext = await makeEpoch(ana, 5, addDays(day, 1), addDays(day, 8));
  await storeEpochs(db, [anaNext]);
  t.equal((await submit(to(2, [anaNext]))).statusCode, 201, 'sealed to the next epoch a day early');
  const anaLater = await makeEpoch(ana, 6, addDays(day, 2), addDays(day, 9));
  await storeEpochs(db, [anaLater]);
  t.equal((await submit(to(2, [anaLater]))).statusCode, 409, 'but not two days early');
});

t.test('follow-ups sealed to an ended epoch are refused', async (t) => {
  const { app, db } = await build(t);
  const day = today();
  const ana = await generateReviewerIdentity('Ana');
  const { keyset, signed } = await keysetOf(1, [ana]);
  await storeKeyset(db, 1, JSON.stringify(signed));
  const old = await makeEpoch(ana, 1, addDays(day, -12), addDays(day, -5));
  const now = await makeEpoch(ana, 2, addDays(day, -5), addDays(day, 2));
  await storeEpochs(db, [old, now]);
  const keys = await deriveReceiptKeys(await generateReceipt());
  const send = async (url: string, kind: 'submission' | 'followup', sealing: SealingKeys) =>
    app.inject({
      method: 'POST',
      url,
      payload: {
        challenge: await solvedChallenge(app),
        lookupToken: toBase64Url(keys.lookupToken),
        envelope: toBase64Url(
          await sealDocument(sampleDocument(kind, keys), sealing, keys.authorKeyPair),
        ),
      },
    });
  t.equal((await send('/v1/submissions', 'submission', to(1, [now]))).statusCode, 201);
  const before = await counts(db);
  const stale = await send('/v1/followups', 'followup', to(1, [old]));
  t.equal(stale.statusCode, 409, stale.body);
  t.equal(stale.json<ErrorJson>().error.code, 'EPOCH_NOT_CURRENT');
  const legacy = await send('/v1/followups', 'followup', legacySealingKeys(keyset));
  t.equal(legacy.json<ErrorJson>().error.code, 'EPOCH_NOT_CURRENT', 'nor to the identity key');
  t.same(await counts(db), before, 'nothing stored, no proof spent');
  t.equal((await send('/v1/followups', 'followup', to(1, [now]))).statusCode, 201);
});

async function storedEpochs(db: Db): Promise<number> {
  const row = await db
    .selectFrom('epoch_keys')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

t.test('POST /v1/courier/epochs refuses bad epoch keys, storing nothing', async (t) => {
  const { db, client, reviewer } = await courierServer(t);
  const day = today();
  const good = await makeEpoch(reviewer, 2, addDays(day, 4), addDays(day, 11));
  const push = (client: CourierClient, ...epochs: unknown[]) =>
    refusal(call(client, 'POST', '/v1/courier/epochs', { epochs }));
  const before = await storedEpochs(db);

  const next = await makeEpoch(reviewer, 3, addDays(day, 11), addDays(day, 18));
  const payload = Buffer.from(next.signed.payload, 'base64url');
  payload[payload.length - 3]! ^= 1;
  const tampered = { ...next.signed, payload: toBase64Url(payload) };

  const stranger = await generateReviewerIdentity('Mallory');
  // Mallory signs a key that names the reviewer: not the reviewer's signature.
  const forged = await signJson(
    EPOCH_KEY_FORMAT,
    EPOCH_KEY_SIGNATURE_LABEL,
    { ...JSON.parse(Buffer.from(next.signed.payload, 'base64url').toString()), epoch: 7 },
    { publicKey: stranger.signPublicKey, secretKey: stranger.signSecretKey },
  );
  const posing: SignedEpochKey = { ...forged, signer: toBase64Url(reviewer.signPublicKey) };
  const foreign = await makeEpoch(stranger, 1, day, addDays(day, 7));
  const ended = await makeEpoch(reviewer, 9, addDays(day, -20), addDays(day, -13));

  const cases: [string, unknown, string, RegExp][] = [
    ['a tampered byte', tampered, '400 EPOCH_SIGNATURE_INVALID', /epochs\[1\]: /],
    ['signed by another key', forged, '400 EPOCH_SIGNATURE_INVALID', /another reviewer/],
    ['posing as the reviewer', posing, '400 EPOCH_SIGNATURE_INVALID', /epochs\[1\]/],
    ['a reviewer not in the keyset', foreign.signed, '400 EPOCH_REVIEWER_UNKNOWN', /keyset/],
    ['ended long ago', ended.signed, '400 EPOCH_EXPIRED', /ended on/],
    ['not an epoch key', { format: 'sealbox-keyset-v1' }, '400 VERSION_UNSUPPORTED', /epochs/],
  ];
  for (const [name, bad, expected] of cases) {
    t.equal(await push(client, good.signed, bad), expected, name);
    t.equal(await storedEpochs(db), before, `${name}: the good key before it is not stored`);
  }
  for (const [name, bad, , message] of cases) {
    try {
      await call(client, 'POST', '/v1/courier/epochs', { epochs: [good.signed, bad] });
    } catch (error) {
      t.match((error as Error).message, message, `${name}: the message says which and why`);
    }
  }
  t.equal(await push(client, good.signed), undefined, 'the good key alone is stored');
  t.equal(await storedEpochs(db), before + 1);
});

t.test('a published epoch key is never replaced', async (t) => {
  const { db, client, reviewer, epochs } = await courierServer(t);
  const day = today();
  const rival = await makeEpoch(reviewer, 1, epochs[0]!.starts, epochs[0]!.ends);
  const fresh = await makeEpoch(reviewer, 2, addDays(day, 4), addDays(day, 11));
  const before = await storedEpochs(db);
  t.equal(
    await refusal(
      call(client, 'POST', '/v1/courier/epochs', { epochs: [fresh.signed, rival.signed] }),
    ),
    '409 EPOCH_CONFLICT',
    'another key for epoch 1',
  );
  // The same X-Wing key under another epoch number: one stanza would count twice.
  const reused = await signJson(
    EPOCH_KEY_FORMAT,
    EPOCH_KEY_SIGNATURE_LABEL,
    {
      ...JSON.parse(Buffer.from(epochs[0]!.signed.payload, 'base64url').toString()),
      epoch: 5,
      starts: addDays(day, 20),
      ends: addDays(day, 27),
    },
    { publicKey: reviewer.signPublicKey, secretKey: reviewer.signSecretKey },
  );
  t.equal(
    await refusal(call(client, 'POST', '/v1/courier/epochs', { epochs: [fresh.signed, reused] })),
    '409 EPOCH_CONFLICT',
    'the X-Wing key of a published epoch',
  );
  t.equal(await storedEpochs(db), before, 'nothing of either request is stored');
  const served = await db.selectFrom('epoch_keys').select('signed').execute();
  t.same(
    served.map((r) => JSON.parse(r.signed) as unknown),
    [epochs[0]!.signed],
    'the published key stands',
  );

  // An outbox pushed again, with a key that has ended since: unchanged, not refused.
  const ended = await makeEpoch(reviewer, 8, addDays(day, -30), addDays(day, -23));
  await storeEpochs(db, [ended]);
  t.match(
    await call(client, 'POST', '/v1/courier/epochs', { epochs: [ended.signed, fresh.signed] }),
    { stored: 1, unchanged: 1 },
  );
});
