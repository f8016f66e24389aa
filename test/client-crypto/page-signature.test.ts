// The organisation's signature over a built page (client-crypto/page-signature.ts,
// docs/protocol.md "The signed page"): made by the root, refused when made by any
// other key, when any byte of it changes, and when the digests it names are not
// those of the bytes at hand.
import { createHash } from 'node:crypto';
import t from 'tap';
import {
  PAGE_SIGNATURE_FORMAT,
  fingerprint,
  fromBase64Url,
  generateOrganisationKey,
  signPage,
  toBase64Url,
  utf8Encode,
  verifyPageSignature,
} from '../../client-crypto/index.ts';
import { PAGE_SIGNATURE_LABEL } from '../../client-crypto/page-signature.ts';
import { signJson } from '../../client-crypto/signed.ts';
import { codeOf, flips } from './fixtures.ts';

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const org = await generateOrganisationKey();
const other = await generateOrganisationKey();
const pin = await fingerprint(org.publicKey);
const manifest = utf8Encode('{"format":"sealbox-web-manifest-v3","files":{}}\n');
const saved = utf8Encode('<!doctype html><title>Sealbox</title>');
const now = new Date('2026-12-02T10:00:00Z');

t.test(
  'a signature by the pinned root verifies and names the digests of what it covers',
  async (t) => {
    const signed = await signPage(
      { manifest: sha256Hex(manifest), saved: sha256Hex(saved), version: '0.2.0' },
      org,
      now,
    );
    t.equal(signed.format, PAGE_SIGNATURE_FORMAT);
    const payload = await verifyPageSignature(signed, pin);
    t.equal(payload.manifest, sha256Hex(manifest));
    t.equal(payload.saved, sha256Hex(saved));
    t.equal(payload.org, pin);
    t.equal(payload.signed, '2026-12-02');
    t.equal(payload.version, '0.2.0');
    // Written lowercase, spaced or dashed, the pin is the same pin.
    t.same(await verifyPageSignature(signed, pin.toLowerCase().replace(/-/g, ' ')), payload);
  },
);

t.test('without a saved page, the signature says so', async (t) => {
  const payload = await verifyPageSignature(
    await signPage({ manifest: sha256Hex(manifest), version: '1' }, org),
    pin,
  );
  t.equal(payload.saved, null);
});

t.test('a signature by another root is refused, whatever it names', async (t) => {
  const byOther = await signPage({ manifest: sha256Hex(manifest), version: '1' }, other, now);
  t.equal(await codeOf(verifyPageSignature(byOther, pin)), 'KEYSET_ROOT_MISMATCH');
  // Another root's signature presented with the pinned root as its signer.
  const forged = { ...byOther, signer: toBase64Url(org.publicKey) };
  t.equal(await codeOf(verifyPageSignature(forged, pin)), 'PAGE_SIGNATURE_INVALID');
  // The pinned root's key, signing a payload that names another organisation.
  const otherPin = await fingerprint(other.publicKey);
  const naming = await signJson(
    PAGE_SIGNATURE_FORMAT,
    PAGE_SIGNATURE_LABEL,
    {
      v: 1,
      app: 'sealbox',
      version: '1',
      org: otherPin,
      manifest: sha256Hex(manifest),
      saved: null,
      signed: '2026-12-02',
    },
    org,
  );
  t.equal(await codeOf(verifyPageSignature(naming, pin)), 'PAGE_SIGNATURE_INVALID');
});

t.test('every byte of the payload and of the signature is covered', async (t) => {
  const signed = await signPage(
    { manifest: sha256Hex(manifest), saved: sha256Hex(saved), version: '1' },
    org,
    now,
  );
  for (const field of ['payload', 'signature'] as const) {
    const bytes = fromBase64Url(signed[field]);
    for (const [i, flipped] of flips(bytes)) {
      const code = await codeOf(
        verifyPageSignature({ ...signed, [field]: toBase64Url(flipped) }, pin),
      );
      if (code !== 'PAGE_SIGNATURE_INVALID') t.fail(`${field} byte ${i}: ${code}`);
    }
  }
  t.pass('every flipped byte refused');
});

t.test('malformed signatures and payloads are refused with a code', async (t) => {
  t.equal(await codeOf(verifyPageSignature(null, pin)), 'FORMAT_INVALID');
  t.equal(await codeOf(verifyPageSignature({ format: 'x' }, pin)), 'VERSION_UNSUPPORTED');
  const signed = await signPage({ manifest: sha256Hex(manifest), version: '1' }, org, now);
  t.equal(await codeOf(verifyPageSignature({ ...signed, signer: '!' }, pin)), 'KEY_INVALID');
  t.equal(await codeOf(verifyPageSignature({ ...signed, signer: 'AAAA' }, pin)), 'KEY_INVALID');
  const sign = (value: unknown) =>
    signJson(PAGE_SIGNATURE_FORMAT, PAGE_SIGNATURE_LABEL, value, org);
  const good = {
    v: 1,
    app: 'sealbox',
    version: '1',
    org: pin,
    manifest: sha256Hex(manifest),
    saved: null,
    signed: '2026-12-02',
  };
  // Values that are not of the field's type yet read as a valid one once made a
  // string (a list of one digest or date) are refused for their type.
  const cases: [string, unknown, string][] = [
    ['an array', [], 'FORMAT_INVALID'],
    ['null', null, 'FORMAT_INVALID'],
    ['a string', 'sealbox', 'FORMAT_INVALID'],
    ['a number', 1, 'FORMAT_INVALID'],
    ['a version that is a number', { ...good, version: 100 }, 'FORMAT_INVALID'],
    ['a digest in a list', { ...good, manifest: [good.manifest] }, 'FORMAT_INVALID'],
    ['a saved digest in a list', { ...good, saved: [good.manifest] }, 'FORMAT_INVALID'],
    ['a date in a list', { ...good, signed: [good.signed] }, 'FORMAT_INVALID'],
    ['another version', { ...good, v: 2 }, 'VERSION_UNSUPPORTED'],
    ['another app', { ...good, app: 'x' }, 'VERSION_UNSUPPORTED'],
    ['no version', { ...good, version: '' }, 'FORMAT_INVALID'],
    ['a long version', { ...good, version: 'x'.repeat(65) }, 'FORMAT_INVALID'],
    ['no organisation', { ...good, org: 1 }, 'FORMAT_INVALID'],
    ['a short digest', { ...good, manifest: 'ab' }, 'FORMAT_INVALID'],
    ['an uppercase digest', { ...good, manifest: good.manifest.toUpperCase() }, 'FORMAT_INVALID'],
    ['a saved digest that is not one', { ...good, saved: 'x' }, 'FORMAT_INVALID'],
    ['a date that is not one', { ...good, signed: 'today' }, 'FORMAT_INVALID'],
  ];
  for (const [what, payload, code] of cases) {
    t.equal(await codeOf(verifyPageSignature(await sign(payload), pin)), code, what);
  }
  // The bounds themselves: a version of 1 and of 64 characters.
  for (const version of ['1', 'x'.repeat(64)]) {
    t.equal((await verifyPageSignature(await sign({ ...good, version }), pin)).version, version);
  }
});
