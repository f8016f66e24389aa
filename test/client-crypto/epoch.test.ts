// Epoch keys (client-crypto/epoch.ts, docs/protocol.md "Epoch keys"): the
// chain keyset -> reviewer identity -> epoch key, the validity rules, and the
// choice of the key a page seals to. Real keys and real signatures throughout.
import t from 'tap';
import fc from 'fast-check';
import {
  type EpochKey,
  type Keyset,
  EPOCH_ACCEPT_DAYS,
  MAX_EPOCH_DAYS,
  acceptsSealedTo,
  addDays,
  concatBytes,
  currentEpochKey,
  envelopeRecipientIds,
  epochRecipientId,
  epochKeyPair,
  fromBase64Url,
  generateEpochKey,
  generateReviewerIdentity,
  getSodium,
  openDocument,
  reviewerCard,
  sealDocument,
  sealingKeys,
  toBase64Url,
  usableForSealing,
  utf8Encode,
  verifyEpochKey,
} from '../../client-crypto/index.ts';
import { EPOCH_KEY_FORMAT, EPOCH_KEY_SIGNATURE_LABEL } from '../../client-crypto/epoch.ts';
import { signJson } from '../../client-crypto/signed.ts';
import { makeEpoch } from '../epochs.ts';
import { codeOf, documentFor, flips, makeWorld } from './fixtures.ts';

const sodium = await getSodium();
const world = await makeWorld(2);
const [alice, bob] = world.reviewers as [(typeof world.reviewers)[0], (typeof world.reviewers)[0]];
const epoch = await makeEpoch(alice, 1, '2026-06-01', '2026-06-08');
const key = JSON.parse(new TextDecoder().decode(fromBase64Url(epoch.signed.payload))) as EpochKey;

/** An epoch key payload signed by `by` exactly as given, checked or not. */
function signedBy(by: typeof alice, payload: unknown) {
  return signJson(EPOCH_KEY_FORMAT, EPOCH_KEY_SIGNATURE_LABEL, payload, {
    publicKey: by.signPublicKey,
    secretKey: by.signSecretKey,
  });
}

t.test('a signed epoch key verifies against the keyset and names its reviewer', async (t) => {
  const verified = await verifyEpochKey(epoch.signed, world.keyset);
  t.equal(verified.reviewerName, 'Reviewer 1');
  t.equal(verified.epoch, 1);
  t.equal(verified.starts, '2026-06-01');
  t.equal(verified.ends, '2026-06-08');
  t.same(verified.publicKey, epoch.keyPair.publicKey);
  t.equal(verified.reviewer, toBase64Url(alice.signPublicKey));
  t.equal(epoch.signed.signer, verified.reviewer, 'the signer is the reviewer it names');
});

t.test('every byte of the payload, signature and signer, flipped, is refused', async (t) => {
  const codes = new Map<string, number>();
  let tried = 0;
  for (const field of ['payload', 'signature', 'signer'] as const) {
    for (const [, bytes] of flips(fromBase64Url(epoch.signed[field]))) {
      const code = await codeOf(
        verifyEpochKey({ ...epoch.signed, [field]: toBase64Url(bytes) }, world.keyset),
      );
      codes.set(`${field} ${code}`, (codes.get(`${field} ${code}`) ?? 0) + 1);
      tried += 1;
    }
  }
  t.same(
    [...codes.keys()].sort(),
    [
      'payload EPOCH_SIGNATURE_INVALID',
      'signature EPOCH_SIGNATURE_INVALID',
      'signer EPOCH_SIGNATURE_INVALID',
    ],
    `all ${tried} changed keys are refused as unsigned`,
  );
});

t.test('a key that names one reviewer and is signed by another is refused', async (t) => {
  const forged = await signedBy(bob, key);
  t.equal(forged.signer, toBase64Url(bob.signPublicKey));
  t.equal(
    await codeOf(verifyEpochKey(forged, world.keyset)),
    'EPOCH_SIGNATURE_INVALID',
    'signed by B, naming A, signer B',
  );
  t.equal(
    await codeOf(verifyEpochKey({ ...forged, signer: epoch.signed.signer }, world.keyset)),
    'EPOCH_SIGNATURE_INVALID',
    'signed by B, naming A, signer field rewritten to A',
  );
});

t.test('a key of a reviewer who is not in the keyset is refused', async (t) => {
  const outsider = await generateReviewerIdentity('Outsider');
  const theirs = await makeEpoch(outsider, 1, '2026-06-01', '2026-06-08');
  t.equal(await codeOf(verifyEpochKey(theirs.signed, world.keyset)), 'EPOCH_REVIEWER_UNKNOWN');
  const withoutAlice: Keyset = {
    ...world.keyset,
    version: world.keyset.version + 1,
    reviewers: [reviewerCard(bob)],
  };
  t.equal(
    await codeOf(verifyEpochKey(epoch.signed, withoutAlice)),
    'EPOCH_REVIEWER_UNKNOWN',
    'a reviewer removed from the keyset: its keys no longer verify',
  );
});

t.test('malformed signed objects are refused with their codes', async (t) => {
  const cases: [string, unknown, string][] = [
    ['not an object', 'epoch', 'FORMAT_INVALID'],
    ['null', null, 'FORMAT_INVALID'],
    ['another format', { ...epoch.signed, format: 'sealbox-epoch-key-v2' }, 'VERSION_UNSUPPORTED'],
    ['a keyset', { ...epoch.signed, format: 'sealbox-keyset-v1' }, 'VERSION_UNSUPPORTED'],
    ['no signature', { ...epoch.signed, signature: undefined }, 'FORMAT_INVALID'],
    ['payload not base64url', { ...epoch.signed, payload: 'e30=' }, 'ENCODING_INVALID'],
    [
      'signer of 31 bytes',
      { ...epoch.signed, signer: toBase64Url(new Uint8Array(31)) },
      'EPOCH_SIGNATURE_INVALID',
    ],
    [
      'signature of 63 bytes',
      { ...epoch.signed, signature: toBase64Url(new Uint8Array(63)) },
      'EPOCH_SIGNATURE_INVALID',
    ],
  ];
  for (const [what, value, code] of cases) {
    t.equal(await codeOf(verifyEpochKey(value, world.keyset)), code, what);
  }
});

t.test('payload fields: dates, lengths, numbers, versions', async (t) => {
  const cases: [string, unknown, string | undefined][] = [
    ['as made', key, undefined],
    ['one day', { ...key, ends: '2026-06-02' }, undefined],
    [`${MAX_EPOCH_DAYS} days`, { ...key, ends: addDays(key.starts, MAX_EPOCH_DAYS) }, undefined],
    [
      `${MAX_EPOCH_DAYS + 1} days`,
      { ...key, ends: addDays(key.starts, MAX_EPOCH_DAYS + 1) },
      'FORMAT_INVALID',
    ],
    ['ends = starts', { ...key, ends: key.starts }, 'FORMAT_INVALID'],
    ['ends before starts', { ...key, ends: '2026-05-31' }, 'FORMAT_INVALID'],
    ['month 13', { ...key, starts: '2026-13-01' }, 'FORMAT_INVALID'],
    ['February 30', { ...key, starts: '2026-02-30' }, 'FORMAT_INVALID'],
    // Read as March 2, it would make an epoch of a valid length.
    [
      'February 30, three days',
      { ...key, starts: '2026-02-30', ends: '2026-03-05' },
      'FORMAT_INVALID',
    ],
    ['day 0', { ...key, ends: '2026-06-00' }, 'FORMAT_INVALID'],
    ['no leading zero', { ...key, starts: '2026-6-01' }, 'FORMAT_INVALID'],
    ['a time of day', { ...key, starts: '2026-06-01T00:00:00Z' }, 'FORMAT_INVALID'],
    ['a number', { ...key, starts: 20260601 }, 'FORMAT_INVALID'],
    ['no ends', { ...key, ends: undefined }, 'FORMAT_INVALID'],
    ['epoch 0', { ...key, epoch: 0 }, 'FORMAT_INVALID'],
    ['epoch 1.5', { ...key, epoch: 1.5 }, 'FORMAT_INVALID'],
    ['epoch 2^32', { ...key, epoch: 2 ** 32 }, 'FORMAT_INVALID'],
    ['epoch 2^32-1', { ...key, epoch: 2 ** 32 - 1 }, undefined],
    ['epoch as text', { ...key, epoch: '1' }, 'FORMAT_INVALID'],
    ['v 2', { ...key, v: 2 }, 'VERSION_UNSUPPORTED'],
    ['no v', { ...key, v: undefined }, 'VERSION_UNSUPPORTED'],
    [
      'X-Wing key of 1215 bytes',
      { ...key, kemPublicKey: toBase64Url(epoch.keyPair.publicKey.subarray(1)) },
      'KEY_INVALID',
    ],
    [
      'X-Wing key of 32 bytes',
      { ...key, kemPublicKey: toBase64Url(new Uint8Array(32)) },
      'KEY_INVALID',
    ],
    ['X-Wing key missing', { ...key, kemPublicKey: undefined }, 'KEY_INVALID'],
    ['X-Wing key padded', { ...key, kemPublicKey: `${key.kemPublicKey}=` }, 'ENCODING_INVALID'],
    [
      'reviewer of 31 bytes',
      { ...key, reviewer: toBase64Url(alice.signPublicKey.subarray(1)) },
      'KEY_INVALID',
    ],
    ['reviewer missing', { ...key, reviewer: undefined }, 'KEY_INVALID'],
    ['reviewer as a number', { ...key, reviewer: 7 }, 'KEY_INVALID'],
    ['an array', [key], 'FORMAT_INVALID'],
    ['null', null, 'FORMAT_INVALID'],
    ['text', 'epoch', 'FORMAT_INVALID'],
  ];
  for (const [what, payload, code] of cases) {
    t.equal(await codeOf(verifyEpochKey(await signedBy(alice, payload), world.keyset)), code, what);
  }
  for (const [bytes, code] of [
    [new Uint8Array([0x7b, 0xff, 0x7d]), 'ENCODING_INVALID'],
    [utf8Encode('{"v":1'), 'FORMAT_INVALID'],
  ] as const) {
    const signature = sodium.crypto_sign_detached(
      concatBytes(EPOCH_KEY_SIGNATURE_LABEL, bytes),
      alice.signSecretKey,
    );
    const signed = {
      ...epoch.signed,
      payload: toBase64Url(bytes),
      signature: toBase64Url(signature),
    };
    t.equal(await codeOf(verifyEpochKey(signed, world.keyset)), code, `a signed payload: ${code}`);
  }
});

t.test('the recipient id of an epoch key is the id of its stanza', async (t) => {
  const sealing = await sealingKeys(
    world.keyset,
    [epoch.signed, (await makeEpoch(bob, 1, '2026-06-01', '2026-06-08')).signed],
    new Date('2026-06-02T00:00:00Z'),
  );
  const envelope = await sealDocument(documentFor(world), sealing, world.authorKeyPair);
  t.same(envelopeRecipientIds(envelope)[0], fromBase64Url(await epochRecipientId(key)));
});

t.test('generateEpochKey: a fresh seed each time, and only well-formed keys', async (t) => {
  const seeds = new Set<string>();
  const publicKeys = new Set<string>();
  for (let n = 1; n <= 16; n++) {
    const made = await generateEpochKey(alice, n, '2026-06-01', '2026-06-08');
    t.equal(made.seed.length, 32);
    seeds.add(toBase64Url(made.seed));
    publicKeys.add(toBase64Url(made.publicKey));
    t.same((await epochKeyPair(made.seed)).publicKey, made.publicKey, 'the seed is the key');
    t.equal(made.key.kemPublicKey, toBase64Url(made.publicKey));
  }
  t.equal(seeds.size, 16, 'no seed repeats');
  // What the key file keeps must open what pages seal to the published key.
  const made = await generateEpochKey(alice, 5, '2026-06-01', '2026-06-08');
  t.same(
    { ...made.secret, keyPair: undefined },
    { epoch: 5, starts: '2026-06-01', ends: '2026-06-08', keyPair: undefined },
    'the secret names its epoch and days',
  );
  const sealed = await sealingKeys(
    { ...world.keyset, reviewers: [reviewerCard(alice)] },
    [made.signed],
    new Date('2026-06-02T00:00:00Z'),
  );
  const envelope = await sealDocument(documentFor(world), sealed, world.authorKeyPair);
  t.same(
    (await openDocument(envelope, [made.secret.keyPair]))?.document,
    documentFor(world),
    'the secret opens a document sealed to the signed key',
  );
  t.equal(publicKeys.size, 16, 'no public key repeats');
  t.equal(await codeOf(generateEpochKey(alice, 0, '2026-06-01', '2026-06-08')), 'FORMAT_INVALID');
  t.equal(await codeOf(generateEpochKey(alice, 1, '2026-06-08', '2026-06-08')), 'FORMAT_INVALID');
  t.equal(
    await codeOf(generateEpochKey(alice, 1, '2026-06-01', addDays('2026-06-01', 93))),
    'FORMAT_INVALID',
  );
  t.equal(await codeOf(generateEpochKey(alice, 1, '2026-13-01', '2026-06-08')), 'FORMAT_INVALID');
});

t.test('usable for sealing: its days, with one day of grace each side', (t) => {
  const k = { ...key, starts: '2026-06-01', ends: '2026-06-08' };
  t.notOk(usableForSealing(k, '2026-05-30'));
  t.ok(usableForSealing(k, '2026-05-31'), 'the day before it starts');
  t.ok(usableForSealing(k, '2026-06-07'), 'its last day');
  t.ok(usableForSealing(k, '2026-06-08'), 'the day it ends');
  t.notOk(usableForSealing(k, '2026-06-09'));
  t.end();
});

t.test(`a server accepts items sealed to it until ${EPOCH_ACCEPT_DAYS} days after it ends`, (t) => {
  const k = { ...key, starts: '2026-06-01', ends: '2026-06-08' };
  t.notOk(acceptsSealedTo(k, '2026-05-30'));
  t.ok(acceptsSealedTo(k, '2026-05-31'), 'the day before it starts (a fast clock)');
  t.ok(acceptsSealedTo(k, '2026-06-08'));
  t.ok(acceptsSealedTo(k, addDays('2026-06-08', EPOCH_ACCEPT_DAYS - 1)));
  t.notOk(acceptsSealedTo(k, addDays('2026-06-08', EPOCH_ACCEPT_DAYS)));
  t.end();
});

t.test('the current key on each side of a boundary', (t) => {
  const one = { ...key, epoch: 1, starts: '2026-06-01', ends: '2026-06-08' };
  const two = { ...key, epoch: 2, starts: '2026-06-08', ends: '2026-06-15' };
  const both = [two, one];
  t.equal(currentEpochKey(both, '2026-05-31')?.epoch, 1, 'not started, but within grace');
  t.equal(currentEpochKey(both, '2026-06-01')?.epoch, 1);
  t.equal(currentEpochKey(both, '2026-06-07')?.epoch, 1, 'the last day of epoch 1');
  t.equal(currentEpochKey(both, '2026-06-08')?.epoch, 2, 'the first day of epoch 2');
  t.equal(currentEpochKey(both, '2026-06-15')?.epoch, 2, 'grace after the end');
  t.equal(currentEpochKey(both, '2026-06-16'), null);
  t.equal(currentEpochKey([], '2026-06-01'), null);
  t.end();
});

const day = (n: number) => addDays('2026-06-01', n);
const layout = fc.array(
  fc.record({ start: fc.integer({ min: -20, max: 20 }), days: fc.integer({ min: 1, max: 10 }) }),
  { maxLength: 6 },
);

t.test('property: the chosen key is usable, started by today if one has, and the latest', (t) => {
  fc.assert(
    fc.property(layout, fc.integer({ min: -25, max: 35 }), (epochs, offset) => {
      const keys = epochs.map((e, i) => ({
        ...key,
        epoch: i + 1,
        starts: day(e.start),
        ends: day(e.start + e.days),
      }));
      const today = day(offset);
      const chosen = currentEpochKey(keys, today);
      const usable = keys.filter((k) => usableForSealing(k, today));
      const started = usable.filter((k) => k.starts <= today);
      if (usable.length === 0) return chosen === null;
      if (chosen === null || !usableForSealing(chosen, today)) return false;
      if (started.length === 0) return usable.every((k) => chosen.starts <= k.starts);
      return chosen.starts <= today && started.every((k) => k.starts <= chosen.starts);
    }),
    { numRuns: 2000 },
  );
  t.pass('2000 layouts');
  t.end();
});

// Signed keys for the property of sealingKeys: made once, chosen from at random.
const pool = await Promise.all(
  [
    [-14, -7],
    [-7, 0],
    [0, 7],
    [7, 14],
    [3, 5],
    [20, 27],
  ].map(([s, e], i) => makeEpoch(alice, i + 1, day(s!), day(e!))),
);
const bobsNow = await makeEpoch(bob, 1, day(-40), day(50));

t.test(
  'property: sealingKeys seals to the current key or fails closed naming the reviewer',
  async (t) => {
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(pool),
        fc.integer({ min: -20, max: 30 }),
        async (mine, offset) => {
          const today = day(offset);
          const signed = [...mine.map((e) => e.signed), bobsNow.signed];
          const verified = await Promise.all(
            mine.map((e) => verifyEpochKey(e.signed, world.keyset)),
          );
          const expected = currentEpochKey(verified, today);
          try {
            const keys = await sealingKeys(world.keyset, signed, new Date(`${today}T12:00:00Z`));
            const chosen = keys.recipients[0]!;
            return (
              expected !== null &&
              chosen.reviewerName === 'Reviewer 1' &&
              chosen.epoch === expected.epoch &&
              toBase64Url(chosen.publicKey) === expected.kemPublicKey &&
              keys.recipients[1]!.epoch === 1 &&
              keys.keysetVersion === world.keyset.version
            );
          } catch (e) {
            const err = e as { code?: string; message: string };
            const code =
              mine.length === 0
                ? 'EPOCH_MISSING'
                : mine.every((m) => m.starts > today)
                  ? 'EPOCH_NOT_YET_VALID'
                  : 'EPOCH_EXPIRED';
            return expected === null && err.code === code && err.message.includes('"Reviewer 1"');
          }
        },
      ),
      { numRuns: 300 },
    );
    t.pass('300 layouts and dates');
  },
);

t.test('sealingKeys fails closed with the reviewer and the reason', async (t) => {
  const at = (d: string) => new Date(`${d}T08:00:00Z`);
  const failure = async (signed: unknown[], d: string) => {
    try {
      await sealingKeys(world.keyset, signed, at(d));
      return 'sealed';
    } catch (e) {
      return `${(e as { code: string }).code}: ${(e as Error).message}`;
    }
  };
  t.match(await failure([bobsNow.signed], day(0)), /^EPOCH_MISSING: .*"Reviewer 1"/);
  t.match(await failure([epoch.signed], '2026-06-03'), /^EPOCH_MISSING: .*"Reviewer 2"/);
  t.match(
    await failure([pool[0]!.signed, bobsNow.signed], day(1)),
    /^EPOCH_EXPIRED: .*"Reviewer 1"/,
  );
  t.match(
    await failure([pool[5]!.signed, bobsNow.signed], day(10)),
    /^EPOCH_NOT_YET_VALID: .*"Reviewer 1"/,
  );
  const outsider = await makeEpoch(await generateReviewerIdentity('Outsider'), 1, day(0), day(7));
  t.match(
    await failure([pool[2]!.signed, bobsNow.signed, outsider.signed], day(1)),
    /^EPOCH_REVIEWER_UNKNOWN/,
    'a key that does not verify is an error, not skipped',
  );
  const sealing = await sealingKeys(
    world.keyset,
    [pool[1]!.signed, pool[2]!.signed, bobsNow.signed],
    at(day(0)),
  );
  t.same(
    sealing.recipients.map((r) => [r.reviewerName, r.epoch]),
    [
      ['Reviewer 1', 3],
      ['Reviewer 2', 1],
    ],
    'in keyset order, on the first day of epoch 3',
  );
});
