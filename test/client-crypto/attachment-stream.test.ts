import t from 'tap';
import fc from 'fast-check';
import {
  CHUNK_BYTES,
  attachmentCiphertextSize,
  concatBytes,
  decryptAttachment,
  encryptAttachment,
  getSodium,
  isSealboxError,
} from '../../client-crypto/index.ts';
import { bytesEqual, collect } from './fixtures.ts';

const sodium = await getSodium();
const FULL = CHUNK_BYTES + 17;

async function seal(plain: Uint8Array, pieces = 3) {
  const step = Math.max(1, Math.ceil(plain.length / pieces));
  const source = [] as Uint8Array[];
  for (let i = 0; i < plain.length; i += step) source.push(plain.subarray(i, i + step));
  const enc = await encryptAttachment(source, plain.length);
  const ciphertext = await collect(enc.chunks);
  const entry = {
    key: enc.key,
    size: plain.length,
    digest: enc.digest(),
    digestAlgorithm: enc.digestAlgorithm,
  };
  return { ciphertext, entry, enc };
}

async function outcome(
  source: Iterable<Uint8Array>,
  entry: Parameters<typeof decryptAttachment>[1],
) {
  try {
    await collect(decryptAttachment(source, entry));
    return 'opened';
  } catch (e) {
    return isSealboxError(e) ? e.code : `OTHER: ${String(e)}`;
  }
}

t.test('round trips at the awkward sizes', async (t) => {
  for (const size of [
    0,
    1,
    4095,
    4096,
    4097,
    CHUNK_BYTES - 1,
    CHUNK_BYTES,
    CHUNK_BYTES + 1,
    3 * CHUNK_BYTES + 5,
    300_000,
  ]) {
    const plain = sodium.randombytes_buf(size);
    const { ciphertext, entry, enc } = await seal(plain, 7);
    t.equal(ciphertext.length, attachmentCiphertextSize(size), `ciphertext size for ${size}`);
    t.equal(enc.ciphertextSize, ciphertext.length);
    // Any cut of the ciphertext into pieces decrypts the same.
    const out = await collect(
      decryptAttachment(
        [ciphertext.subarray(0, 7), ciphertext.subarray(7, 70_000), ciphertext.subarray(70_000)],
        entry,
      ),
    );
    t.ok(bytesEqual(out, plain), `round trip ${size}`);
  }
});

t.test('sizes are padded (Padmé) so the real size leaks little', async (t) => {
  t.equal(attachmentCiphertextSize(1), attachmentCiphertextSize(4000));
  t.equal(attachmentCiphertextSize(1_000_000), attachmentCiphertextSize(1_010_000));
});

t.test('a source that lies about its size is refused while sealing', async (t) => {
  const enc = await encryptAttachment([new Uint8Array(10)], 11);
  await t.rejects(collect(enc.chunks), RangeError);
  const enc2 = await encryptAttachment([new Uint8Array(12)], 11);
  await t.rejects(collect(enc2.chunks), RangeError);
});

t.test('a source longer than declared stops before more ciphertext than declared', async (t) => {
  // The page uploads each chunk as it comes: a source that runs on must not
  // push a single chunk past the size the manifest will declare.
  const enc = await encryptAttachment(
    [new Uint8Array(CHUNK_BYTES), new Uint8Array(CHUNK_BYTES), new Uint8Array(CHUNK_BYTES)],
    CHUNK_BYTES,
  );
  let out = 0;
  await t.rejects(async () => {
    for await (const c of enc.chunks) out += c.length;
  }, RangeError);
  t.ok(out <= enc.ciphertextSize, `${out} bytes out, ${enc.ciphertextSize} declared`);
});

t.test('truncation at every chunk boundary and inside chunks', async (t) => {
  const plain = sodium.randombytes_buf(5 * CHUNK_BYTES + 1000);
  const { ciphertext, entry } = await seal(plain);
  t.equal(
    await outcome([ciphertext.subarray(0, 10)], entry),
    'STREAM_TRUNCATED',
    'inside the header',
  );
  for (let cut = 24; cut < ciphertext.length; cut += FULL) {
    t.equal(
      await outcome([ciphertext.subarray(0, cut)], entry),
      'STREAM_TRUNCATED',
      `cut at boundary ${cut}`,
    );
    t.equal(
      await outcome([ciphertext.subarray(0, cut + 100)], entry),
      'STREAM_TRUNCATED',
      `cut inside at ${cut + 100}`,
    );
  }
  t.equal(
    await outcome([ciphertext.subarray(0, ciphertext.length - 1)], entry),
    'STREAM_TRUNCATED',
    'last byte missing',
  );
});

t.test('reordered, duplicated, appended chunks and a wrong key are rejected', async (t) => {
  const plain = sodium.randombytes_buf(4 * CHUNK_BYTES);
  const { ciphertext, entry } = await seal(plain);
  const header = ciphertext.subarray(0, 24);
  const chunk = (i: number) => ciphertext.subarray(24 + i * FULL, 24 + (i + 1) * FULL);
  const count = Math.ceil((ciphertext.length - 24) / FULL);
  const swapped = concatBytes(
    header,
    chunk(1),
    chunk(0),
    ...Array.from({ length: count - 2 }, (_, i) => chunk(i + 2)),
  );
  t.equal(await outcome([swapped], entry), 'STREAM_TAMPERED', 'reordered');
  const duplicated = concatBytes(
    header,
    chunk(0),
    chunk(0),
    ...Array.from({ length: count - 1 }, (_, i) => chunk(i + 1)),
  );
  t.equal(await outcome([duplicated], entry), 'STREAM_TAMPERED', 'duplicated');
  t.equal(
    await outcome([ciphertext, new Uint8Array([1, 2, 3])], entry),
    'STREAM_TAMPERED',
    'data after the end',
  );
  t.equal(
    await outcome([ciphertext], { ...entry, key: sodium.randombytes_buf(32) }),
    'STREAM_TAMPERED',
    'wrong key',
  );
  t.equal(
    await outcome([ciphertext], { ...entry, key: entry.key.subarray(1) }),
    'KEY_INVALID',
    'a key of the wrong length',
  );
  t.equal(
    await outcome([ciphertext], { ...entry, digest: sodium.randombytes_buf(32) }),
    'DIGEST_MISMATCH',
    'wrong digest',
  );
  t.equal(
    await outcome([ciphertext], { ...entry, size: entry.size - 1 }),
    'STREAM_TAMPERED',
    'padding must be zero',
  );
});

t.test('a stream its sender ends early (a final tag too soon) is refused', async (t) => {
  // Only the key holder can do this; the plaintext would be shorter than the
  // size the manifest declares, with a digest that matches.
  const key = sodium.crypto_secretstream_xchacha20poly1305_keygen();
  const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
  const c = sodium.crypto_secretstream_xchacha20poly1305_push(
    state,
    new Uint8Array(CHUNK_BYTES),
    null,
    sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL,
  );
  const ciphertext = concatBytes(header, c);
  const digest = sodium.crypto_generichash(32, ciphertext, null);
  t.equal(await outcome([ciphertext], { key, size: 2 * CHUNK_BYTES, digest }), 'STREAM_TAMPERED');
});

t.test('any single-byte change anywhere is rejected', async (t) => {
  const plain = sodium.randombytes_buf(2 * CHUNK_BYTES + 10);
  const { ciphertext, entry } = await seal(plain);
  await fc.assert(
    fc.asyncProperty(
      fc.nat(ciphertext.length - 1),
      fc.integer({ min: 1, max: 255 }),
      async (i, x) => {
        const bad = ciphertext.slice();
        bad[i] = bad[i]! ^ x;
        const o = await outcome([bad], entry);
        return o === 'STREAM_TAMPERED' || o === 'DIGEST_MISMATCH';
      },
    ),
    { numRuns: 300 },
  );
  t.pass('300 random changes rejected');
});

t.test('no plaintext of a failing final chunk is handed out', async (t) => {
  const plain = sodium.randombytes_buf(CHUNK_BYTES * 2);
  const { ciphertext, entry } = await seal(plain);
  const bad = ciphertext.slice();
  bad[bad.length - 5] = bad[bad.length - 5]! ^ 1;
  let handedOut = 0;
  await t.rejects(
    (async () => {
      for await (const p of decryptAttachment([bad], entry)) handedOut += p.length;
    })(),
    { code: 'STREAM_TAMPERED' },
  );
  t.ok(handedOut < plain.length, `only authenticated chunks were yielded (${handedOut} bytes)`);
});
