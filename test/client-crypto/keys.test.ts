// Keys and the cards that carry their public halves: what a card from
// untrusted JSON must be, and how fingerprints compare.
import t from 'tap';
import {
  courierCard,
  fingerprint,
  generateCourierKey,
  generateOrganisationKey,
  generateReviewerIdentity,
  getSodium,
  parseCourierCard,
  parseReviewerCard,
  reviewerCard,
  reviewerIdentityFromSecrets,
  sameFingerprint,
  toBase64Url,
} from '../../client-crypto/index.ts';
import { codeOf } from './fixtures.ts';

const reviewer = await generateReviewerIdentity('Amina');
const courier = await generateCourierKey('Field laptop');
const rCard = reviewerCard(reviewer);
const cCard = courierCard(courier);

const sync = (f: () => unknown) => codeOf(Promise.resolve().then(f));

t.test('a reviewer card round-trips and anything else is refused with a code', async (t) => {
  const parsed = parseReviewerCard(JSON.parse(JSON.stringify(rCard)));
  t.same(parsed.kem, reviewer.kemPublicKey);
  t.same(parsed.sign, reviewer.signPublicKey);
  t.same(
    { ...parsed, kem: undefined, sign: undefined },
    { ...rCard, kem: undefined, sign: undefined },
    'the card as it came',
  );
  t.equal(
    parseReviewerCard({ ...rCard, name: 'x'.repeat(100) }).name.length,
    100,
    'a name of 100 characters',
  );
  const cases: [string, unknown, string][] = [
    ['null', null, 'FORMAT_INVALID'],
    ['an array', [rCard], 'FORMAT_INVALID'],
    ['a courier card', cCard, 'FORMAT_INVALID'],
    ['another type', { ...rCard, type: 'sealbox-courier-card' }, 'FORMAT_INVALID'],
    ['another version', { ...rCard, v: 2 }, 'FORMAT_INVALID'],
    ['no X-Wing key', { ...rCard, kemPublicKey: undefined }, 'FORMAT_INVALID'],
    ['a short X-Wing key', { ...rCard, kemPublicKey: 'AAAA' }, 'KEY_INVALID'],
    ['keys swapped', { ...rCard, kemPublicKey: rCard.signPublicKey }, 'KEY_INVALID'],
    [
      'a signing key of 31 bytes',
      { ...rCard, signPublicKey: toBase64Url(new Uint8Array(31)) },
      'KEY_INVALID',
    ],
    ['not base64url', { ...rCard, signPublicKey: '***' }, 'ENCODING_INVALID'],
    ['an empty name', { ...rCard, name: '' }, 'FORMAT_INVALID'],
    ['a blank name', { ...rCard, name: '   ' }, 'FORMAT_INVALID'],
    ['a name of 101 characters', { ...rCard, name: 'x'.repeat(101) }, 'FORMAT_INVALID'],
    ['a control character in the name', { ...rCard, name: 'Ami\u0007na' }, 'FORMAT_INVALID'],
    ['a name that is not text', { ...rCard, name: 7 }, 'FORMAT_INVALID'],
  ];
  for (const [name, value, code] of cases)
    t.equal(await sync(() => parseReviewerCard(value)), code, name);
});

t.test('a courier card round-trips and anything else is refused with a code', async (t) => {
  const parsedCourier = parseCourierCard(JSON.parse(JSON.stringify(cCard)));
  t.same(parsedCourier.key, courier.publicKey);
  t.same({ ...parsedCourier, key: undefined }, { ...cCard, key: undefined }, 'the card as it came');
  const cases: [string, unknown, string][] = [
    ['a string', 'card', 'FORMAT_INVALID'],
    ['null', null, 'FORMAT_INVALID'],
    ['another type', { ...cCard, type: 'sealbox-reviewer-card' }, 'FORMAT_INVALID'],
    ['a reviewer card', rCard, 'FORMAT_INVALID'],
    ['another version', { ...cCard, v: 0 }, 'FORMAT_INVALID'],
    ['no key', { ...cCard, publicKey: null }, 'FORMAT_INVALID'],
    ['a key of 33 bytes', { ...cCard, publicKey: toBase64Url(new Uint8Array(33)) }, 'KEY_INVALID'],
    ['a newline in the name', { ...cCard, name: 'a\nb' }, 'FORMAT_INVALID'],
  ];
  for (const [name, value, code] of cases)
    t.equal(await sync(() => parseCourierCard(value)), code, name);
  t.equal(await codeOf(generateCourierKey('')), 'FORMAT_INVALID', 'no courier without a name');
  t.equal(await codeOf(generateReviewerIdentity('\u0000')), 'FORMAT_INVALID');
});

t.test(
  'a reviewer identity is rebuilt from its secrets, and only from matching ones',
  async (t) => {
    const again = await reviewerIdentityFromSecrets(
      'Amina',
      reviewer.kemSecretKey,
      reviewer.signSecretKey,
    );
    t.same(again.kemPublicKey, reviewer.kemPublicKey);
    t.same(again.signPublicKey, reviewer.signPublicKey);
    t.equal(
      await codeOf(
        reviewerIdentityFromSecrets(
          'Amina',
          reviewer.kemSecretKey.subarray(1),
          reviewer.signSecretKey,
        ),
      ),
      'KEY_INVALID',
    );
    t.equal(
      await codeOf(reviewerIdentityFromSecrets('Amina', reviewer.kemSecretKey, new Uint8Array(63))),
      'KEY_INVALID',
    );
    const other = await generateReviewerIdentity('Other');
    const mixed = reviewer.signSecretKey.slice();
    mixed.set(other.signSecretKey.subarray(32), 32); // this seed, another public key
    t.equal(
      await codeOf(reviewerIdentityFromSecrets('Amina', reviewer.kemSecretKey, mixed)),
      'KEY_INVALID',
      'halves that do not belong together',
    );
  },
);

t.test('fingerprints compare as people write them', async (t) => {
  const fp = await fingerprint(courier.publicKey);
  t.ok(sameFingerprint(fp, fp));
  t.ok(sameFingerprint(fp, fp.toLowerCase().replaceAll('-', ' ')), 'case, spaces and dashes');
  // A fingerprint holding both a 0 and a 1, so that the misreadings below are tried.
  let both = fp;
  while (!both.includes('0') || !both.includes('1')) {
    both = await fingerprint((await generateCourierKey('x')).publicKey);
  }
  t.ok(sameFingerprint(both.replaceAll('0', 'O').replaceAll('1', 'I'), both), 'O for 0, I for 1');
  t.ok(sameFingerprint(both.replaceAll('1', 'L'), both), 'L for 1');
  t.notOk(
    sameFingerprint(both.replaceAll('0', '8'), both),
    'another symbol is another fingerprint',
  );
  t.notOk(sameFingerprint(fp, fp.slice(0, -1)), 'one symbol short');
  t.notOk(sameFingerprint(fp.slice(0, -1), fp.slice(0, -1)), 'two equal but short strings');
  t.notOk(sameFingerprint(fp, await fingerprint(reviewer.signPublicKey)), 'another key');
  t.notOk(sameFingerprint('', ''));
});

t.test('organisation keys are fresh, working Ed25519 pairs', async (t) => {
  const sodium = await getSodium();
  const a = await generateOrganisationKey();
  const b = await generateOrganisationKey();
  t.equal(a.publicKey.length, 32);
  t.equal(a.secretKey.length, 64);
  t.notSame(a.publicKey, b.publicKey, 'two keys, two pairs');
  const message = new TextEncoder().encode('keyset');
  const signature = sodium.crypto_sign_detached(message, a.secretKey);
  t.ok(
    sodium.crypto_sign_verify_detached(signature, message, a.publicKey),
    'the halves belong together',
  );
  t.notOk(sodium.crypto_sign_verify_detached(signature, message, b.publicKey));
});
