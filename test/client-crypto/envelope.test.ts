import t from 'tap';
import fc from 'fast-check';
import {
  type SealedDocument,
  checkAuthor,
  deriveReceiptKeys,
  concatBytes,
  generateReceipt,
  getSodium,
  generateReviewerIdentity,
  isSealboxError,
  openDocument,
  sealEnvelope,
  utf8Encode,
  openReply,
  parseEnvelopeHeader,
  sealDocument,
  sealReply,
} from '../../client-crypto/index.ts';
import {
  type EnvelopeRecipient,
  MAX_PADDED_DOCUMENT,
  openEnvelope,
} from '../../client-crypto/envelope.ts';
import { legacyRing } from '../epochs.ts';
import { bytesEqual, documentFor, flips, makeWorld } from './fixtures.ts';

/** 'null', 'opened' or a SealboxError code; any other exception is a crash and fails the test. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    return (await p) === null ? 'null' : 'opened';
  } catch (e) {
    if (isSealboxError(e)) return e.code;
    throw e;
  }
}

const world = await makeWorld(2);

t.test('every reviewer opens it; the header says what it is', async (t) => {
  const doc = documentFor(world, 'Мой паспорт забрали. 我的护照被没收了。');
  const env = await sealDocument(doc, world.sealing, world.authorKeyPair);
  t.same(parseEnvelopeHeader(env), {
    version: 2,
    kind: 'submission',
    keysetVersion: 1,
    recipients: 2,
  });
  for (const ring of world.rings) {
    const opened = await openDocument(env, ring);
    t.same(opened?.document, doc);
  }
});

t.test('someone not in the keyset gets null (not for me)', async (t) => {
  const env = await sealDocument(documentFor(world), world.sealing, world.authorKeyPair);
  const stranger = await generateReviewerIdentity('Stranger');
  t.equal(await openDocument(env, legacyRing(stranger)), null);
  t.equal(
    await openDocument(env, legacyRing(world.reviewers[0]!)),
    null,
    "a reviewer's identity key does not open what is sealed to its epoch key",
  );
});

t.test('padding hides the length of short and similar messages', async (t) => {
  const a = await sealDocument(documentFor(world, 'x'), world.sealing, world.authorKeyPair);
  const b = await sealDocument(
    documentFor(world, 'x'.repeat(1500)),
    world.sealing,
    world.authorKeyPair,
  );
  t.equal(a.length, b.length, 'both under the 4 KiB floor');
  const sizes = new Set<number>();
  for (let n = 100_000; n < 102_000; n += 100) {
    sizes.add(
      (await sealDocument(documentFor(world, 'x'.repeat(n)), world.sealing, world.authorKeyPair))
        .length,
    );
  }
  t.ok(sizes.size <= 2, `20 lengths over 2,000 bytes give ${sizes.size} envelope sizes`);
});

t.test('every single-byte change anywhere is rejected (one recipient, exhaustive)', async (t) => {
  const solo = await makeWorld(1);
  const env = await sealDocument(documentFor(solo), solo.sealing, solo.authorKeyPair);
  const counts = new Map<string, number>();
  for (const [i, bad] of flips(env)) {
    const o = await outcome(openDocument(bad, solo.rings[0]!));
    counts.set(o, (counts.get(o) ?? 0) + 1);
    if (o === 'opened') t.fail(`byte ${i} changed and the envelope gave: ${o}`);
  }
  t.notOk(counts.has('opened'), `outcomes: ${JSON.stringify([...counts])}`);
  t.ok(counts.get('ENVELOPE_TAMPERED')! > env.length - 100, 'most changes are caught as tampering');
});

t.test('random changes with two recipients are rejected for both', async (t) => {
  const env = await sealDocument(documentFor(world), world.sealing, world.authorKeyPair);
  await fc.assert(
    fc.asyncProperty(
      fc.nat(env.length - 1),
      fc.integer({ min: 1, max: 255 }),
      fc.nat(1),
      async (i, x, who) => {
        const bad = env.slice();
        bad[i] = bad[i]! ^ x;
        const o = await outcome(openDocument(bad, world.rings[who]!));
        return o !== 'opened';
      },
    ),
    { numRuns: 400 },
  );
  t.pass('400 random changes rejected');
});

t.test('truncated and extended envelopes are rejected before decryption', async (t) => {
  const env = await sealDocument(documentFor(world), world.sealing, world.authorKeyPair);
  for (const cut of [0, 5, 12, 1212, env.length - 17, env.length - 1]) {
    t.equal(
      await outcome(openDocument(env.subarray(0, cut), world.rings[0]!)),
      'FORMAT_INVALID',
      `cut at ${cut}`,
    );
  }
  const longer = new Uint8Array(env.length + 1);
  longer.set(env);
  t.equal(await outcome(openDocument(longer, world.rings[0]!)), 'FORMAT_INVALID');
});

t.test('a header from another keyset version or kind does not open', async (t) => {
  const env = await sealDocument(documentFor(world), world.sealing, world.authorKeyPair);
  const downgraded = env.slice();
  downgraded[9] = 0; // keyset version 1 → 0
  t.equal(await outcome(openDocument(downgraded, world.rings[0]!)), 'ENVELOPE_TAMPERED');
  const followup = env.slice();
  followup[5] = 2;
  t.equal(await outcome(openDocument(followup, world.rings[0]!)), 'ENVELOPE_TAMPERED');
  for (const version of [1, 4]) {
    const other = env.slice();
    other[4] = version;
    t.equal(await outcome(openDocument(other, world.rings[0]!)), 'VERSION_UNSUPPORTED');
  }
  // Read as a desk envelope, every stanza fails like a decoy: not for me, as
  // when a recipient id is damaged (docs/protocol.md, "Desks").
  const desk = env.slice();
  desk[4] = 3;
  t.equal(await outcome(openDocument(desk, world.rings[0]!)), 'null');
});

t.test('replies: anonymous recipient, opened only by the reply key', async (t) => {
  const reply = {
    v: 2 as const,
    kind: 'reply' as const,
    caseId: 'c1',
    statementId: 's1',
    statement: 'reply' as const,
    text: 'نحن نتابع قضيتك',
  };
  const env = await sealReply(reply, world.replyKeyPair.publicKey, 1);
  t.same(env.subarray(12, 44), new Uint8Array(32), 'recipient id is all zero');
  t.same(await openReply(env, world.replyKeyPair), reply);
  const other = await makeWorld(1);
  t.equal(await openReply(env, other.replyKeyPair), null);
  await t.rejects(openDocument(env, [world.replyKeyPair]), {
    code: 'FORMAT_INVALID',
  });
});

t.test('documents are validated on sealing', async (t) => {
  const doc = documentFor(world);
  await t.rejects(
    sealDocument({ ...doc, replyPublicKey: 'AAAA' }, world.sealing, world.authorKeyPair),
    {
      code: 'FORMAT_INVALID',
    },
  );
  await t.rejects(
    sealDocument({ ...doc, message: 'x'.repeat(300_000) }, world.sealing, world.authorKeyPair),
    {
      code: 'FORMAT_INVALID',
    },
  );
  await t.rejects(
    sealDocument({ ...doc, kind: 'other' as 'submission' }, world.sealing, world.authorKeyPair),
    {
      code: 'FORMAT_INVALID',
    },
  );
  const attachments = (value: unknown) =>
    sealDocument(
      { ...doc, attachments: value as typeof doc.attachments },
      world.sealing,
      world.authorKeyPair,
    );
  await t.rejects(attachments('none'), {
    code: 'FORMAT_INVALID',
    message: /at most 100 attachments/,
  });
  await t.rejects(attachments(Array.from({ length: 101 }, () => ({}))), {
    code: 'FORMAT_INVALID',
    message: /at most 100 attachments/,
  });
});

t.test('every document is signed by the author key the receipt derives', async (t) => {
  const doc = documentFor(world);
  const opened = await openDocument(
    await sealDocument(doc, world.sealing, world.authorKeyPair),
    world.rings[0]!,
  );
  t.same(opened?.author, world.authorKeyPair.publicKey, 'the author key is what signed it');
  await checkAuthor(opened!, world.authorKeyPair.publicKey);
  const { authorKeyPair } = await deriveReceiptKeys(await generateReceipt());
  const { replyPublicKey: _, ...rest } = doc;
  const followup = await openDocument(
    await sealDocument({ ...rest, kind: 'followup' }, world.sealing, authorKeyPair),
    world.rings[0]!,
  );
  t.equal(followup?.document.kind, 'followup');
  await t.rejects(checkAuthor(followup!, world.authorKeyPair.publicKey), {
    code: 'DOCUMENT_NOT_BY_AUTHOR',
  });
});

t.test('a follow-up carries no reply key: replies go to the submission’s', async (t) => {
  const doc = documentFor(world);
  await t.rejects(
    sealDocument(
      { ...doc, kind: 'followup' } as unknown as SealedDocument,
      world.sealing,
      world.authorKeyPair,
    ),
    { code: 'FORMAT_INVALID' },
  );
});

t.test('whoever seals without the author key is refused', async (t) => {
  const sodium = await getSodium();
  const recipients = world.sealing.recipients.map((r) => ({ publicKey: r.publicKey }));
  const seal = (kind: 'submission' | 'followup', plaintext: Uint8Array) =>
    sealEnvelope(kind, world.keyset.version, recipients, plaintext);
  const open = async (kind: 'submission' | 'followup', plaintext: Uint8Array) =>
    outcome(openDocument(await seal(kind, plaintext), world.rings[0]!));
  const doc = documentFor(world);
  const bytes = utf8Encode(JSON.stringify(doc));
  const sign = (key: Uint8Array, what: Uint8Array) =>
    sodium.crypto_sign_detached(concatBytes(utf8Encode('sealbox/v2/document\n'), what), key);
  const genuine = concatBytes(
    world.authorKeyPair.publicKey,
    sign(world.authorKeyPair.secretKey, bytes),
    bytes,
  );
  t.equal(await open('submission', genuine), 'opened', 'the spelled-out form opens');
  // A bare document, as protocol version 1 sealed it: no signature at all.
  t.equal(await open('submission', bytes), 'DOCUMENT_SIGNATURE_INVALID');
  t.equal(await open('submission', bytes.subarray(0, 95)), 'FORMAT_INVALID');
  // Another text under the genuine signature.
  const forged = utf8Encode(JSON.stringify({ ...doc, message: 'forged' }));
  t.equal(
    await open('submission', concatBytes(genuine.subarray(0, 96), forged)),
    'DOCUMENT_SIGNATURE_INVALID',
  );
  // The genuine signature under the forger's key.
  const { authorKeyPair } = await deriveReceiptKeys(await generateReceipt());
  t.equal(
    await open('submission', concatBytes(authorKeyPair.publicKey, genuine.subarray(32))),
    'DOCUMENT_SIGNATURE_INVALID',
  );
  // Signed without the label: a signature made for anything else does not count.
  t.equal(
    await open(
      'submission',
      concatBytes(
        world.authorKeyPair.publicKey,
        sodium.crypto_sign_detached(bytes, world.authorKeyPair.secretKey),
        bytes,
      ),
    ),
    'DOCUMENT_SIGNATURE_INVALID',
  );
  // A genuine submission resealed as a follow-up: the header and the signed kind disagree.
  t.equal(await open('followup', genuine), 'ENVELOPE_TAMPERED');
  // Signed, but not UTF-8 or not JSON.
  for (const [junk, code] of [
    [new Uint8Array([0xff, 0xfe]), 'ENCODING_INVALID'],
    [utf8Encode('{"v":2'), 'FORMAT_INVALID'],
  ] as const) {
    t.equal(
      await open(
        'submission',
        concatBytes(world.authorKeyPair.publicKey, sign(world.authorKeyPair.secretKey, junk), junk),
      ),
      code,
    );
  }
});

t.test('a submission with an anonymous stanza is not for any reviewer', async (t) => {
  // Only replies are sealed to anonymous stanzas; in a submission such a
  // stanza would only make a reviewer with many keys try each of them.
  const ring = world.rings[0]!;
  const plaintext = utf8Encode(JSON.stringify(documentFor(world)));
  const env = await sealEnvelope(
    'submission',
    1,
    [{ publicKey: ring[0]!.publicKey, anonymous: true }],
    plaintext,
  );
  t.same(env.subarray(12, 44), new Uint8Array(32), 'the stanza is anonymous');
  t.equal(await openDocument(env, ring), null);
});

t.test('the raw envelope layer seals only what a reader will accept', async (t) => {
  const key = world.rings[0]![0]!;
  const short = utf8Encode('x');
  await t.rejects(sealEnvelope('submission', 1, [], short), RangeError, 'no recipient');
  await t.rejects(
    sealEnvelope('submission', 1, Array<EnvelopeRecipient>(65).fill(key), short),
    RangeError,
    'more recipients than a header allows',
  );
  const full = await sealEnvelope('submission', 1, Array<EnvelopeRecipient>(64).fill(key), short);
  t.equal(parseEnvelopeHeader(full).recipients, 64, 'as many as a header allows');
  t.same((await openEnvelope(full, key))?.plaintext, short);
  t.equal(
    await outcome(sealEnvelope('submission', 1, [{ publicKey: key.publicKey.subarray(1) }], short)),
    'KEY_INVALID',
    'a recipient key of the wrong length',
  );
  // The largest document pads to exactly MAX_PADDED_DOCUMENT; one byte more does not fit.
  const largest = new Uint8Array(MAX_PADDED_DOCUMENT - 1).fill(0x61);
  const sealed = await sealEnvelope('submission', 1, [key], largest);
  const opened = (await openEnvelope(sealed, key))?.plaintext;
  t.ok(opened && bytesEqual(opened, largest), 'the largest document round-trips');
  await t.rejects(
    sealEnvelope('submission', 1, [key], new Uint8Array(MAX_PADDED_DOCUMENT)),
    RangeError,
    'one byte more is refused',
  );
});
