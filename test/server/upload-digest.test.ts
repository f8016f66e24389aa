// The running digest of an upload: parts hashed as they arrive give the same
// sha256-segments digest as the library over the whole ciphertext (parts that
// straddle a 1 MiB segment included), and anything that makes the
// running hash doubtful (a replaced part, a changed row, a restart, parts far
// out of order) sends finish back to the stored parts instead.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { attachmentDigest, getSodium } from '../../client-crypto/index.ts';
import { RunningDigests, SegmentDigest, blake2bOf } from '../../server/upload-digest.ts';

const sodium = await getSodium();
const PART = 400_000;
// (node:crypto's random bytes: libsodium's take seconds per MiB here.)
const ciphertext = new Uint8Array(randomBytes(3 * PART + 1234));
const parts = [0, 1, 2, 3].map((n) => ciphertext.subarray(n * PART, (n + 1) * PART));
const whole = await attachmentDigest(ciphertext, 'sha256-segments');

function digests(limits: Partial<ConstructorParameters<typeof RunningDigests>[1]> = {}) {
  let now = 0;
  const d = new RunningDigests(
    sodium,
    { uploads: 10, aheadBytes: 2 * PART, idleMs: 60_000, ...limits },
    () => now,
  );
  return { d, wait: (ms: number) => (now += ms) };
}

/** What finish does: resume, then hash the parts the running hash lacks. */
async function finish(d: RunningDigests, id: string, versions: string[]) {
  const { state, from } = d.resume(id, versions);
  async function* rest() {
    for (const p of parts.slice(from)) yield p;
  }
  return { from, digest: await d.finish(state, rest()) };
}

const versions = ['11', '12', '13', '14'];

t.test('parts in order: nothing is read back', async (t) => {
  const { d } = digests();
  d.created('u');
  for (const n of [0, 1, 2, 3]) t.equal(d.stored('u', n, parts[n]!, versions[n]!), false);
  const { from, digest } = await finish(d, 'u', versions);
  t.equal(from, 4, 'every part was hashed as it arrived');
  t.same(digest, whole);
  t.same(d.size, { uploads: 0, aheadBytes: 0 }, 'finish stops following the upload');
});

t.test('a part that overtakes the one before it is held until that one arrives', async (t) => {
  const { d } = digests();
  d.created('u');
  t.equal(d.stored('u', 1, parts[1]!, versions[1]!), true, 'held: the caller must keep the bytes');
  t.same(d.size.aheadBytes, PART);
  t.equal(d.stored('u', 0, parts[0]!, versions[0]!), false);
  t.same(d.size.aheadBytes, 0, 'taken in as soon as part 0 came');
  d.stored('u', 3, parts[3]!, versions[3]!);
  d.stored('u', 2, parts[2]!, versions[2]!);
  const { from, digest } = await finish(d, 'u', versions);
  t.equal(from, 4);
  t.same(digest, whole);
});

t.test('parts too far ahead stall the hash; finish reads the rest', async (t) => {
  const { d } = digests({ aheadBytes: PART });
  d.created('u');
  t.equal(d.stored('u', 0, parts[0]!, versions[0]!), false);
  t.equal(d.stored('u', 3, parts[3]!, versions[3]!), true);
  t.equal(d.stored('u', 2, parts[2]!, versions[2]!), false, 'over the budget: not held');
  t.same(d.size.aheadBytes, 0, 'the held part is let go too');
  t.equal(d.stored('u', 1, parts[1]!, versions[1]!), false);
  const { from, digest } = await finish(d, 'u', versions);
  t.equal(from, 1, 'hashing stopped after part 0');
  t.same(digest, whole);
});

t.test('a part replaced after it was hashed: start over', async (t) => {
  const { d } = digests();
  d.created('u');
  d.stored('u', 0, parts[0]!, versions[0]!);
  d.stored('u', 1, new Uint8Array(PART), '20');
  d.stored('u', 1, parts[1]!, '21');
  d.stored('u', 2, parts[2]!, versions[2]!);
  d.stored('u', 3, parts[3]!, versions[3]!);
  const { from, digest } = await finish(d, 'u', ['11', '21', '13', '14']);
  t.equal(from, 0, 'the hash held the old bytes of part 1');
  t.same(digest, whole);
});

t.test('a row that changed behind this process: the hash is not trusted', async (t) => {
  const { d } = digests();
  d.created('u');
  for (const n of [0, 1, 2, 3]) d.stored('u', n, parts[n]!, versions[n]!);
  const { from, digest } = await finish(d, 'u', ['11', '99', '13', '14']);
  t.equal(from, 0, 'part 1 was written again elsewhere (another instance)');
  t.same(digest, whole);
});

t.test('an upload this process never saw created (restart, another instance)', async (t) => {
  const { d } = digests();
  t.equal(d.stored('u', 2, parts[2]!, versions[2]!), false, 'not followed: nothing held');
  t.same(d.size, { uploads: 0, aheadBytes: 0 });
  const { from, digest } = await finish(d, 'u', versions);
  t.equal(from, 0);
  t.same(digest, whole);
  d.stored('v', 0, parts[0]!, versions[0]!);
  t.equal(d.size.uploads, 1, 'a first part starts a hash');
});

t.test('idle and surplus uploads are forgotten', async (t) => {
  const { d, wait } = digests({ uploads: 2 });
  d.created('a');
  d.created('b');
  d.stored('a', 1, parts[1]!, '1');
  d.created('c');
  t.equal(d.size.uploads, 2, 'b, the least recently written, is gone');
  t.equal(d.size.aheadBytes, PART, 'a is still followed, with its early part');
  wait(60_001);
  d.created('d');
  t.same(d.size, { uploads: 1, aheadBytes: 0 }, 'a and c were idle too long');
  t.equal((await finish(d, 'a', versions)).from, 0);
});

t.test("a failure while reading the rest is the caller's to see", async (t) => {
  const { d } = digests();
  const { state } = d.resume('none', []);
  async function* broken(): AsyncGenerator<Uint8Array> {
    yield parts[0]!;
    throw new Error('database went away');
  }
  await t.rejects(d.finish(state, broken()), /database went away/);
  await t.rejects(blake2bOf(sodium, broken()), /database went away/, 'the blake2b-256 path too');
});

t.test('sha256-segments at and around segment boundaries, pieces of any size', async (t) => {
  const M = 1_048_576;
  for (const length of [0, 1, M - 1, M, M + 1, 2 * M]) {
    const bytes = new Uint8Array(randomBytes(length));
    for (const piece of [1000, 65_553, M]) {
      const s = new SegmentDigest();
      for (let at = 0; at < length; at += piece) s.update(bytes.subarray(at, at + piece));
      t.same(s.final(), await attachmentDigest(bytes), `${length} bytes in pieces of ${piece}`);
    }
  }
});

t.test('blake2b-256 for uploads finished with the older digest', async (t) => {
  async function* all() {
    for (const p of parts) yield p;
  }
  t.same(await blake2bOf(sodium, all()), sodium.crypto_generichash(32, ciphertext, null));
});
