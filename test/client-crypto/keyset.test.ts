import t from 'tap';
import fc from 'fast-check';
import {
  courierCard,
  fingerprint,
  generateCourierKey,
  getSodium,
  fromBase64Url,
  generateOrganisationKey,
  generateReviewerIdentity,
  reviewerCard,
  signKeyset,
  toBase64Url,
  verifyKeyset,
  type Keyset,
} from '../../client-crypto/index.ts';
import { codeOf } from './fixtures.ts';

const org = await generateOrganisationKey();
const reviewer = await generateReviewerIdentity('Amina');
const base: Keyset = {
  version: 3,
  issued: '2026-01-01',
  expires: '2027-01-01',
  reviewers: [reviewerCard(reviewer)],
  couriers: [],
};
const now = new Date('2026-06-01T12:00:00Z');
const signed = await signKeyset(base, org);

t.test('verifies against the pinned key and the pinned fingerprint', async (t) => {
  t.same(await verifyKeyset(signed, { publicKey: org.publicKey }, { now }), base);
  const fp = await fingerprint(org.publicKey);
  t.match(fp, /^([0-9A-HJKMNP-TV-Z]{4}-){7}[0-9A-HJKMNP-TV-Z]{4}$/);
  t.same(await verifyKeyset(signed, { fingerprint: fp.toLowerCase() }, { now }), base);
});

t.test('another root is refused', async (t) => {
  const other = await generateOrganisationKey();
  t.equal(
    await codeOf(verifyKeyset(signed, { publicKey: other.publicKey }, { now })),
    'KEYSET_ROOT_MISMATCH',
  );
  const forged = await signKeyset(base, other);
  t.equal(
    await codeOf(verifyKeyset(forged, { fingerprint: await fingerprint(org.publicKey) }, { now })),
    'KEYSET_ROOT_MISMATCH',
  );
  // A keyset that claims our root as signer but was signed by another key.
  t.equal(
    await codeOf(
      verifyKeyset({ ...forged, signer: signed.signer }, { publicKey: org.publicKey }, { now }),
    ),
    'KEYSET_SIGNATURE_INVALID',
  );
});

t.test('dates and versions', async (t) => {
  t.equal(
    await codeOf(
      verifyKeyset(signed, { publicKey: org.publicKey }, { now: new Date('2027-01-02') }),
    ),
    'KEYSET_EXPIRED',
  );
  t.equal(
    await codeOf(
      verifyKeyset(signed, { publicKey: org.publicKey }, { now: new Date('2025-12-20') }),
    ),
    'KEYSET_NOT_YET_VALID',
  );
  t.equal(
    await codeOf(verifyKeyset(signed, { publicKey: org.publicKey }, { now, newerThan: 3 })),
    'KEYSET_VERSION_NOT_NEWER',
  );
  t.equal(
    await codeOf(verifyKeyset(signed, { publicKey: org.publicKey }, { now, newerThan: 2 })),
    undefined,
  );
});

t.test('malformed input gets a code, never a crash', async (t) => {
  for (const bad of [
    null,
    42,
    'x',
    {},
    { ...signed, format: 'v0' },
    { ...signed, payload: '***' },
    { ...signed, signature: 'AA' },
  ]) {
    t.ok(
      await codeOf(verifyKeyset(bad, { publicKey: org.publicKey }, { now })),
      JSON.stringify(bad)?.slice(0, 40),
    );
  }
  for (const notAnObject of [null, 42, 'x']) {
    t.equal(
      await codeOf(verifyKeyset(notAnObject, { publicKey: org.publicKey }, { now })),
      'FORMAT_INVALID',
      `${String(notAnObject)} is not a signed keyset`,
    );
  }
  await t.rejects(signKeyset({ ...base, reviewers: [] }, org), { code: 'FORMAT_INVALID' });
  await t.rejects(signKeyset({ ...base, version: 0 }, org), { code: 'FORMAT_INVALID' });
});

t.test('any single-byte change to payload or signature is rejected', async (t) => {
  const payload = fromBase64Url(signed.payload);
  const signature = fromBase64Url(signed.signature);
  for (let i = 0; i < payload.length; i++) {
    const p = payload.slice();
    p[i] = p[i]! ^ 0x20;
    const c = await codeOf(
      verifyKeyset({ ...signed, payload: toBase64Url(p) }, { publicKey: org.publicKey }, { now }),
    );
    if (c !== 'KEYSET_SIGNATURE_INVALID') t.fail(`payload byte ${i}: ${c}`);
  }
  await fc.assert(
    fc.asyncProperty(
      fc.nat(signature.length - 1),
      fc.integer({ min: 1, max: 255 }),
      async (i, x) => {
        const s = signature.slice();
        s[i] = s[i]! ^ x;
        const c = await codeOf(
          verifyKeyset(
            { ...signed, signature: toBase64Url(s) },
            { publicKey: org.publicKey },
            { now },
          ),
        );
        return c === 'KEYSET_SIGNATURE_INVALID';
      },
    ),
    { numRuns: 300 },
  );
  t.pass(`${payload.length} payload bytes and 300 signature changes rejected`);
});

// Signs any payload with the organisation key, as a keyset: what a careless or
// compromised signing tool could publish, checked after the signature.
const sodium = await getSodium();
function signedPayload(payload: unknown, key = org): Record<string, string> {
  const bytes = new TextEncoder().encode(
    typeof payload === 'string' ? payload : JSON.stringify(payload),
  );
  const label = new TextEncoder().encode('sealbox/v1/keyset\n');
  const message = new Uint8Array([...label, ...bytes]);
  return {
    format: 'sealbox-keyset-v1',
    payload: toBase64Url(bytes),
    signature: toBase64Url(sodium.crypto_sign_detached(message, key.secretKey)),
    signer: toBase64Url(key.publicKey),
  };
}
const pin = { publicKey: org.publicKey };
const courier = courierCard(await generateCourierKey('Courier'));
const card = reviewerCard(reviewer);

t.test('a signed payload that is not a keyset is FORMAT_INVALID', async (t) => {
  const bad: [string, unknown][] = [
    ['an array', [base]],
    ['null', null],
    ['a string', 'keyset'],
    ['version 0', { ...base, version: 0 }],
    ['version 2^32', { ...base, version: 2 ** 32 }],
    ['a fractional version', { ...base, version: 1.5 }],
    ['a date as a number', { ...base, expires: 20270101 }],
    ['a date in another form', { ...base, issued: '2026-1-1' }],
    // A list of one date reads as the date to the pattern and to Date.parse.
    ['a date in a list', { ...base, issued: ['2026-01-01'] }],
    ['month 13', { ...base, expires: '2027-13-01' }],
    ['reviewers not a list', { ...base, reviewers: card }],
    ['65 reviewers', { ...base, reviewers: Array(65).fill(card) }],
    ['a reviewer that is not a card', { ...base, reviewers: [{ ...card, type: 'x' }] }],
    ['couriers not a list', { ...base, couriers: courier }],
    ['no couriers field', { ...base, couriers: undefined }],
    ['65 couriers', { ...base, couriers: Array(65).fill(courier) }],
    ['a courier that is not a card', { ...base, couriers: [{ ...courier, type: 'x' }] }],
    ['not JSON', '{"version":'],
  ];
  for (const [what, payload] of bad) {
    t.equal(
      await codeOf(verifyKeyset(signedPayload(payload), pin, { now })),
      'FORMAT_INVALID',
      what,
    );
  }
});

t.test('the bounds of a keyset are accepted', async (t) => {
  for (const version of [1, 2 ** 32 - 1]) {
    t.equal(
      (await verifyKeyset(signedPayload({ ...base, version }), pin, { now })).version,
      version,
    );
  }
  const full = { ...base, reviewers: Array(64).fill(card), couriers: Array(64).fill(courier) };
  const verified = await verifyKeyset(signedPayload(full), pin, { now });
  t.equal(verified.reviewers.length, 64, '64 reviewers');
  t.equal(verified.couriers.length, 64, '64 couriers');
  t.equal(
    await codeOf(verifyKeyset(signed, pin, { now: new Date('2027-01-01T23:59:59Z') })),
    undefined,
    'valid through its expiry day',
  );
  t.equal(
    await codeOf(verifyKeyset(signed, pin, { now: new Date('2025-12-31T00:00:00Z') })),
    undefined,
    'valid from the day before it is issued (one day of grace)',
  );
  t.equal(
    await codeOf(verifyKeyset(signed, pin, { now: new Date('2025-12-30T23:59:59Z') })),
    'KEYSET_NOT_YET_VALID',
    'not two days before',
  );
});

t.test('the signed fields: each missing or malformed one has its code', async (t) => {
  const good = signedPayload(base);
  for (const field of ['payload', 'signature', 'signer']) {
    t.equal(
      await codeOf(verifyKeyset({ ...good, [field]: 7 }, pin, { now })),
      'FORMAT_INVALID',
      `${field} not a string`,
    );
  }
  t.equal(await codeOf(verifyKeyset(null, pin, { now })), 'FORMAT_INVALID', 'null');
  t.equal(
    await codeOf(
      verifyKeyset({ ...good, signer: toBase64Url(org.publicKey.subarray(1)) }, pin, { now }),
    ),
    'KEYSET_SIGNATURE_INVALID',
    'a signer key of the wrong length',
  );
  t.equal(
    await codeOf(
      verifyKeyset(
        { ...good, signature: toBase64Url(fromBase64Url(good.signature!).subarray(1)) },
        pin,
        {
          now,
        },
      ),
    ),
    'KEYSET_SIGNATURE_INVALID',
    'a short signature',
  );
  await t.rejects(
    verifyKeyset(good, {}, { now }),
    TypeError,
    'no pinned root: a programming error',
  );
});
