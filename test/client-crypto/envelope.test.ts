import t from 'tap';
import fc from 'fast-check';
import {
  generateReviewerIdentity,
  isSealboxError,
  openEnvelope,
  openReply,
  parseEnvelopeHeader,
  sealDocument,
  sealReply,
} from '../../client-crypto/index.ts';
import { documentFor, flips, makeWorld } from './fixtures.ts';

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    return (await p) === null ? 'null' : 'opened';
  } catch (e) {
    return isSealboxError(e) ? e.code : `OTHER: ${String(e)}`;
  }
}

const world = await makeWorld(2);

t.test('every reviewer opens it; the header says what it is', async (t) => {
  const doc = documentFor(world, 'Мой паспорт забрали. 我的护照被没收了。');
  const env = await sealDocument(doc, world.keyset);
  t.same(parseEnvelopeHeader(env), {
    version: 1,
    kind: 'submission',
    keysetVersion: 1,
    recipients: 2,
  });
  for (const r of world.reviewers) {
    const opened = await openEnvelope(env, r);
    t.same(opened?.document, doc);
  }
});

t.test('someone not in the keyset gets null (not for me)', async (t) => {
  const env = await sealDocument(documentFor(world), world.keyset);
  const stranger = await generateReviewerIdentity('Stranger');
  t.equal(await openEnvelope(env, stranger), null);
});

t.test('padding hides the length of short and similar messages', async (t) => {
  const a = await sealDocument(documentFor(world, 'x'), world.keyset);
  const b = await sealDocument(documentFor(world, 'x'.repeat(1500)), world.keyset);
  t.equal(a.length, b.length, 'both under the 4 KiB floor');
  const sizes = new Set<number>();
  for (let n = 100_000; n < 102_000; n += 100) {
    sizes.add((await sealDocument(documentFor(world, 'x'.repeat(n)), world.keyset)).length);
  }
  t.ok(sizes.size <= 2, `20 lengths over 2,000 bytes give ${sizes.size} envelope sizes`);
});

t.test('every single-byte change anywhere is rejected (one recipient, exhaustive)', async (t) => {
  const solo = await makeWorld(1);
  const env = await sealDocument(documentFor(solo), solo.keyset);
  const counts = new Map<string, number>();
  for (const [i, bad] of flips(env)) {
    const o = await outcome(openEnvelope(bad, solo.reviewers[0]!));
    counts.set(o, (counts.get(o) ?? 0) + 1);
    if (o === 'opened' || o.startsWith('OTHER'))
      t.fail(`byte ${i} changed and the envelope gave: ${o}`);
  }
  t.notOk(counts.has('opened'), `outcomes: ${JSON.stringify([...counts])}`);
  t.ok(counts.get('ENVELOPE_TAMPERED')! > env.length - 100, 'most changes are caught as tampering');
});

t.test('random changes with two recipients are rejected for both', async (t) => {
  const env = await sealDocument(documentFor(world), world.keyset);
  await fc.assert(
    fc.asyncProperty(
      fc.nat(env.length - 1),
      fc.integer({ min: 1, max: 255 }),
      fc.nat(1),
      async (i, x, who) => {
        const bad = env.slice();
        bad[i] = bad[i]! ^ x;
        const o = await outcome(openEnvelope(bad, world.reviewers[who]!));
        return o !== 'opened' && !o.startsWith('OTHER');
      },
    ),
    { numRuns: 400 },
  );
  t.pass('400 random changes rejected');
});

t.test('truncated and extended envelopes are rejected before decryption', async (t) => {
  const env = await sealDocument(documentFor(world), world.keyset);
  for (const cut of [0, 5, 12, 1212, env.length - 17, env.length - 1]) {
    t.equal(
      await outcome(openEnvelope(env.subarray(0, cut), world.reviewers[0]!)),
      'FORMAT_INVALID',
      `cut at ${cut}`,
    );
  }
  const longer = new Uint8Array(env.length + 1);
  longer.set(env);
  t.equal(await outcome(openEnvelope(longer, world.reviewers[0]!)), 'FORMAT_INVALID');
});

t.test('a header from another keyset version or kind does not open', async (t) => {
  const env = await sealDocument(documentFor(world), world.keyset);
  const downgraded = env.slice();
  downgraded[9] = 0; // keyset version 1 → 0
  t.equal(await outcome(openEnvelope(downgraded, world.reviewers[0]!)), 'ENVELOPE_TAMPERED');
  const followup = env.slice();
  followup[5] = 2;
  t.equal(await outcome(openEnvelope(followup, world.reviewers[0]!)), 'ENVELOPE_TAMPERED');
  const v2 = env.slice();
  v2[4] = 2;
  t.equal(await outcome(openEnvelope(v2, world.reviewers[0]!)), 'VERSION_UNSUPPORTED');
});

t.test('replies: anonymous recipient, opened only by the reply key', async (t) => {
  const reply = {
    v: 1 as const,
    kind: 'reply' as const,
    caseId: 'c1',
    statementId: 's1',
    text: 'نحن نتابع قضيتك',
  };
  const env = await sealReply(reply, world.replyKeyPair.publicKey, 1);
  t.same(env.subarray(12, 44), new Uint8Array(32), 'recipient id is all zero');
  t.same(await openReply(env, world.replyKeyPair), reply);
  const other = await makeWorld(1);
  t.equal(await openReply(env, other.replyKeyPair), null);
  await t.rejects(
    openEnvelope(env, {
      kemPublicKey: world.replyKeyPair.publicKey,
      kemSecretKey: world.replyKeyPair.secretKey,
    }),
    {
      code: 'FORMAT_INVALID',
    },
  );
});

t.test('documents are validated on sealing', async (t) => {
  const doc = documentFor(world);
  await t.rejects(sealDocument({ ...doc, replyPublicKey: 'AAAA' }, world.keyset), {
    code: 'FORMAT_INVALID',
  });
  await t.rejects(sealDocument({ ...doc, message: 'x'.repeat(300_000) }, world.keyset), {
    code: 'FORMAT_INVALID',
  });
  await t.rejects(sealDocument({ ...doc, kind: 'other' as 'submission' }, world.keyset), {
    code: 'FORMAT_INVALID',
  });
});
