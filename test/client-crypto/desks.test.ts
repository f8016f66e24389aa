// Desks (docs/protocol.md, "Desks"): signed in the keyset, a report to one
// desk opens only for its reviewers and those of `always` desks, and the
// server sees the same stanzas whatever the desk.
import t from 'tap';
import {
  type Desk,
  type Keyset,
  type SealedDocument,
  DESK_ENVELOPE_VERSION,
  deskMembers,
  envelopeRecipientIds,
  fromBase64Url,
  openDocument,
  parseEnvelopeHeader,
  resealToDesk,
  reviewerFingerprint,
  sealDocument,
  sealDocumentToDesk,
  sealEnvelope,
  signKeyset,
  toBase64Url,
  utf8Encode,
  verifyKeyset,
} from '../../client-crypto/index.ts';
import { KEYSET_FORMAT, KEYSET_SIGNATURE_LABEL } from '../../client-crypto/keyset.ts';
import { recipientId } from '../../client-crypto/envelope.ts';
import { signJson } from '../../client-crypto/signed.ts';
import { type World, codeOf, documentFor, makeWorld } from './fixtures.ts';

const world = await makeWorld(3, 5);
const [treaty, special, focal] = await Promise.all(
  world.keyset.reviewers.map((card) => reviewerFingerprint(card)),
);
const desks: Desk[] = [
  {
    id: 'treaty-bodies',
    names: { en: 'Treaty bodies', fr: 'Organes de traités' },
    reviewers: [treaty!],
  },
  { id: 'special-procedures', names: { en: 'Special procedures' }, reviewers: [special!] },
  { id: 'focal-point', names: { en: 'Reprisals focal point' }, reviewers: [focal!], always: true },
];
const content: Keyset = { ...world.keyset, desks };
const signed = await signKeyset(content, world.org);
const keyset = await verifyKeyset(signed, { publicKey: world.org.publicKey });
const pin = { publicKey: world.org.publicKey };

/** A payload signed by the root without the library's checks, as a careless tool might. */
async function signedRaw(payload: Record<string, unknown>) {
  return signJson(KEYSET_FORMAT, KEYSET_SIGNATURE_LABEL, payload, world.org);
}

function toDesk(w: World, desk: string, kind: 'submission' | 'followup' = 'submission') {
  const d = documentFor(w);
  const document: SealedDocument =
    kind === 'submission'
      ? { ...d, desk }
      : {
          v: d.v,
          kind: 'followup',
          locale: d.locale,
          form: d.form,
          answers: {},
          message: 'Since then they called my brother.',
          attachments: [],
          desk,
        };
  return sealDocumentToDesk(document, w.sealing, keyset, w.authorKeyPair);
}

t.test('desks are read from the signed keyset, and a keyset without desks has none', (t) => {
  t.same(keyset.desks, desks);
  t.equal(world.keyset.desks, undefined);
  t.end();
});

t.test('desks not signed by the root are refused', async (t) => {
  const payload = JSON.parse(new TextDecoder().decode(fromBase64Url(signed.payload))) as Keyset;
  const moved = { ...payload, desks: [{ ...desks[0]!, reviewers: [special!] }, ...desks.slice(1)] };
  const unsigned = { ...payload };
  delete unsigned.desks;
  const added = await signKeyset(unsigned, world.org);
  const addedPayload = { ...unsigned, desks };
  for (const [what, forged] of [
    ['a member moved', { ...signed, payload: toBase64Url(utf8Encode(JSON.stringify(moved))) }],
    [
      'desks added to a keyset signed without them',
      { ...added, payload: toBase64Url(utf8Encode(JSON.stringify(addedPayload))) },
    ],
  ] as const) {
    t.equal(await codeOf(verifyKeyset(forged, pin)), 'KEYSET_SIGNATURE_INVALID', what);
  }
  const otherRoot = await makeWorld(1);
  t.equal(
    await codeOf(verifyKeyset(await signKeyset(content, otherRoot.org), pin)),
    'KEYSET_ROOT_MISMATCH',
    'desks signed by another root',
  );
});

t.test('malformed desks are refused with a clear error, even when signed', async (t) => {
  const outsider = (await makeWorld(1)).keyset.reviewers[0]!;
  const cases: [string, unknown, RegExp][] = [
    ['no desk', [], /1 to 16 desks/],
    ['not a list', { id: 'x' }, /1 to 16 desks/],
    ['a bad id', [{ ...desks[0]!, id: 'Treaty Bodies' }, desks[2]], /desk id/],
    ['an id starting with -', [{ ...desks[0]!, id: '-x' }, desks[2]], /desk id/],
    ['the same id twice', [desks[0], { ...desks[1]!, id: 'treaty-bodies' }], /same id/],
    ['no names', [{ ...desks[0]!, names: {} }], /names/],
    ['a bad language tag', [{ ...desks[0]!, names: { English: 'x' } }], /language tag/],
    ['a blank name', [{ ...desks[0]!, names: { en: '  ' } }], /name/],
    ['no reviewers', [{ ...desks[0]!, reviewers: [] }], /reviewers/],
    ['a lower-case fingerprint', [{ ...desks[0]!, reviewers: [treaty!.toLowerCase()] }], /upper/],
    [
      'a reviewer outside the keyset',
      [{ ...desks[0]!, reviewers: [await reviewerFingerprint(outsider)] }],
      /not in the keyset/,
    ],
    ['a reviewer twice', [{ ...desks[0]!, reviewers: [treaty, treaty] }], /twice/],
    ['always not a boolean', [{ ...desks[0]!, always: 'yes' }], /always/],
    ['every desk always', [{ ...desks[0]!, always: true }, desks[2]], /none to choose/],
  ];
  for (const [what, bad, message] of cases) {
    const raw = await signedRaw({ ...world.keyset, desks: bad });
    await t.rejects(verifyKeyset(raw, pin), { code: 'FORMAT_INVALID', message }, what);
    await t.rejects(
      signKeyset({ ...world.keyset, desks: bad as Desk[] }, world.org),
      { code: 'FORMAT_INVALID' },
      `${what}: not signed either`,
    );
  }
});

t.test('a report to one desk opens for its reviewers and the always desk only', async (t) => {
  t.same(await deskMembers(keyset, 'treaty-bodies'), [true, false, true]);
  t.same(await deskMembers(keyset, 'special-procedures'), [false, true, true]);
  for (const kind of ['submission', 'followup'] as const) {
    const envelope = await toDesk(world, 'treaty-bodies', kind);
    t.equal(parseEnvelopeHeader(envelope).version, DESK_ENVELOPE_VERSION);
    const [r1, r2, r3] = world.rings;
    const opened = await openDocument(envelope, r1!);
    t.equal(opened?.document.desk, 'treaty-bodies', `${kind}: the desk's reviewer opens it`);
    t.equal(opened?.document.kind, kind);
    t.ok(await openDocument(envelope, r3!), `${kind}: the always desk opens it`);
    t.equal(
      await openDocument(envelope, r2!),
      null,
      `${kind}: a reviewer of another desk cannot open it`,
    );
  }
  const other = await toDesk(world, 'special-procedures');
  t.equal(await openDocument(other, world.rings[0]!), null, 'and the other way round');
  t.ok(await openDocument(other, world.rings[1]!));
});

t.test('the server sees the same stanzas whatever the desk', async (t) => {
  const a = await toDesk(world, 'treaty-bodies');
  const b = await toDesk(world, 'special-procedures');
  t.equal(a.length, b.length, 'same size');
  t.same(a.subarray(0, 12), b.subarray(0, 12), 'same header');
  const ids = await Promise.all(
    world.epochs.map(async (e) => toBase64Url(await recipientId(e.keyPair.publicKey))),
  );
  t.same(envelopeRecipientIds(a).map(toBase64Url), ids, 'one stanza per reviewer, each named');
  t.same(envelopeRecipientIds(b).map(toBase64Url), ids);
});

t.test('a desk envelope cannot be read under the rules of version 2', async (t) => {
  const envelope = await toDesk(world, 'treaty-bodies');
  const downgraded = envelope.slice();
  downgraded[4] = 2;
  t.equal(await codeOf(openDocument(downgraded, world.rings[0]!)), 'ENVELOPE_TAMPERED');
  t.equal(await codeOf(openDocument(downgraded, world.rings[1]!)), 'ENVELOPE_TAMPERED');
  const payload = envelope.slice();
  payload[payload.length - 1]! ^= 1;
  t.equal(await codeOf(openDocument(payload, world.rings[0]!)), 'ENVELOPE_TAMPERED');
});

t.test('misuse fails closed', async (t) => {
  t.equal(await codeOf(toDesk(world, 'nowhere')), 'FORMAT_INVALID', 'an unknown desk');
  await t.rejects(
    sealDocument(
      { ...documentFor(world), desk: 'treaty-bodies' },
      world.sealing,
      world.authorKeyPair,
    ),
    /sealDocumentToDesk/,
    'a document to a desk is never sealed to everyone',
  );
  await t.rejects(
    sealDocumentToDesk(documentFor(world), world.sealing, keyset, world.authorKeyPair),
    /names no desk/,
  );
  const reply = await sealEnvelope(
    'reply',
    5,
    [{ publicKey: world.replyKeyPair.publicKey, anonymous: true }],
    new Uint8Array(10),
  );
  reply[4] = DESK_ENVELOPE_VERSION;
  t.throws(() => parseEnvelopeHeader(reply), { code: 'FORMAT_INVALID' }, 'a version 3 reply');
  await t.rejects(
    sealEnvelope('reply', 5, [{ publicKey: world.replyKeyPair.publicKey }], new Uint8Array(1), 3),
    RangeError,
  );
});

t.test(
  'a handover re-seals what the author signed, unchanged, to the other desk only',
  async (t) => {
    for (const kind of ['submission', 'followup'] as const) {
      const envelope = await toDesk(world, 'treaty-bodies', kind);
      const opened = await openDocument(envelope, world.rings[0]!);
      t.ok(opened, `${kind}: opened by the treaty bodies' reviewer`);
      const resealed = await resealToDesk(
        opened!.authored,
        world.sealing,
        keyset,
        'special-procedures',
      );
      t.equal(parseEnvelopeHeader(resealed).version, DESK_ENVELOPE_VERSION);
      t.equal(parseEnvelopeHeader(resealed).kind, kind, `${kind}: the same kind`);
      t.not(toBase64Url(resealed), toBase64Url(envelope), 'sealed afresh');
      const there = await openDocument(resealed, world.rings[1]!);
      t.same(
        there?.authored,
        opened!.authored,
        `${kind}: the same signed bytes reach the other desk`,
      );
      t.same(there?.author, opened!.author, 'the same author');
      t.equal(there?.document.desk, 'treaty-bodies', 'still naming the desk the person chose');
      t.ok(await openDocument(resealed, world.rings[2]!), 'the always desk opens it too');
      t.equal(await openDocument(resealed, world.rings[0]!), null, 'the desk it left cannot');
    }
  },
);

t.test('a handover never carries what the author did not sign', async (t) => {
  const opened = await openDocument(await toDesk(world, 'treaty-bodies'), world.rings[0]!);
  const authored = opened!.authored;
  for (const at of [0, 40, authored.length - 2]) {
    const changed = authored.slice();
    changed[at]! ^= 1;
    t.equal(
      await codeOf(resealToDesk(changed, world.sealing, keyset, 'special-procedures')),
      'DOCUMENT_SIGNATURE_INVALID',
      `a byte changed at ${at}: author key, signature or document`,
    );
  }
  t.equal(
    await codeOf(
      resealToDesk(authored.subarray(0, 95), world.sealing, keyset, 'special-procedures'),
    ),
    'FORMAT_INVALID',
    'shorter than an author key and a signature',
  );
  t.equal(
    await codeOf(resealToDesk(authored, world.sealing, keyset, 'nowhere')),
    'FORMAT_INVALID',
    'a desk the keyset lacks',
  );
  await t.rejects(
    resealToDesk(authored, { ...world.sealing, keysetVersion: 4 }, keyset, 'special-procedures'),
    /not those of this keyset/,
    'sealing keys of another keyset',
  );
  await t.rejects(
    resealToDesk(
      authored,
      { ...world.sealing, recipients: world.sealing.recipients.slice(1) },
      keyset,
      'special-procedures',
    ),
    /not those of this keyset/,
    'sealing keys for fewer reviewers than the keyset',
  );
});
