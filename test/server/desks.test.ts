// A server whose keyset has desks takes desk envelopes (version 3) and checks
// their stanzas exactly as any other: every stanza names a current epoch key,
// one per reviewer of the keyset (docs/protocol.md, "Desks").
import t from 'tap';
import {
  deriveReceiptKeys,
  generateReceipt,
  openDocument,
  sealDocumentToDesk,
  toBase64Url,
} from '../../client-crypto/index.ts';
import { submissionByCaseId } from '../../server/db/submissions.ts';
import { makeEpoch } from '../epochs.ts';
import { build, makeDeskKeyset, sampleDocument, solvedChallenge } from '../helper.ts';

type ErrorJson = { error: { code: string } };

t.test('desk envelopes are accepted and checked like any other', async (t) => {
  const { app, db } = await build(t);
  const { reviewers, keyset, epochs, sealing } = await makeDeskKeyset(
    ['Treaty bodies reviewer', 'Special procedures reviewer'],
    ([treaty, special]) => [
      { id: 'treaty-bodies', names: { en: 'Treaty bodies' }, reviewers: [treaty!] },
      { id: 'special-procedures', names: { en: 'Special procedures' }, reviewers: [special!] },
    ],
    db,
  );

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
