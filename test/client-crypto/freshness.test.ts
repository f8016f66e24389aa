// Positive properties of the sealing, checked from outside through the public
// API: every sealing draws fresh randomness (nonce, KEM ciphertexts, content
// key), every attachment stream its own key, and no secret is a constant.
// A test that only checks "it opens again" passes with a constant nonce or an
// all-zero key; these do not.
//
// The content key is recovered here independently, from the layout written in
// docs/protocol.md, with a reviewer's secret key:
//   okm = BLAKE2b-448(key = X-Wing.Decaps(kem_ciphertext), "sealbox/v1/wrap" || kem_ciphertext || pk || header)
//   content_key = XChaCha20-Poly1305-Open(okm[0..32], okm[32..56], ad = header, wrapped_key)
import t from 'tap';
import {
  concatBytes,
  decryptAttachment,
  encryptAttachment,
  getSodium,
  isSealboxError,
  openDocument,
  openReply,
  sealDocument,
  sealEnvelope,
  sealReply,
  toBase64Url,
  utf8Encode,
} from '../../client-crypto/index.ts';
import { collect, documentFor, makeWorld } from './fixtures.ts';

const HEADER = 12;
const ID = 32;
const KEM = 1120;
const WRAPPED = 48;
const STANZA = ID + KEM + WRAPPED;
const NONCE = 24;
const BLOCK = 16;

const sodium = await getSodium();
const world = await makeWorld(3);

interface Parts {
  header: Uint8Array;
  stanzas: { id: Uint8Array; kem: Uint8Array; wrapped: Uint8Array }[];
  prefix: Uint8Array;
  nonce: Uint8Array;
  body: Uint8Array;
}

function split(env: Uint8Array): Parts {
  const header = env.subarray(0, HEADER);
  const n = new DataView(env.buffer, env.byteOffset).getUint16(10);
  const stanzas = [];
  for (let i = 0; i < n; i++) {
    const at = HEADER + i * STANZA;
    stanzas.push({
      id: env.subarray(at, at + ID),
      kem: env.subarray(at + ID, at + ID + KEM),
      wrapped: env.subarray(at + ID + KEM, at + STANZA),
    });
  }
  const payloadAt = HEADER + n * STANZA;
  return {
    header,
    stanzas,
    prefix: env.subarray(0, payloadAt),
    nonce: env.subarray(payloadAt, payloadAt + NONCE),
    body: env.subarray(payloadAt + NONCE),
  };
}

/** The content key, unwrapped from stanza `index` by hand with the recipient's secret key. */
function contentKeyOf(
  env: Uint8Array,
  index: number,
  key: { publicKey: Uint8Array; secretKey: Uint8Array },
): Uint8Array {
  const p = split(env);
  const s = p.stanzas[index]!;
  const ss = sodium.crypto_kem_xwing_dec(s.kem, key.secretKey);
  const okm = sodium.crypto_generichash(
    56,
    concatBytes(utf8Encode('sealbox/v1/wrap'), s.kem, key.publicKey, p.header),
    ss,
  );
  return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
    null,
    s.wrapped,
    p.header,
    okm.subarray(32, 56),
    okm.subarray(0, 32),
  );
}

function opensWith(env: Uint8Array, key: Uint8Array): boolean {
  const p = split(env);
  try {
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, p.body, p.prefix, p.nonce, key);
    return true;
  } catch {
    return false;
  }
}

function hex(b: Uint8Array): string {
  return toBase64Url(b);
}

function blocks(b: Uint8Array): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + BLOCK <= b.length; i += BLOCK) out.add(hex(b.subarray(i, i + BLOCK)));
  return out;
}

function sharedBlocks(a: Uint8Array, b: Uint8Array): number {
  const seen = blocks(a);
  let shared = 0;
  for (const x of blocks(b)) if (seen.has(x)) shared++;
  return shared;
}

const zeroKey = new Uint8Array(32);

t.test('two sealings of the same document share no random part', async (t) => {
  const doc = documentFor(world, 'The same words, sealed twice.');
  const a = await sealDocument(doc, world.sealing, world.authorKeyPair);
  const b = await sealDocument(doc, world.sealing, world.authorKeyPair);
  t.equal(a.length, b.length);
  const pa = split(a);
  const pb = split(b);
  t.same(pa.header, pb.header, 'the header is the only fixed part');
  t.notSame(pa.nonce, pb.nonce, 'payload nonces differ');
  t.equal(pa.stanzas.length, 3);
  const kems = new Set<string>();
  const wrapped = new Set<string>();
  for (const s of [...pa.stanzas, ...pb.stanzas]) {
    kems.add(hex(s.kem));
    wrapped.add(hex(s.wrapped));
  }
  t.equal(kems.size, 6, 'every KEM ciphertext is fresh, across stanzas and sealings');
  t.equal(wrapped.size, 6, 'every wrapped key is fresh, across stanzas and sealings');
  t.equal(sharedBlocks(pa.body, pb.body), 0, 'the payloads share no 16-byte block');
  // Both still open, to the same document.
  t.same((await openDocument(a, world.rings[0]!))?.document, doc);
  t.same((await openDocument(b, world.rings[2]!))?.document, doc);
});

t.test('the content key is fresh, non-zero and the same in every stanza', async (t) => {
  const doc = documentFor(world);
  const keys = new Set<string>();
  for (let round = 0; round < 3; round++) {
    const env = await sealDocument(doc, world.sealing, world.authorKeyPair);
    const perStanza = world.rings.map((ring, i) => contentKeyOf(env, i, ring[0]!));
    for (const k of perStanza) t.same(k, perStanza[0], 'one content key per envelope');
    const k = perStanza[0]!;
    t.equal(k.length, 32);
    t.notSame(k, zeroKey, 'content key is not all zeros');
    t.ok(opensWith(env, k), 'the unwrapped key opens the payload (the layout above is right)');
    t.notOk(opensWith(env, zeroKey), 'the payload does not open under an all-zero key');
    keys.add(hex(k));
  }
  t.equal(keys.size, 3, 'three sealings, three content keys');
});

t.test('the raw envelope layer draws fresh nonces and keys too', async (t) => {
  const r = world.rings[0]![0]!;
  const plaintext = new Uint8Array(5000);
  const nonces = new Set<string>();
  const keys = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const env = await sealEnvelope('submission', 1, [{ publicKey: r.publicKey }], plaintext);
    nonces.add(hex(split(env).nonce));
    const k = contentKeyOf(env, 0, r);
    keys.add(hex(k));
    t.notOk(opensWith(env, zeroKey));
  }
  t.equal(nonces.size, 4, 'four sealings, four nonces');
  t.equal(keys.size, 4, 'four sealings, four content keys');
});

t.test('a payload that authenticates but is not padded is refused as tampering', async (t) => {
  // Whoever sealed an envelope holds its content key and can seal any payload
  // under it; one without the padding marker must be a refusal, not a crash.
  const r = world.rings[0]!;
  const env = await sealEnvelope(
    'submission',
    1,
    [{ publicKey: r[0]!.publicKey }],
    utf8Encode('x'),
  );
  const k = contentKeyOf(env, 0, r[0]!);
  const p = split(env);
  const padded = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
    null,
    p.body,
    p.prefix,
    p.nonce,
    k,
  );
  const unpadded = new Uint8Array(padded.length);
  const body = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    unpadded,
    p.prefix,
    null,
    p.nonce,
    k,
  );
  t.ok(opensWith(concatBytes(p.prefix, p.nonce, body), k), 'the forged payload authenticates');
  await t.rejects(openDocument(concatBytes(p.prefix, p.nonce, body), r), {
    code: 'ENVELOPE_TAMPERED',
  });
});

t.test('replies to the same submitter are fresh as well', async (t) => {
  const reply = {
    v: 2 as const,
    kind: 'reply' as const,
    caseId: 'case-1',
    statementId: 'statement-1',
    statement: 'reply' as const,
    text: 'We received your report.',
  };
  const a = await sealReply(reply, world.replyKeyPair.publicKey, 1);
  const b = await sealReply(reply, world.replyKeyPair.publicKey, 1);
  const pa = split(a);
  const pb = split(b);
  t.notSame(pa.nonce, pb.nonce);
  t.notSame(pa.stanzas[0]!.kem, pb.stanzas[0]!.kem);
  t.notSame(pa.stanzas[0]!.wrapped, pb.stanzas[0]!.wrapped);
  const ka = contentKeyOf(a, 0, world.replyKeyPair);
  const kb = contentKeyOf(b, 0, world.replyKeyPair);
  t.notSame(ka, kb);
  t.notSame(ka, zeroKey);
  t.notOk(opensWith(a, zeroKey));
  t.equal(sharedBlocks(pa.body, pb.body), 0);
  t.same(await openReply(a, world.replyKeyPair), reply);
});

async function encrypt(file: Uint8Array) {
  const enc = await encryptAttachment([file], file.length);
  const ciphertext = await collect(enc.chunks);
  return {
    key: enc.key,
    size: file.length,
    ciphertext,
    digest: enc.digest(),
    digestAlgorithm: enc.digestAlgorithm,
  };
}

async function decryptOutcome(
  ciphertext: Uint8Array,
  entry: Parameters<typeof decryptAttachment>[1],
): Promise<string> {
  try {
    await collect(decryptAttachment([ciphertext], entry));
    return 'opened';
  } catch (e) {
    return isSealboxError(e) ? e.code : `OTHER: ${String(e)}`;
  }
}

t.test('two streams of the same file: different keys, headers and ciphertexts', async (t) => {
  const file = new Uint8Array(150_000).fill(0x41);
  const a = await encrypt(file);
  const b = await encrypt(file);
  t.equal(a.key.length, 32);
  t.notSame(a.key, b.key, 'each stream has its own key');
  t.notSame(a.key, zeroKey);
  t.notSame(a.ciphertext.subarray(0, 24), b.ciphertext.subarray(0, 24), 'headers differ');
  t.equal(sharedBlocks(a.ciphertext, b.ciphertext), 0, 'ciphertexts share no 16-byte block');
  t.notSame(a.digest, b.digest);
  t.same(await collect(decryptAttachment([a.ciphertext], a)), file, 'a opens with its own key');
  t.equal(
    await decryptOutcome(a.ciphertext, { ...a, key: b.key }),
    'STREAM_TAMPERED',
    "a does not open with b's key",
  );
  t.equal(
    await decryptOutcome(b.ciphertext, { ...b, key: a.key }),
    'STREAM_TAMPERED',
    "b does not open with a's key",
  );
  t.equal(
    await decryptOutcome(a.ciphertext, { ...a, key: zeroKey }),
    'STREAM_TAMPERED',
    'a does not open with an all-zero key',
  );
});

t.test('many attachment keys, all distinct', async (t) => {
  const keys = new Set<string>();
  for (let i = 0; i < 16; i++) keys.add(hex((await encrypt(new Uint8Array(10))).key));
  t.equal(keys.size, 16);
});
