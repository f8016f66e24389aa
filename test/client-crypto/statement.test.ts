import t from 'tap';
import fc from 'fast-check';
import {
  createStatement,
  getSodium,
  fromBase64Url,
  generateReviewerIdentity,
  readStatementAsSubmitter,
  sealReply,
  toBase64Url,
  verifyStatement,
} from '../../client-crypto/index.ts';
import { codeOf, makeWorld } from './fixtures.ts';

const world = await makeWorld(2);
const [amina] = world.reviewers;

t.test('status, reply and purge verify and read back', async (t) => {
  const status = await createStatement(
    {
      kind: 'status',
      caseId: 'case-1',
      status: 'in_review',
      replyPublicKey: world.replyKeyPair.publicKey,
    },
    amina!,
    world.keyset,
  );
  const v = await verifyStatement(status, world.keyset);
  t.equal(v.kind, 'status');
  t.equal(v.status, 'in_review');
  t.equal(v.reviewer, 'Reviewer 1');
  t.match(v.date, /^\d{4}-\d{2}-\d{2}$/);
  const seen = await readStatementAsSubmitter(status, world.keyset, world.replyKeyPair, 'case-1');
  t.equal(seen.status, 'in_review');

  const reply = await createStatement(
    {
      kind: 'reply',
      caseId: 'case-1',
      text: 'Merci. Nous avons transmis.',
      replyPublicKey: world.replyKeyPair.publicKey,
    },
    amina!,
    world.keyset,
  );
  const r = await readStatementAsSubmitter(reply, world.keyset, world.replyKeyPair, 'case-1');
  t.equal(r.text, 'Merci. Nous avons transmis.');
  // A reply can set a status: signed, and sealed to the submitter with it.
  const replyWithStatus = await createStatement(
    {
      kind: 'reply',
      caseId: 'case-1',
      text: 'ok',
      status: 'closed',
      replyPublicKey: world.replyKeyPair.publicKey,
    },
    amina!,
    world.keyset,
  );
  const rs = await readStatementAsSubmitter(
    replyWithStatus,
    world.keyset,
    world.replyKeyPair,
    'case-1',
  );
  t.equal(rs.text, 'ok');
  t.equal(rs.status, 'closed');
  t.equal((await verifyStatement(replyWithStatus, world.keyset)).status, 'closed');

  const purge = await createStatement(
    { kind: 'purge', caseId: 'case-1', replyPublicKey: world.replyKeyPair.publicKey },
    amina!,
    world.keyset,
  );
  t.equal((await verifyStatement(purge, world.keyset)).kind, 'purge');
  const purged = await readStatementAsSubmitter(purge, world.keyset, world.replyKeyPair, 'case-1');
  t.same(
    { kind: purged.kind, status: purged.status, text: purged.text },
    { kind: 'purge', status: undefined, text: undefined },
    'a genuine purge reaches its submitter',
  );
});

t.test(
  'a purge is bound to its submitter too: a server cannot show it to another case',
  async (t) => {
    const purge = await createStatement(
      { kind: 'purge', caseId: 'case-1', replyPublicKey: world.replyKeyPair.publicKey },
      amina!,
      world.keyset,
    );
    const other = await makeWorld(1);
    // The server answers another receipt's lookup with case-1 and its purge.
    t.equal(
      await codeOf(readStatementAsSubmitter(purge, world.keyset, other.replyKeyPair, 'case-1')),
      'STATEMENT_NOT_FOR_CASE',
    );
    t.equal(
      await codeOf(readStatementAsSubmitter(purge, world.keyset, world.replyKeyPair, 'case-1')),
      undefined,
    );
  },
);

t.test('the desk a reply names reaches the submitter, and only a desk of the keyset', async (t) => {
  // The desks are read from the keyset the statement is made with; this one
  // adds a desk to the verified test keyset.
  const keyset = {
    ...world.keyset,
    desks: [
      { id: 'special-procedures', names: { en: 'Special procedures' }, reviewers: ['unused'] },
    ],
  };
  const input = {
    kind: 'reply' as const,
    caseId: 'case-1',
    text: 'Your case is with the special procedures team.',
    desk: 'special-procedures',
    replyPublicKey: world.replyKeyPair.publicKey,
  };
  const reply = await createStatement(input, amina!, keyset);
  const seen = await readStatementAsSubmitter(reply, keyset, world.replyKeyPair, 'case-1');
  t.equal(seen.desk, 'special-procedures');
  const plain = await createStatement({ ...input, desk: undefined }, amina!, keyset);
  const none = await readStatementAsSubmitter(plain, keyset, world.replyKeyPair, 'case-1');
  t.notOk('desk' in none, 'no desk when the reply names none');
  t.equal(
    await codeOf(createStatement({ ...input, desk: 'Not a desk' }, amina!, keyset)),
    'FORMAT_INVALID',
  );
  t.equal(
    await codeOf(createStatement(input, amina!, world.keyset)),
    'FORMAT_INVALID',
    'a desk the keyset does not have',
  );
});

t.test('a signer outside the keyset is refused', async (t) => {
  const mallory = await generateReviewerIdentity('Mallory');
  const forged = await createStatement(
    { kind: 'purge', caseId: 'case-1', replyPublicKey: world.replyKeyPair.publicKey },
    mallory,
    world.keyset,
  );
  t.equal(await codeOf(verifyStatement(forged, world.keyset)), 'STATEMENT_SIGNER_UNKNOWN');
  // Claiming to be Amina with Mallory's signature.
  const claimed = { ...forged, signer: toBase64Url(amina!.signPublicKey) };
  t.equal(await codeOf(verifyStatement(claimed, world.keyset)), 'STATEMENT_SIGNATURE_INVALID');
});

t.test('a statement cannot be moved to another case', async (t) => {
  const reply = await createStatement(
    {
      kind: 'reply',
      caseId: 'case-1',
      text: 'hello',
      replyPublicKey: world.replyKeyPair.publicKey,
    },
    amina!,
    world.keyset,
  );
  t.equal(
    await codeOf(readStatementAsSubmitter(reply, world.keyset, world.replyKeyPair, 'case-2')),
    'STATEMENT_NOT_FOR_CASE',
  );
  const other = await makeWorld(1);
  t.equal(
    await codeOf(readStatementAsSubmitter(reply, world.keyset, other.replyKeyPair, 'case-1')),
    'STATEMENT_NOT_FOR_CASE',
  );
});

t.test('any single-byte change to payload or signature is rejected', async (t) => {
  const st = await createStatement(
    {
      kind: 'status',
      caseId: 'case-9',
      status: 'closed',
      replyPublicKey: world.replyKeyPair.publicKey,
    },
    amina!,
    world.keyset,
  );
  const payload = fromBase64Url(st.payload);
  const signature = fromBase64Url(st.signature);
  await fc.assert(
    fc.asyncProperty(
      fc.boolean(),
      fc.nat(100_000),
      fc.integer({ min: 1, max: 255 }),
      async (inPayload, at, x) => {
        const bytes = (inPayload ? payload : signature).slice();
        const i = at % bytes.length;
        bytes[i] = bytes[i]! ^ x;
        const changed = inPayload
          ? { ...st, payload: toBase64Url(bytes) }
          : { ...st, signature: toBase64Url(bytes) };
        return (
          (await codeOf(verifyStatement(changed, world.keyset))) === 'STATEMENT_SIGNATURE_INVALID'
        );
      },
    ),
    { numRuns: 400 },
  );
  t.pass('400 random changes rejected');
});

t.test('malformed statements get a code', async (t) => {
  const malformed: [unknown, string][] = [
    [null, 'FORMAT_INVALID'],
    [{}, 'VERSION_UNSUPPORTED'],
    [{ format: 'x' }, 'VERSION_UNSUPPORTED'],
    [{ format: 'sealbox-statement-v1', payload: 1 }, 'VERSION_UNSUPPORTED'],
  ];
  for (const [bad, code] of malformed) {
    t.equal(await codeOf(verifyStatement(bad, world.keyset)), code, JSON.stringify(bad));
  }
  await t.rejects(
    createStatement(
      { kind: 'reply', caseId: 'c', text: ' ', replyPublicKey: world.replyKeyPair.publicKey },
      amina!,
      world.keyset,
    ),
    { code: 'FORMAT_INVALID', message: 'a reply needs text' },
  );
  await t.rejects(
    createStatement(
      { kind: 'status', caseId: 'c', replyPublicKey: world.replyKeyPair.publicKey },
      amina!,
      world.keyset,
    ),
    { code: 'FORMAT_INVALID' },
  );
  await t.rejects(
    createStatement(
      {
        kind: 'purge',
        caseId: 'c',
        status: 'closed',
        replyPublicKey: world.replyKeyPair.publicKey,
      },
      amina!,
      world.keyset,
    ),
    { code: 'FORMAT_INVALID' },
  );
});

// A reviewer may sign anything; what the submitter's page accepts must still
// be one statement: its signed fields and its sealed part made together.
const sodium = await getSodium();
async function resigned(
  signed: { payload: string },
  change: (payload: Record<string, unknown>) => unknown,
): Promise<Record<string, string>> {
  const payload = JSON.parse(new TextDecoder().decode(fromBase64Url(signed.payload))) as Record<
    string,
    unknown
  >;
  const bytes = new TextEncoder().encode(JSON.stringify(change(payload)));
  const label = new TextEncoder().encode('sealbox/v2/statement\n');
  return {
    format: 'sealbox-statement-v2',
    payload: toBase64Url(bytes),
    signature: toBase64Url(
      sodium.crypto_sign_detached(new Uint8Array([...label, ...bytes]), amina!.signSecretKey),
    ),
    signer: toBase64Url(amina!.signPublicKey),
  };
}
const statementOf = (input: {
  kind: 'status' | 'reply' | 'purge';
  caseId: string;
  status?: 'in_review' | 'received';
  text?: string;
}) =>
  createStatement({ ...input, replyPublicKey: world.replyKeyPair.publicKey }, amina!, world.keyset);
const sealedOf = async (signed: { payload: string }) =>
  (JSON.parse(new TextDecoder().decode(fromBase64Url(signed.payload))) as { sealed: string })
    .sealed;

t.test('the sealed part must be the one made for this statement', async (t) => {
  const mine = await statementOf({ kind: 'status', caseId: 'case-1', status: 'in_review' });
  t.equal(
    (
      await readStatementAsSubmitter(
        await resigned(mine, (p) => p),
        world.keyset,
        world.replyKeyPair,
        'case-1',
      )
    ).status,
    'in_review',
    're-signed unchanged, it reads',
  );
  const others: [string, Parameters<typeof statementOf>[0]][] = [
    [
      'another statement of the same case, kind and status',
      { kind: 'status', caseId: 'case-1', status: 'in_review' },
    ],
    ['another case', { kind: 'status', caseId: 'case-2', status: 'in_review' }],
    ['another kind', { kind: 'reply', caseId: 'case-1', status: 'in_review', text: 'x' }],
    ['another status', { kind: 'status', caseId: 'case-1', status: 'received' }],
  ];
  for (const [what, input] of others) {
    const sealed = await sealedOf(await statementOf(input));
    const swapped = await resigned(mine, (p) => ({ ...p, sealed }));
    t.equal(
      await codeOf(readStatementAsSubmitter(swapped, world.keyset, world.replyKeyPair, 'case-1')),
      'STATEMENT_NOT_FOR_CASE',
      `the sealed part of ${what}`,
    );
  }
});

t.test('a signed payload that is not a statement is refused with a code', async (t) => {
  const mine = await statementOf({ kind: 'status', caseId: 'case-1', status: 'in_review' });
  const bad: [string, (p: Record<string, unknown>) => unknown, string][] = [
    ['null', () => null, 'FORMAT_INVALID'],
    ['an array', (p) => [p], 'FORMAT_INVALID'],
    ['version 1', (p) => ({ ...p, v: 1 }), 'VERSION_UNSUPPORTED'],
    ['an unknown kind', (p) => ({ ...p, kind: 'verdict' }), 'FORMAT_INVALID'],
    ['an empty id', (p) => ({ ...p, id: '' }), 'FORMAT_INVALID'],
    ['an id that is a number', (p) => ({ ...p, id: 7 }), 'FORMAT_INVALID'],
    ['an id with a slash before', (p) => ({ ...p, id: `/${String(p.id)}` }), 'FORMAT_INVALID'],
    ['a case id with a slash after', (p) => ({ ...p, caseId: 'case-1/..' }), 'FORMAT_INVALID'],
    ['a date that is a number', (p) => ({ ...p, date: 20260101 }), 'FORMAT_INVALID'],
    ['text before the date', (p) => ({ ...p, date: `x${String(p.date)}` }), 'FORMAT_INVALID'],
    ['text after the date', (p) => ({ ...p, date: `${String(p.date)}x` }), 'FORMAT_INVALID'],
    ['keyset version 0', (p) => ({ ...p, keysetVersion: 0 }), 'FORMAT_INVALID'],
    ['keyset version 1.5', (p) => ({ ...p, keysetVersion: 1.5 }), 'FORMAT_INVALID'],
    ['an unknown status', (p) => ({ ...p, status: 'won' }), 'FORMAT_INVALID'],
    ['a status statement without status', (p) => ({ ...p, status: undefined }), 'FORMAT_INVALID'],
    ['a purge with a status', (p) => ({ ...p, kind: 'purge' }), 'FORMAT_INVALID'],
    ['no sealed part', (p) => ({ ...p, sealed: 7 }), 'FORMAT_INVALID'],
  ];
  for (const [what, change, code] of bad) {
    t.equal(await codeOf(verifyStatement(await resigned(mine, change), world.keyset)), code, what);
  }
  t.equal(
    await codeOf(statementOf({ kind: 'reply', caseId: 'case-1' })),
    'FORMAT_INVALID',
    'a reply without text',
  );
});

t.test(
  'check-ins: only a reply asks for them, and the submitter sees only a reply’s',
  async (t) => {
    for (const checkin of [14, 0]) {
      const reply = await createStatement(
        {
          kind: 'reply',
          caseId: 'case-1',
          text: 'Are you safe?',
          checkin,
          replyPublicKey: world.replyKeyPair.publicKey,
        },
        amina!,
        world.keyset,
      );
      const seen = await readStatementAsSubmitter(
        reply,
        world.keyset,
        world.replyKeyPair,
        'case-1',
      );
      t.equal(seen.checkin, checkin, `a reply asking every ${checkin} days says so`);
    }
    const plain = await statementOf({ kind: 'reply', caseId: 'case-1', text: 'ok' });
    t.notOk(
      'checkin' in
        (await readStatementAsSubmitter(plain, world.keyset, world.replyKeyPair, 'case-1')),
      'a reply that asks nothing shows no check-in',
    );
    for (const input of [
      { kind: 'status', caseId: 'case-1', status: 'in_review' },
      { kind: 'purge', caseId: 'case-1' },
    ] as const) {
      t.equal(
        await codeOf(
          createStatement(
            { ...input, checkin: 7, replyPublicKey: world.replyKeyPair.publicKey },
            amina!,
            world.keyset,
          ),
        ),
        'FORMAT_INVALID',
        `a ${input.kind} cannot ask for check-ins`,
      );
    }
    // A status whose sealed part asks for check-ins (signed by a reviewer, so it
    // reads): the page shows the status, not a check-in request.
    const status = await statementOf({ kind: 'status', caseId: 'case-1', status: 'in_review' });
    const id = (await verifyStatement(status, world.keyset)).id;
    const sealed = toBase64Url(
      await sealReply(
        {
          v: 2,
          kind: 'reply',
          caseId: 'case-1',
          statementId: id,
          statement: 'status',
          status: 'in_review',
          checkin: 7,
        },
        world.replyKeyPair.publicKey,
        world.keyset.version,
      ),
    );
    const seen = await readStatementAsSubmitter(
      await resigned(status, (p) => ({ ...p, sealed })),
      world.keyset,
      world.replyKeyPair,
      'case-1',
    );
    t.equal(seen.status, 'in_review');
    t.equal(seen.checkin, undefined, 'no check-in from a status');
  },
);
