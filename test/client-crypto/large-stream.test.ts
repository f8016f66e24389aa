// A 256 MiB attachment sealed and opened as one stream, never held in memory:
// the plaintext is generated on the fly, the ciphertext flows straight into the
// decryptor, and the output is only hashed. Resident memory must stay bounded.
import t from 'tap';
import { decryptAttachment, encryptAttachment, getSodium } from '../../client-crypto/index.ts';

const SIZE = 256 * 1024 * 1024;
const PIECE = 1024 * 1024;
const BOUND = 64 * 1024 * 1024;

t.test('256 MiB through seal and open with bounded memory', async (t) => {
  const sodium = await getSodium();
  const base = sodium.randombytes_buf(PIECE);
  // Each piece is regenerated rather than stored: random bytes stamped with its index.
  const piece = (i: number) => {
    const p = base.slice();
    new DataView(p.buffer).setUint32(0, i);
    return p;
  };
  async function* plaintext() {
    for (let i = 0; i < SIZE / PIECE; i++) yield piece(i);
  }
  const expected = sodium.crypto_generichash_init(null, 32);
  for (let i = 0; i < SIZE / PIECE; i++) sodium.crypto_generichash_update(expected, piece(i));
  const expectedDigest = sodium.crypto_generichash_final(expected, 32);

  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sample = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);

  const enc = await encryptAttachment(plaintext(), SIZE);
  const entry = {
    key: enc.key,
    size: SIZE,
    digestAlgorithm: enc.digestAlgorithm,
    get digest() {
      return enc.digest();
    },
  };
  const got = sodium.crypto_generichash_init(null, 32);
  let total = 0;
  for await (const p of decryptAttachment(enc.chunks, entry)) {
    sodium.crypto_generichash_update(got, p);
    total += p.length;
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  clearInterval(sample);
  t.equal(total, SIZE, 'every byte came back');
  t.ok(
    sodium.memcmp(sodium.crypto_generichash_final(got, 32), expectedDigest),
    'and the same bytes',
  );
  const growth = peak - before;
  t.ok(
    growth < BOUND,
    `resident memory grew by ${(growth / 1048576).toFixed(1)} MiB (bound 64 MiB)`,
  );
});
