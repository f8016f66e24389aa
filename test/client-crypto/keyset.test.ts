import t from 'tap';
import fc from 'fast-check';
import {
  fingerprint,
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
