// The reviewer tool and desk envelopes: an item for a desk the reviewer is
// not in is an ordinary outcome, named as such, and never the "nothing for
// your key" failure of a bundle sealed to someone else.
import t from 'tap';
import {
  deskMembers,
  reviewerFingerprint,
  sealDocument,
  sealDocumentToDesk,
  signKeyset,
  toBase64Url,
  verifyKeyset,
} from '../../client-crypto/index.ts';
import { recipientId } from '../../client-crypto/envelope.ts';
import { type OpenReport, openOutcome } from '../../reviewer/commands/review-open.ts';
import type { FolderState } from '../../reviewer/cases/records.ts';
import { whyNotOpened } from '../../reviewer/epochs/erased-items.ts';
import { documentFor, makeWorld } from '../client-crypto/fixtures.ts';

const world = await makeWorld(2, 2);
const [a, b] = await Promise.all(world.keyset.reviewers.map((c) => reviewerFingerprint(c)));
const signed = await signKeyset(
  {
    ...world.keyset,
    desks: [
      { id: 'treaty-bodies', names: { en: 'Treaty bodies' }, reviewers: [a!] },
      { id: 'special-procedures', names: { en: 'Special procedures' }, reviewers: [b!] },
    ],
  },
  world.org,
);
const keyset = await verifyKeyset(signed, { publicKey: world.org.publicKey });

function state(erased: FolderState['erased'] = []): FolderState {
  return { erased } as FolderState;
}

t.test('why an item did not open', async (t) => {
  t.same(await deskMembers(keyset, 'treaty-bodies'), [true, false]);
  const toDesk = await sealDocumentToDesk(
    { ...documentFor(world), desk: 'treaty-bodies' },
    world.sealing,
    keyset,
    world.authorKeyPair,
  );
  t.equal(whyNotOpened(toDesk, state()), 'other desk');
  const toAll = await sealDocument(documentFor(world), world.sealing, world.authorKeyPair);
  t.equal(whyNotOpened(toAll, state()), 'not for this key');
  const id = toBase64Url(await recipientId(world.epochs[1]!.keyPair.publicKey));
  t.same(
    whyNotOpened(toDesk, state([{ epoch: 1, recipientId: id } as never])),
    { erased: 1 },
    'an erased key is named first: a desk envelope cannot say whether it was a decoy',
  );
});

t.test('a bundle of items for other desks is not a failure', (t) => {
  const report: OpenReport = {
    opened: [],
    alreadyOpened: 0,
    setAside: [],
    waiting: [],
    notForThisKey: [],
    forOtherDesks: ['case-1', 'case-2'],
    sealedToErased: [],
    failed: [],
    bundleError: null,
    cases: [],
  };
  t.equal(openOutcome(report), null);
  t.equal(openOutcome({ ...report, notForThisKey: ['case-3'] })?.code, 'NOTHING_FOR_THIS_KEY');
  t.end();
});
