// The reviewer key file's secret (client-crypto/reviewer-secrets.ts,
// docs/protocol.md "Reviewer key file"): both versions read, every damaged
// record refused, an erased key gone from the bytes, and the key ring it gives
// opening what was sealed to epoch keys, and nothing else.
import t from 'tap';
import {
  type ReviewerSecrets,
  MAX_HELD_EPOCHS,
  concatBytes,
  decodeReviewerSecrets,
  encodeReviewerSecrets,
  epochKeyPair,
  getSodium,
  openDocument,
  reviewerKeyRing,
  sealDocument,
  sealingKeys,
  secretsOfIdentity,
  toBase64Url,
} from '../../client-crypto/index.ts';
import { legacySealingKeys, makeEpoch } from '../epochs.ts';
import { bytesEqual, codeOf, documentFor, makeWorld } from './fixtures.ts';

const sodium = await getSodium();
const world = await makeWorld(1);
const reviewer = world.reviewers[0]!;

/** A reviewer's secrets holding `count` weekly epochs from 2026-01-05. */
async function holding(count: number, identitySeed = true): Promise<ReviewerSecrets> {
  const secrets = secretsOfIdentity(reviewer);
  for (let i = 0; i < count; i++) {
    const starts = new Date(Date.UTC(2026, 0, 5 + 7 * i)).toISOString().slice(0, 10);
    const ends = new Date(Date.UTC(2026, 0, 12 + 7 * i)).toISOString().slice(0, 10);
    const seed = sodium.randombytes_buf(32);
    secrets.epochs.push({ epoch: i + 1, starts, ends, keyPair: await epochKeyPair(seed) });
  }
  return identitySeed ? secrets : { ...secrets, kemSecretKey: null };
}

/** The same secrets, field by field (key pairs compared by their bytes). */
function same(a: ReviewerSecrets, b: ReviewerSecrets): boolean {
  const eq = (x: Uint8Array | null, y: Uint8Array | null) =>
    x === null || y === null ? x === y : bytesEqual(x, y);
  return (
    eq(a.signPublicKey, b.signPublicKey) &&
    eq(a.signSecretKey, b.signSecretKey) &&
    eq(a.kemPublicKey, b.kemPublicKey) &&
    eq(a.kemSecretKey, b.kemSecretKey) &&
    a.epochs.length === b.epochs.length &&
    a.epochs.every(
      (e, i) =>
        e.epoch === b.epochs[i]!.epoch &&
        e.starts === b.epochs[i]!.starts &&
        e.ends === b.epochs[i]!.ends &&
        eq(e.keyPair.secretKey, b.epochs[i]!.keyPair.secretKey) &&
        eq(e.keyPair.publicKey, b.epochs[i]!.keyPair.publicKey),
    )
  );
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

t.test('version 2 round-trips, with and without the identity seed, 0 to 200 epochs', async (t) => {
  for (const count of [0, 1, 3, 200]) {
    for (const identitySeed of [true, false]) {
      const secrets = await holding(count, identitySeed);
      const bytes = encodeReviewerSecrets(secrets);
      t.equal(bytes.length, 4 + 1 + 64 + 1216 + (identitySeed ? 32 : 0) + 2 + 44 * count);
      t.same([...bytes.subarray(0, 5)], [0x53, 0x42, 0x52, 0x32, identitySeed ? 1 : 0]);
      t.ok(same(await decodeReviewerSecrets(bytes), secrets), `${count} epochs, ${identitySeed}`);
    }
  }
});

t.test('version 1 (identity seed || signing key) reads, and is written as version 2', async (t) => {
  const v1 = concatBytes(reviewer.kemSecretKey, reviewer.signSecretKey);
  t.equal(v1.length, 96);
  const read = await decodeReviewerSecrets(v1);
  t.ok(same(read, secretsOfIdentity(reviewer)));
  const v2 = encodeReviewerSecrets(read);
  t.equal(v2[4], 1, 'the identity seed is still held');
  t.ok(same(await decodeReviewerSecrets(v2), read));
  const halves = concatBytes(
    reviewer.kemSecretKey,
    reviewer.signSecretKey.subarray(0, 32),
    new Uint8Array(32),
  );
  t.equal(
    await codeOf(decodeReviewerSecrets(halves)),
    'KEY_INVALID',
    'signing key halves that do not belong together',
  );
});

t.test('every truncation and every trailing byte is refused', async (t) => {
  const bytes = encodeReviewerSecrets(await holding(3));
  const codes = new Map<string, number[]>();
  for (let n = 0; n < bytes.length; n++) {
    const code = (await codeOf(decodeReviewerSecrets(bytes.subarray(0, n)))) ?? 'read';
    codes.set(code, [...(codes.get(code) ?? []), n]);
  }
  t.same(
    [...codes.keys()].sort(),
    ['FORMAT_INVALID', 'KEY_INVALID'],
    `all ${bytes.length} truncations refused`,
  );
  t.same(
    codes.get('KEY_INVALID'),
    [96],
    'cut to 96 bytes it reads as version 1, whose keys do not match',
  );
  for (const extra of [[0], [1], [0xff], [0, 0], [0, 0, 0, 0]]) {
    t.equal(
      await codeOf(decodeReviewerSecrets(concatBytes(bytes, Uint8Array.from(extra)))),
      'FORMAT_INVALID',
      `followed by ${extra.length} byte(s)`,
    );
  }
});

t.test('damaged headers and entries are refused', async (t) => {
  const secrets = await holding(2);
  const bytes = encodeReviewerSecrets(secrets);
  const edit = (at: number, value: number) => {
    const copy = bytes.slice();
    copy[at] = value;
    return copy;
  };
  const entry = 4 + 1 + 64 + 1216 + 32 + 2;
  const cases: [string, Uint8Array, string][] = [
    ['magic', edit(3, 0x31), 'FORMAT_INVALID'],
    ['unknown flag', edit(4, 3), 'FORMAT_INVALID'],
    ['flag cleared (the seed read as the count)', edit(4, 0), 'FORMAT_INVALID'],
    [
      'identity seed of another key',
      edit(4 + 1 + 64 + 1216, bytes[4 + 1 + 64 + 1216]! ^ 1),
      'KEY_INVALID',
    ],
    ['signing key halves', edit(4 + 1 + 40, bytes[4 + 1 + 40]! ^ 1), 'KEY_INVALID'],
    [
      'epoch number 0',
      concatBytes(bytes.subarray(0, entry), new Uint8Array(4), bytes.subarray(entry + 4)),
      'FORMAT_INVALID',
    ],
    [
      'ends before starts',
      concatBytes(bytes.subarray(0, entry + 8), new Uint8Array(4), bytes.subarray(entry + 12)),
      'FORMAT_INVALID',
    ],
    [
      'ends after 9999-12-31',
      concatBytes(
        bytes.subarray(0, entry + 8),
        Uint8Array.of(0xff, 0xff, 0xff, 0xff),
        bytes.subarray(entry + 12),
      ),
      'FORMAT_INVALID',
    ],
    [
      'a count over the limit',
      concatBytes(bytes.subarray(0, entry - 2), Uint8Array.of(0x10, 0x01), bytes.subarray(entry)),
      'FORMAT_INVALID',
    ],
    ['empty', new Uint8Array(0), 'FORMAT_INVALID'],
  ];
  for (const [what, damaged, code] of cases) {
    t.equal(await codeOf(decodeReviewerSecrets(damaged)), code, what);
  }
});

t.test(
  'an erased epoch seed, or the erased identity seed, is nowhere in the encoding',
  async (t) => {
    const secrets = await holding(5);
    const before = encodeReviewerSecrets(secrets);
    const erased = secrets.epochs[1]!;
    t.ok(contains(before, erased.keyPair.secretKey), 'held: its seed is in the record');
    const after = encodeReviewerSecrets({
      ...secrets,
      kemSecretKey: null,
      epochs: secrets.epochs.filter((e) => e !== erased),
    });
    for (const [what, seed] of [
      ['epoch 2', erased.keyPair.secretKey],
      ['identity', reviewer.kemSecretKey],
    ] as const) {
      t.notOk(contains(after, seed), `${what}: the whole seed is gone`);
      t.notOk(contains(after, seed.subarray(0, 8)), `${what}: no 8 bytes of it either`);
    }
    const read = await decodeReviewerSecrets(after);
    t.same(
      read.epochs.map((e) => e.epoch),
      [1, 3, 4, 5],
    );
    t.equal(read.kemSecretKey, null);
  },
);

t.test('writing refuses what would not read back as written', (t) => {
  const base = secretsOfIdentity(reviewer);
  const seed = (n: number) => ({ publicKey: new Uint8Array(1216), secretKey: new Uint8Array(n) });
  const epoch = { epoch: 1, starts: '2026-01-05', ends: '2026-01-12', keyPair: seed(32) };
  const bad: [string, ReviewerSecrets][] = [
    ['signing key of 32 bytes', { ...base, signSecretKey: base.signSecretKey.subarray(0, 32) }],
    ['identity seed of 64 bytes', { ...base, kemSecretKey: new Uint8Array(64) }],
    ['identity public key of 32 bytes', { ...base, kemPublicKey: new Uint8Array(32) }],
    ['an epoch seed of 64 bytes', { ...base, epochs: [{ ...epoch, keyPair: seed(64) }] }],
    ['epoch 0', { ...base, epochs: [{ ...epoch, epoch: 0 }] }],
    ['epoch 2^32', { ...base, epochs: [{ ...epoch, epoch: 2 ** 32 }] }],
    ['ends = starts', { ...base, epochs: [{ ...epoch, ends: epoch.starts }] }],
    ['before 1970', { ...base, epochs: [{ ...epoch, starts: '1969-12-25', ends: '1970-01-01' }] }],
    [
      'too many epochs',
      { ...base, epochs: Array.from({ length: MAX_HELD_EPOCHS + 1 }, () => epoch) },
    ],
  ];
  for (const [what, secrets] of bad)
    t.throws(() => encodeReviewerSecrets(secrets), RangeError, what);
  t.doesNotThrow(() => encodeReviewerSecrets({ ...base, epochs: [epoch] }));
  t.end();
});

t.test('the key ring: epoch keys, then the identity key while it is held', async (t) => {
  const secrets = await holding(3);
  const ring = reviewerKeyRing(secrets);
  t.same(
    ring.map((k) => toBase64Url(k.publicKey)),
    [
      ...secrets.epochs.map((e) => toBase64Url(e.keyPair.publicKey)),
      toBase64Url(reviewer.kemPublicKey),
    ],
  );
  t.equal(reviewerKeyRing({ ...secrets, kemSecretKey: null }).length, 3);
});

t.test(
  'sealed to an epoch key: the ring opens it and names the key; the identity key does not',
  async (t) => {
    const secrets = await holding(0, false);
    const epochs = [
      await makeEpoch(reviewer, 1, '2026-05-25', '2026-06-01'),
      await makeEpoch(reviewer, 2, '2026-06-01', '2026-06-08'),
      await makeEpoch(reviewer, 3, '2026-06-08', '2026-06-15'),
    ];
    for (const e of epochs)
      secrets.epochs.push({ epoch: e.epoch, starts: e.starts, ends: e.ends, keyPair: e.keyPair });
    const sealing = await sealingKeys(
      world.keyset,
      epochs.map((e) => e.signed),
      new Date('2026-06-03T10:00:00Z'),
    );
    const envelope = await sealDocument(documentFor(world), sealing, world.authorKeyPair);
    const ring = reviewerKeyRing(await decodeReviewerSecrets(encodeReviewerSecrets(secrets)));
    const opened = await openDocument(envelope, ring);
    t.ok(opened, 'the ring opens it');
    t.same(opened?.openedWith, epochs[1]!.keyPair.publicKey, 'with the key of epoch 2');
    t.equal(
      await openDocument(envelope, [
        { publicKey: reviewer.kemPublicKey, secretKey: reviewer.kemSecretKey },
      ]),
      null,
      'the identity key does not open it',
    );
    const withoutTwo = ring.filter((k) => !bytesEqual(k.publicKey, epochs[1]!.keyPair.publicKey));
    t.equal(await openDocument(envelope, withoutTwo), null, 'epoch 2 erased: not for me');

    const legacy = await sealDocument(
      documentFor(world),
      legacySealingKeys(world.keyset),
      world.authorKeyPair,
    );
    const migrating = reviewerKeyRing({ ...secrets, kemSecretKey: reviewer.kemSecretKey });
    t.same(
      (await openDocument(legacy, migrating))?.openedWith,
      reviewer.kemPublicKey,
      'an item sealed before epoch keys opens with the identity seed while it is held',
    );
    t.equal(await openDocument(legacy, ring), null, 'and not once it is erased');
  },
);

t.test('the bounds are written and read back; one past them is refused on reading', async (t) => {
  const base = secretsOfIdentity(reviewer);
  const seed = () => sodium.randombytes_buf(32);
  const edge = {
    epoch: 0xffffffff,
    starts: '1970-01-01',
    ends: '9999-12-31',
    keyPair: await epochKeyPair(seed()),
  };
  const read = await decodeReviewerSecrets(encodeReviewerSecrets({ ...base, epochs: [edge] }));
  t.ok(same(read, { ...base, epochs: [edge] }), 'the last epoch number, the first and last days');

  const pair = await epochKeyPair(seed());
  const full = {
    ...base,
    epochs: Array.from({ length: MAX_HELD_EPOCHS }, (_, i) => ({
      epoch: i + 1,
      starts: '2026-01-05',
      ends: '2026-01-12',
      keyPair: pair,
    })),
  };
  const bytes = encodeReviewerSecrets(full);
  t.equal(
    (await decodeReviewerSecrets(bytes)).epochs.length,
    MAX_HELD_EPOCHS,
    'as many as may be held',
  );

  // One more entry than may be held, with its bytes present.
  const header = 4 + 1 + 64 + 1216 + 32;
  const entry = bytes.slice(bytes.length - 44);
  const over = new Uint8Array([...bytes, ...entry]);
  new DataView(over.buffer).setUint16(header, MAX_HELD_EPOCHS + 1);
  t.equal(await codeOf(decodeReviewerSecrets(over)), 'FORMAT_INVALID', 'one more than may be held');

  // An epoch that ends the day it starts, written by hand.
  const one = encodeReviewerSecrets({ ...base, epochs: [full.epochs[0]!] });
  const view = new DataView(one.buffer);
  view.setUint32(header + 2 + 8, view.getUint32(header + 2 + 4));
  t.equal(await codeOf(decodeReviewerSecrets(one)), 'FORMAT_INVALID', 'ends the day it starts');
});
