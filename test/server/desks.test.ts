// A server whose keyset has desks takes desk envelopes (version 3) and checks
// their stanzas exactly as any other: every stanza names a current epoch key,
// one per reviewer of the keyset (docs/protocol.md, "Desks").
import t from 'tap';
import {
  type Keyset,
  courierCard,
  deriveReceiptKeys,
  generateCourierKey,
  generateOrganisationKey,
  generateReceipt,
  generateReviewerIdentity,
  openDocument,
  reviewerCard,
  reviewerFingerprint,
  sealDocumentToDesk,
  signKeyset,
  toBase64Url,
  verifyKeyset,
} from '../../client-crypto/index.ts';
import { isoDate } from '../../client-crypto/encoding.ts';
import { storeKeyset } from '../../server/db/keysets.ts';
import { submissionByCaseId } from '../../server/db/submissions.ts';
import { currentEpochs, epochSealingKeys, makeEpoch } from '../epochs.ts';
import { build, sampleDocument, solvedChallenge, storeEpochs } from '../helper.ts';

type ErrorJson = { error: { code: string } };

t.test('desk envelopes are accepted and checked like any other', async (t) => {
  const { app, db } = await build(t);
  const org = await generateOrganisationKey();
  const reviewers = [
    await generateReviewerIdentity('Treaty bodies reviewer'),
    await generateReviewerIdentity('Special procedures reviewer'),
  ];
  const now = new Date();
  const content: Keyset = {
    version: 1,
    issued: isoDate(now),
    expires: isoDate(new Date(now.getTime() + 365 * 86_400_000)),
    reviewers: reviewers.map(reviewerCard),
    couriers: [courierCard(await generateCourierKey('Courier'))],
  };
  const fingerprints = await Promise.all(content.reviewers.map((c) => reviewerFingerprint(c)));
  content.desks = [
    { id: 'treaty-bodies', names: { en: 'Treaty bodies' }, reviewers: [fingerprints[0]!] },
    {
      id: 'special-procedures',
      names: { en: 'Special procedures' },
      reviewers: [fingerprints[1]!],
    },
  ];
  const signed = await signKeyset(content, org);
  await storeKeyset(db, 1, JSON.stringify(signed));
  const keyset = await verifyKeyset(signed, { publicKey: org.publicKey });
  const epochs = await currentEpochs(reviewers, now);
  await storeEpochs(db, epochs);
  const sealing = await epochSealingKeys(keyset, epochs, now);

  const keys = await deriveReceiptKeys(await generateReceipt());
  const lookupToken = toBase64Url(keys.lookupToken);
  const toDesk = (kind: 'submission' | 'followup', desk: string, k = sealing) =>
    sealDocumentToDesk({ ...sampleDocument(kind, keys), desk }, k, keyset, keys.authorKeyPair);

  const envelope = await toDesk('submission', 'treaty-bodies');
  const res = await app.inject({
    method: 'POST',
    url: '/v1/submissions',
    payload: {
      challenge: await solvedChallenge(app),
      lookupToken,
      envelope: toBase64Url(envelope),
      uploads: [],
    },
  });
  t.equal(res.statusCode, 201, res.body);
  const status = await app.inject({ method: 'POST', url: '/v1/status', payload: { lookupToken } });
  const { caseId } = status.json<{ caseId: string }>();
  const stored = await submissionByCaseId(db, caseId);
  const bytes = new Uint8Array(stored!.envelope!);
  t.ok(
    await openDocument(bytes, [epochs[0]!.keyPair]),
    "the desk's reviewer opens what was stored",
  );
  t.equal(await openDocument(bytes, [epochs[1]!.keyPair]), null, 'the other desk cannot');

  const followup = await app.inject({
    method: 'POST',
    url: '/v1/followups',
    payload: {
      challenge: await solvedChallenge(app),
      lookupToken,
      envelope: toBase64Url(await toDesk('followup', 'treaty-bodies')),
    },
  });
  t.equal(followup.statusCode, 201, followup.body);

  // A decoy names a key too, and the server checks it: a stanza to a key it
  // does not store is refused, as in a version 2 envelope.
  const stray = await makeEpoch(reviewers[1]!, 99, epochs[1]!.starts, epochs[1]!.ends);
  const staleDecoy = await toDesk('followup', 'treaty-bodies', {
    ...sealing,
    recipients: [
      sealing.recipients[0]!,
      { ...sealing.recipients[1]!, publicKey: stray.keyPair.publicKey },
    ],
  });
  const refused = await app.inject({
    method: 'POST',
    url: '/v1/followups',
    payload: {
      challenge: await solvedChallenge(app),
      lookupToken,
      envelope: toBase64Url(staleDecoy),
    },
  });
  t.equal(refused.statusCode, 409, refused.body);
  t.equal(refused.json<ErrorJson>().error.code, 'EPOCH_NOT_CURRENT');
});
