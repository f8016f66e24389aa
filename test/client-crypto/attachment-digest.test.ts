// The attachment digest (docs/protocol.md, "Attachment digest"): sha256-segments
// as the spec writes it, computed here again with node:crypto; every change
// to a segment, to the list of segment hashes or to the algorithm named is a
// DIGEST_MISMATCH; and blake2b-256, what manifests carried before, is still
// checked.
import { createHash, randomBytes } from 'node:crypto';
import t from 'tap';
import {
  type SealedDocument,
  ATTACHMENT_DIGEST_LABEL,
  DIGEST_SEGMENT_BYTES,
  attachmentDigest,
  decryptAttachment,
  encryptAttachment,
  getSodium,
  openDocument,
  sealDocument,
  toBase64Url,
} from '../../client-crypto/index.ts';
import { bytesEqual, codeOf, collect, documentFor, flips, makeWorld } from './fixtures.ts';

const sodium = await getSodium();
const M = DIGEST_SEGMENT_BYTES;
const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const u32be = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};
/** The segment hashes of the spec, with node:crypto. */
const segmentHashes = (bytes: Uint8Array) => {
  const hashes: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += M) hashes.push(sha256(bytes.subarray(at, at + M)));
  return hashes;
};
/** The final step over any list (and any count), to build wrong digests from. */
const overList = (hashes: Uint8Array[], count = hashes.length) =>
  sha256(ATTACHMENT_DIGEST_LABEL, u32be(count), ...hashes);

t.test('sha256-segments is the spec formula, at and around segment boundaries', async (t) => {
  t.equal(M, 1_048_576);
  t.same(ATTACHMENT_DIGEST_LABEL, new TextEncoder().encode('sealbox/v2/attachment-digest\n'));
  for (const length of [0, 1, 4137, M - 1, M, M + 1, 2 * M + 5]) {
    const bytes = new Uint8Array(randomBytes(length));
    t.ok(
      bytesEqual(await attachmentDigest(bytes), overList(segmentHashes(bytes))),
      `${length} bytes`,
    );
  }
  t.ok(
    bytesEqual(
      await attachmentDigest(new Uint8Array(0)),
      sha256(ATTACHMENT_DIGEST_LABEL, u32be(0)),
    ),
  );
});

t.test('sealing writes sha256-segments unless asked for the older digest', async (t) => {
  const plain = new Uint8Array(randomBytes(M + 70_000));
  const enc = await encryptAttachment([plain], plain.length);
  const ciphertext = await collect(enc.chunks);
  t.equal(enc.digestAlgorithm, 'sha256-segments');
  t.ok(ciphertext.length > M, 'two segments');
  t.ok(bytesEqual(enc.digest(), overList(segmentHashes(ciphertext))));
  const old = await encryptAttachment([plain], plain.length, { digestAlgorithm: 'blake2b-256' });
  const oldCiphertext = await collect(old.chunks);
  t.equal(old.digestAlgorithm, 'blake2b-256');
  t.ok(bytesEqual(old.digest(), sodium.crypto_generichash(32, oldCiphertext, null)));
});

async function opens(
  ciphertext: Uint8Array,
  entry: Parameters<typeof decryptAttachment>[1],
): Promise<string | undefined> {
  return codeOf(collect(decryptAttachment([ciphertext], entry)));
}

t.test("a list of segment hashes other than the stream's: DIGEST_MISMATCH", async (t) => {
  // 2 MiB of plaintext: a ciphertext of three segments.
  const plain = new Uint8Array(randomBytes(2 * M));
  const enc = await encryptAttachment([plain], plain.length);
  const ciphertext = await collect(enc.chunks);
  const [h1, h2, h3] = segmentHashes(ciphertext) as [Uint8Array, Uint8Array, Uint8Array];
  const entry = { key: enc.key, size: plain.length, digestAlgorithm: 'sha256-segments' as const };
  t.equal(await opens(ciphertext, { ...entry, digest: overList([h1, h2, h3]) }), undefined);
  const wrong: [string, Uint8Array][] = [
    ['truncated list', overList([h1, h2])],
    ['truncated list, count kept', overList([h1, h2], 3)],
    ['reordered list', overList([h2, h1, h3])],
    ['extended list', overList([h1, h2, h3, h3])],
    ['extended list, count kept', overList([h1, h2, h3, h1], 3)],
    ['count off by one', overList([h1, h2, h3], 4)],
    ['no label', sha256(u32be(3), h1, h2, h3)],
    ['the whole ciphertext in one SHA-256', sha256(ciphertext)],
    ['the BLAKE2b-256 of it', sodium.crypto_generichash(32, ciphertext, null)],
    ['a digest of the wrong length', enc.digest().subarray(0, 31)],
  ];
  for (const [name, digest] of wrong) {
    t.equal(await opens(ciphertext, { ...entry, digest }), 'DIGEST_MISMATCH', name);
  }
  t.equal(
    await opens(ciphertext, { key: enc.key, size: plain.length, digest: enc.digest() }),
    'DIGEST_MISMATCH',
    'the right digest read as BLAKE2b-256 (no algorithm named)',
  );
});

t.test('every byte of a segment changed: another digest, and the stream refused', async (t) => {
  const plain = new Uint8Array(randomBytes(1000));
  const enc = await encryptAttachment([plain], plain.length);
  const ciphertext = await collect(enc.chunks);
  const entry = {
    key: enc.key,
    size: plain.length,
    digest: enc.digest(),
    digestAlgorithm: enc.digestAlgorithm,
  };
  const seen = new Set<string>([toBase64Url(enc.digest())]);
  let refused = 0;
  for (const [i, bad] of flips(ciphertext)) {
    const digest = toBase64Url(await attachmentDigest(bad));
    if (seen.has(digest)) t.fail(`byte ${i}: a digest seen before`);
    seen.add(digest);
    const code = await opens(bad, entry);
    if (code === 'STREAM_TAMPERED' || code === 'DIGEST_MISMATCH') refused++;
  }
  t.equal(seen.size, ciphertext.length + 1, `all ${ciphertext.length} bytes change the digest`);
  t.equal(refused, ciphertext.length, 'and every changed stream is refused');
  // Bytes at the edges of segments of a longer ciphertext.
  const long = await encryptAttachment([new Uint8Array(randomBytes(M))], M);
  const longCiphertext = await collect(long.chunks);
  for (const i of [0, M - 1, M, longCiphertext.length - 1]) {
    const bad = longCiphertext.slice();
    bad[i] = bad[i]! ^ 0x80;
    t.notSame(await attachmentDigest(bad), long.digest(), `byte ${i}`);
  }
});

t.test('blake2b-256 digests (manifests written before) are still checked', async (t) => {
  const plain = new Uint8Array(randomBytes(100_000));
  const old = await encryptAttachment([plain], plain.length, { digestAlgorithm: 'blake2b-256' });
  const ciphertext = await collect(old.chunks);
  const entry = { key: old.key, size: plain.length, digest: old.digest() };
  const out = await collect(decryptAttachment([ciphertext], entry));
  t.ok(bytesEqual(out, plain), 'opens with no algorithm named');
  t.equal(await opens(ciphertext, { ...entry, digestAlgorithm: 'blake2b-256' }), undefined);
  t.equal(
    await opens(ciphertext, { ...entry, digest: sodium.randombytes_buf(32) }),
    'DIGEST_MISMATCH',
  );
  t.equal(
    await opens(ciphertext, { ...entry, digestAlgorithm: 'sha256-segments' }),
    'DIGEST_MISMATCH',
    'the BLAKE2b-256 read as sha256-segments',
  );
  t.equal(
    await opens(ciphertext, { ...entry, digest: await attachmentDigest(ciphertext) }),
    'DIGEST_MISMATCH',
    'a sha256-segments digest with no algorithm named',
  );
});

t.test('the manifest names the algorithm; one a reader does not know is refused', async (t) => {
  const world = await makeWorld(1);
  const entry = {
    uploadId: 'u1',
    name: 'scan.pdf',
    type: 'application/pdf',
    size: 10,
    key: toBase64Url(new Uint8Array(32)),
    digest: toBase64Url(new Uint8Array(32).fill(1)),
  };
  const withEntry = (e: Record<string, unknown>) =>
    ({ ...documentFor(world), attachments: [e] }) as unknown as SealedDocument;
  const open = async (e: Record<string, unknown>) => {
    const env = await sealDocument(withEntry(e), world.sealing, world.authorKeyPair);
    return (await openDocument(env, world.rings[0]!))?.document.attachments[0];
  };
  t.same(await open(entry), entry, 'none named: the entry as it was');
  for (const digestAlgorithm of ['sha256-segments', 'blake2b-256']) {
    t.same(await open({ ...entry, digestAlgorithm }), { ...entry, digestAlgorithm });
  }
  t.equal(await codeOf(open({ ...entry, digestAlgorithm: 'sha3-256' })), 'FORMAT_INVALID');
  t.equal(await codeOf(open({ ...entry, digestAlgorithm: 1 })), 'FORMAT_INVALID');
});
