// Writes the protocol test vectors under test/vectors/ (`npm run vectors`).
//
// Every key comes from a fixed seed, so keys, fingerprints, receipts,
// keysets and epoch keys (Ed25519 signatures are deterministic) come out the
// same at every run. Envelopes, attachment streams, statements and key files contain fresh
// randomness (X-Wing encapsulation, nonces, secretstream headers, salts), so
// their bytes differ from run to run; the files checked in are the reference,
// and test/client-crypto/vectors.test.ts checks whatever is there.
//
// Why one long file: it is the table of scenarios itself, one section per
// section of docs/protocol.md and docs/protocol-courier.md, in the same order,
// so that it reads beside the spec; every section uses the same world (the
// keys built at the top) and nothing else, and each vector is written where
// its scenario is described.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  type DigestAlgorithm,
  ATTACHMENT_DIGEST_LABEL,
  type BundleStart,
  type Desk,
  type Keyset,
  type ReplyDocument,
  type SealedDocument,
  type SealingKeys,
  type SignedEpochKey,
  type SigningKeyPair,
  type SubmissionDocument,
  BundleEncoder,
  concatBytes,
  courierCard,
  createStatement,
  decodeReviewerSecrets,
  deriveReceiptKeys,
  encodeReviewerSecrets,
  epochKeyPair,
  encryptAttachment,
  fingerprint,
  fromBase64Url,
  getSodium,
  lockKeyFile,
  padme,
  parseReceipt,
  readStatementAsSubmitter,
  reviewerCard,
  reviewerIdentityFromSecrets,
  sealDocument,
  sealDocumentToDesk,
  sealEnvelope,
  sealReply,
  sealingKeys,
  signKeyset,
  toBase64Url,
  utf8Encode,
  verifyEpochKey,
  verifyKeyset,
  verifyStatement,
} from '../client-crypto/index.ts';
import { httpbis } from 'http-message-signatures';
import { courierClient, signRequest } from '../reviewer/courier/http.ts';
import { signJson } from '../client-crypto/signed.ts';
import { STATEMENT_FORMAT, STATEMENT_SIGNATURE_LABEL } from '../client-crypto/statement.ts';
import { VECTORS_DIR } from '../test/vectors/load.ts';
import { EPOCH_KEY_FORMAT, EPOCH_KEY_SIGNATURE_LABEL } from '../client-crypto/epoch.ts';

const sodium = await getSodium();
const b64 = toBase64Url;
const hex = (bytes: Uint8Array) => sodium.to_hex(bytes);

/** 32 bytes named by a label: the only source of the vectors' keys. */
function seed(label: string): Uint8Array {
  return sodium.crypto_generichash(32, utf8Encode(`sealbox/test-vectors/${label}`), null);
}

function signingKey(label: string): SigningKeyPair {
  const kp = sodium.crypto_sign_seed_keypair(seed(label));
  return { publicKey: kp.publicKey, secretKey: kp.privateKey };
}

async function reviewer(n: number) {
  return reviewerIdentityFromSecrets(
    `Reviewer ${n}`,
    seed(`reviewer ${n} kem`),
    signingKey(`reviewer ${n} sign`).secretKey,
  );
}

function flip(bytes: Uint8Array, at: number): Uint8Array {
  const out = bytes.slice();
  out[at]! ^= 0x01;
  return out;
}

const written: string[] = [];
function write(name: string, vector: Record<string, unknown>) {
  writeFileSync(join(VECTORS_DIR, `${name}.json`), `${JSON.stringify(vector, null, 2)}\n`);
  written.push(name);
}

mkdirSync(VECTORS_DIR, { recursive: true });
for (const f of readdirSync(VECTORS_DIR)) {
  if (f.endsWith('.json')) rmSync(join(VECTORS_DIR, f));
}

// --- The world: one organisation, two reviewers, a courier, one outsider ---

const org = signingKey('organisation');
const otherOrg = signingKey('other organisation');
const r1 = await reviewer(1);
const r2 = await reviewer(2);
const outsider = await reviewer(3);
const courier = { name: 'Courier 1', ...signingKey('courier 1') };
const NOW = '2026-06-01';
const keysetContent: Keyset = {
  version: 3,
  issued: '2026-01-01',
  expires: '2027-12-31',
  reviewers: [reviewerCard(r1), reviewerCard(r2)],
  couriers: [courierCard(courier)],
};
const signedKeyset = await signKeyset(keysetContent, org);
const keyset = await verifyKeyset(
  signedKeyset,
  { publicKey: org.publicKey },
  { now: new Date(NOW) },
);

// --- Fingerprints ---

write('fingerprint-organisation', {
  kind: 'fingerprint',
  description: 'The fingerprint of the organisation root public key (Ed25519).',
  expect: 'success',
  publicKey: b64(org.publicKey),
  fingerprint: await fingerprint(org.publicKey),
});
write('fingerprint-x-wing', {
  kind: 'fingerprint',
  description: 'The fingerprint of a 1216-byte X-Wing public key (reviewer 1).',
  expect: 'success',
  publicKey: b64(r1.kemPublicKey),
  fingerprint: await fingerprint(r1.kemPublicKey),
});

// --- Keysets ---

const orgFingerprint = await fingerprint(org.publicKey);
function keysetVector(
  name: string,
  description: string,
  expect: string,
  error: string | undefined,
  fields: {
    signed: unknown;
    pin: { publicKey?: string; fingerprint?: string };
    now?: string;
    newerThan?: number;
  },
  keyset?: Keyset,
) {
  write(name, {
    kind: 'keyset',
    description,
    expect,
    ...(error ? { error } : {}),
    signed: fields.signed,
    pin: fields.pin,
    now: fields.now ?? NOW,
    ...(fields.newerThan !== undefined ? { newerThan: fields.newerThan } : {}),
    ...(keyset ? { keyset } : {}),
  });
}
const pinKey = { publicKey: b64(org.publicKey) };
keysetVector(
  'keyset-success',
  'A keyset signed by the pinned organisation key, checked on a day inside its validity.',
  'success',
  undefined,
  { signed: signedKeyset, pin: pinKey },
  keyset,
);
keysetVector(
  'keyset-success-fingerprint-pin',
  'The same keyset, pinned by fingerprint as a person might type it (lower case, spaces for dashes).',
  'success',
  undefined,
  { signed: signedKeyset, pin: { fingerprint: orgFingerprint.toLowerCase().replace(/-/g, ' ') } },
  keyset,
);
keysetVector(
  'keyset-success-last-day',
  'Checked on its expiry date: a keyset is valid through the whole of that day.',
  'success',
  undefined,
  { signed: signedKeyset, pin: pinKey, now: keysetContent.expires },
  keyset,
);
keysetVector(
  'keyset-success-newer',
  'A keyset whose version is higher than the one the reader already holds.',
  'success',
  undefined,
  { signed: signedKeyset, pin: pinKey, newerThan: 2 },
  keyset,
);
const payload = (signedKeyset.payload.startsWith('e') ? 'f' : 'e') + signedKeyset.payload.slice(1);
keysetVector(
  'keyset-bad-signature-payload',
  'One bit of the signed payload changed (first base64url symbol replaced).',
  'bad keyset signature',
  'KEYSET_SIGNATURE_INVALID',
  { signed: { ...signedKeyset, payload }, pin: pinKey },
);
keysetVector(
  'keyset-bad-signature',
  'The signature has one bit flipped.',
  'bad keyset signature',
  'KEYSET_SIGNATURE_INVALID',
  {
    signed: {
      ...signedKeyset,
      signature: b64(flip(fromBase64Url(signedKeyset.signature), 10)),
    },
    pin: pinKey,
  },
);
const otherSigned = await signKeyset(keysetContent, otherOrg);
keysetVector(
  'keyset-signer-substituted',
  'Signed by another root, with the signer field rewritten to the pinned key.',
  'bad keyset signature',
  'KEYSET_SIGNATURE_INVALID',
  { signed: { ...otherSigned, signer: signedKeyset.signer }, pin: pinKey },
);
keysetVector(
  'keyset-another-root',
  'A well-signed keyset from another organisation root; the reader pins ours by public key.',
  'keyset from another root',
  'KEYSET_ROOT_MISMATCH',
  { signed: otherSigned, pin: pinKey },
);
keysetVector(
  'keyset-another-root-fingerprint',
  'The same, with our root pinned by fingerprint.',
  'keyset from another root',
  'KEYSET_ROOT_MISMATCH',
  { signed: otherSigned, pin: { fingerprint: orgFingerprint } },
);
keysetVector(
  'keyset-expired',
  'Checked the day after its expiry date.',
  'expired keyset',
  'KEYSET_EXPIRED',
  { signed: signedKeyset, pin: pinKey, now: '2028-01-01' },
);
keysetVector(
  'keyset-not-yet-valid',
  'Checked two days before its issue date (one day of grace is allowed for clocks).',
  'keyset not yet valid',
  'KEYSET_NOT_YET_VALID',
  { signed: signedKeyset, pin: pinKey, now: '2025-12-30' },
);
keysetVector(
  'keyset-version-not-newer',
  'The reader already holds version 3: the same version is refused.',
  'keyset version not newer',
  'KEYSET_VERSION_NOT_NEWER',
  { signed: signedKeyset, pin: pinKey, newerThan: 3 },
);
keysetVector(
  'keyset-wrong-format',
  'A signed keyset whose format string names a version this reader does not know.',
  'wrong version',
  'VERSION_UNSUPPORTED',
  { signed: { ...signedKeyset, format: 'sealbox-keyset-v2' }, pin: pinKey },
);
{
  const bytes = new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]);
  keysetVector(
    'keyset-payload-not-utf8',
    'A keyset signed by the pinned root whose payload bytes are not UTF-8.',
    'malformed keyset',
    'ENCODING_INVALID',
    {
      signed: {
        ...signedKeyset,
        payload: b64(bytes),
        signature: b64(
          sodium.crypto_sign_detached(
            concatBytes(utf8Encode('sealbox/v1/keyset\n'), bytes),
            org.secretKey,
          ),
        ),
      },
      pin: pinKey,
    },
  );
}

// --- Epoch keys ---
//
// Made here from fixed seeds (the library's generateEpochKey draws a random
// one), so these files do not change between runs: reviewer n's epoch k has
// the X-Wing seed seed("reviewer n epoch k"). Weekly epochs around NOW
// (a Monday): 1 is 2026-05-25 to 2026-06-01, 2 is 2026-06-01 to 2026-06-08,
// 3 is 2026-06-08 to 2026-06-15.

interface VectorEpoch {
  epoch: number;
  starts: string;
  ends: string;
  seed: Uint8Array;
  publicKey: Uint8Array;
  signed: SignedEpochKey;
}
const WEEKS: Record<number, [string, string]> = {
  1: ['2026-05-25', '2026-06-01'],
  2: ['2026-06-01', '2026-06-08'],
  3: ['2026-06-08', '2026-06-15'],
};
async function epochKey(
  who: typeof r1,
  n: number,
  k: number,
  dates: [string, string] = WEEKS[k]!,
  signer: typeof r1 = who,
): Promise<VectorEpoch> {
  const epochSeed = seed(`reviewer ${n} epoch ${k}`);
  const publicKey = sodium.crypto_kem_xwing_seed_keypair(epochSeed).publicKey;
  const payload = {
    v: 1,
    reviewer: b64(who.signPublicKey),
    epoch: k,
    starts: dates[0],
    ends: dates[1],
    kemPublicKey: b64(publicKey),
  };
  const signed = await signJson(EPOCH_KEY_FORMAT, EPOCH_KEY_SIGNATURE_LABEL, payload, {
    publicKey: signer.signPublicKey,
    secretKey: signer.signSecretKey,
  });
  return { epoch: k, starts: dates[0], ends: dates[1], seed: epochSeed, publicKey, signed };
}
const e1 = [await epochKey(r1, 1, 1), await epochKey(r1, 1, 2), await epochKey(r1, 1, 3)];
const e2 = [await epochKey(r2, 2, 1), await epochKey(r2, 2, 2), await epochKey(r2, 2, 3)];
const published = [...e1, ...e2].map((e) => e.signed);
// What a page seals to on NOW: epoch 2 of each reviewer.
const sealing: SealingKeys = await sealingKeys(keyset, published, new Date(NOW));
if (sealing.recipients.some((r) => r.epoch !== 2)) throw new Error('epoch 2 is current on NOW');
for (const e of [...e1, ...e2]) await verifyEpochKey(e.signed, keyset);

const keysetWithoutR1 = await signKeyset(
  { ...keysetContent, version: 4, reviewers: [reviewerCard(r2)] },
  org,
);
async function epochKeyVector(
  name: string,
  description: string,
  expect: string,
  error: string | undefined,
  fields: { epochKeys: unknown[]; now?: string; keyset?: unknown },
) {
  const now = fields.now ?? NOW;
  const signed = fields.keyset ?? signedKeyset;
  let sealTo: unknown;
  if (!error) {
    const held = await verifyKeyset(signed, { publicKey: org.publicKey }, { now: new Date(now) });
    const keys = await sealingKeys(held, fields.epochKeys, new Date(now));
    const ids = keys.recipients.map((r) =>
      sodium.crypto_generichash(
        32,
        concatBytes(utf8Encode('sealbox/v1/recipient'), r.publicKey),
        null,
      ),
    );
    sealTo = keys.recipients.map((r, i) => ({
      reviewerName: r.reviewerName,
      epoch: r.epoch,
      kemPublicKey: b64(r.publicKey),
      recipientId: b64(ids[i]!),
    }));
  }
  write(name, {
    kind: 'epoch-key',
    description,
    expect,
    ...(error ? { error } : {}),
    organisationPublicKey: b64(org.publicKey),
    keyset: signed,
    now,
    epochKeys: fields.epochKeys,
    ...(sealTo ? { sealTo } : {}),
  });
}
await epochKeyVector(
  'epoch-key-success',
  'Epochs 1, 2 and 3 of both reviewers, read on 2026-06-01 (the first day of epoch 2): a page seals to epoch 2 of each.',
  'success',
  undefined,
  { epochKeys: published },
);
await epochKeyVector(
  'epoch-key-success-last-day',
  'The same keys read on 2026-06-07, the last day of epoch 2: still epoch 2.',
  'success',
  undefined,
  { epochKeys: published, now: '2026-06-07' },
);
await epochKeyVector(
  'epoch-key-success-next-epoch',
  'The same keys read on 2026-06-08, the first day of epoch 3: epoch 3, although epoch 2 is still usable for a day.',
  'success',
  undefined,
  { epochKeys: published, now: '2026-06-08' },
);
await epochKeyVector(
  'epoch-key-success-grace',
  'Only epoch 2 of each reviewer, read on 2026-05-31: it starts tomorrow, and one day of grace covers a clock that is behind.',
  'success',
  undefined,
  { epochKeys: [e1[1]!.signed, e2[1]!.signed], now: '2026-05-31' },
);
await epochKeyVector(
  'epoch-key-expired',
  'Reviewer 1 has only epoch 1 (ended 2026-06-01), read on 2026-06-03: past its day of grace, no key to seal to.',
  'expired epoch key',
  'EPOCH_EXPIRED',
  { epochKeys: [e1[0]!.signed, e2[1]!.signed], now: '2026-06-03' },
);
await epochKeyVector(
  'epoch-key-not-yet-valid',
  'Reviewer 1 has only epoch 3 (starts 2026-06-08), read on 2026-06-01: too far ahead even with a day of grace.',
  'epoch key not yet valid',
  'EPOCH_NOT_YET_VALID',
  { epochKeys: [e1[2]!.signed, e2[1]!.signed] },
);
await epochKeyVector(
  'epoch-key-missing',
  'No epoch key at all for reviewer 1: a page must not seal (to the others only, or to the identity key).',
  'no epoch key',
  'EPOCH_MISSING',
  { epochKeys: [e2[1]!.signed] },
);
await epochKeyVector(
  'epoch-key-signed-by-another-reviewer',
  "An epoch key whose payload names reviewer 1, signed by reviewer 2 (signer field: reviewer 2's key): a reviewer of the keyset, but not the one it names.",
  'epoch key signed by another reviewer',
  'EPOCH_SIGNATURE_INVALID',
  { epochKeys: [(await epochKey(r1, 1, 2, WEEKS[2], r2)).signed, e2[1]!.signed] },
);
await epochKeyVector(
  'epoch-key-signer-substituted',
  'The same forged key with its signer field rewritten to reviewer 1: the signature does not verify under reviewer 1.',
  'bad epoch key signature',
  'EPOCH_SIGNATURE_INVALID',
  {
    epochKeys: [
      { ...(await epochKey(r1, 1, 2, WEEKS[2], r2)).signed, signer: b64(r1.signPublicKey) },
      e2[1]!.signed,
    ],
  },
);
await epochKeyVector(
  'epoch-key-reviewer-removed',
  "Reviewer 1's well-signed epoch 2, read with keyset version 4, from which reviewer 1 was removed.",
  'epoch key of a reviewer not in the keyset',
  'EPOCH_REVIEWER_UNKNOWN',
  { epochKeys: [e1[1]!.signed, e2[1]!.signed], keyset: keysetWithoutR1 },
);
await epochKeyVector(
  'epoch-key-outsider',
  'An epoch key made and signed by reviewer 3, who is in no keyset.',
  'epoch key of a reviewer not in the keyset',
  'EPOCH_REVIEWER_UNKNOWN',
  { epochKeys: [...published, (await epochKey(outsider, 3, 2)).signed] },
);
{
  const good = e1[1]!.signed;
  const bytes = fromBase64Url(good.payload);
  await epochKeyVector(
    'epoch-key-tampered-payload',
    "Reviewer 1's epoch 2 with one bit of its X-Wing public key changed in the signed payload (byte 200).",
    'bad epoch key signature',
    'EPOCH_SIGNATURE_INVALID',
    { epochKeys: [{ ...good, payload: b64(flip(bytes, 200)) }, e2[1]!.signed] },
  );
  await epochKeyVector(
    'epoch-key-wrong-format',
    "Reviewer 1's epoch 2 with its format string set to sealbox-epoch-key-v2.",
    'wrong version',
    'VERSION_UNSUPPORTED',
    { epochKeys: [{ ...good, format: 'sealbox-epoch-key-v2' }, e2[1]!.signed] },
  );
}
await epochKeyVector(
  'epoch-key-too-long',
  'A well-signed epoch key of reviewer 1 lasting 93 days, one more than an epoch may last.',
  'malformed epoch key',
  'FORMAT_INVALID',
  { epochKeys: [(await epochKey(r1, 1, 2, ['2026-06-01', '2026-09-02'])).signed, e2[1]!.signed] },
);

// --- Receipts ---

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** The check symbols, computed here from the spec (not with the library). */
function receiptFrom(label: string): string {
  const symbols = [...seed(label).subarray(0, 26)].map((b) => CROCKFORD[b & 31]!);
  // Make sure the typed-by-hand vector exercises the O→0 and I/L→1 readings.
  symbols[4] = '0';
  symbols[9] = '1';
  const data = symbols.join('');
  let m = 0n;
  for (const c of data) m = m * 32n + BigInt(CROCKFORD.indexOf(c));
  const check = Number((1021n - ((m * 1024n) % 1021n)) % 1021n);
  const all = data + CROCKFORD[check >> 5]! + CROCKFORD[check & 31]!;
  return all.match(/.{4}/g)!.join('-');
}
const receipt = receiptFrom('receipt 1');
const otherReceipt = receiptFrom('receipt 2');
const receiptKeys = await deriveReceiptKeys(receipt);
const otherReceiptKeys = await deriveReceiptKeys(otherReceipt);

async function receiptSuccess(name: string, description: string, input: string) {
  const canonical = parseReceipt(input);
  const data = canonical.replace(/-/g, '').slice(0, 26);
  const master = sodium.crypto_generichash(32, utf8Encode(`sealbox/v1/receipt${data}`), null);
  const replySeed = sodium.crypto_kdf_derive_from_key(32, 1, 'sbReplyK', master);
  const authorSeed = sodium.crypto_kdf_derive_from_key(32, 1, 'sbAuthor', master);
  const keys = await deriveReceiptKeys(input);
  write(name, {
    kind: 'receipt',
    description,
    expect: 'success',
    input,
    canonical,
    master: b64(master),
    lookupToken: b64(keys.lookupToken),
    lookupTokenHex: hex(keys.lookupToken),
    replySeed: b64(replySeed),
    replyPublicKey: b64(keys.replyKeyPair.publicKey),
    authorSeed: b64(authorSeed),
    authorPublicKey: b64(keys.authorKeyPair.publicKey),
  });
}
function receiptFailure(
  name: string,
  description: string,
  input: string,
  expect: string,
  error: string,
) {
  write(name, { kind: 'receipt', description, expect, error, input });
}
await receiptSuccess('receipt-success', 'A receipt in its canonical form.', receipt);
await receiptSuccess(
  'receipt-success-typed',
  'The same receipt as a person might type it: lower case, spaces, O for 0 and l for 1.',
  receipt.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o').replace(/1/g, 'l'),
);
await receiptSuccess('receipt-success-other', 'A second receipt.', otherReceipt);
await receiptSuccess(
  'receipt-success-unicode-space',
  'receipt-success split by a no-break space (U+00A0), an ideographic space (U+3000), an en dash (U+2013) and a full stop: all are separators.',
  receipt.replace('-', '\u00a0').replace('-', '\u3000').replace('-', '\u2013').replace('-', '.'),
);
{
  const plain = receipt.replace(/-/g, '');
  const replaceAt = (s: string, i: number, c: string) => s.slice(0, i) + c + s.slice(i + 1);
  const regroup = (s: string) => s.match(/.{4}/g)!.join('-');
  const other = (c: string) => CROCKFORD[(CROCKFORD.indexOf(c) + 7) % 32]!;
  receiptFailure(
    'receipt-typo-symbol',
    'One data symbol of receipt-success changed.',
    regroup(replaceAt(plain, 13, other(plain[13]!))),
    'receipt typo',
    'RECEIPT_CHECKSUM',
  );
  receiptFailure(
    'receipt-typo-check-symbol',
    'The last check symbol of receipt-success changed.',
    regroup(replaceAt(plain, 27, other(plain[27]!))),
    'receipt typo',
    'RECEIPT_CHECKSUM',
  );
  let i = 0;
  while (plain[i] === plain[i + 1]) i++;
  const swapped = plain.slice(0, i) + plain[i + 1]! + plain[i]! + plain.slice(i + 2);
  receiptFailure(
    'receipt-typo-swap',
    `Two neighbouring symbols of receipt-success (positions ${i + 1} and ${i + 2}) swapped.`,
    regroup(swapped),
    'receipt typo',
    'RECEIPT_CHECKSUM',
  );
  receiptFailure(
    'receipt-too-short',
    'receipt-success with its last symbol missing.',
    receipt.slice(0, -1),
    'receipt format',
    'RECEIPT_FORMAT',
  );
  receiptFailure(
    'receipt-too-long',
    'receipt-success followed by 173 spaces: 201 UTF-16 code units, over the 200 a reader takes.',
    receipt + ' '.repeat(201 - receipt.length),
    'receipt format',
    'RECEIPT_FORMAT',
  );
  receiptFailure(
    'receipt-non-ascii-letter',
    'receipt-success with an "ß" in place of its first symbol: only ASCII letters are upper-cased (a full Unicode upper-casing would read it as "SS").',
    `ß${receipt.slice(2)}`,
    'receipt format',
    'RECEIPT_FORMAT',
  );
  receiptFailure(
    'receipt-bad-symbol',
    'A "U", which is not a Crockford base32 symbol, in place of the first symbol.',
    `U${receipt.slice(1)}`,
    'receipt format',
    'RECEIPT_FORMAT',
  );
}

// --- Attachment streams ---

// The vectors written before sha256-segments keep BLAKE2b-256 (and name no
// algorithm, as those manifests did); the sha256-segments ones follow.
async function encrypt(plaintext: Uint8Array, digestAlgorithm: DigestAlgorithm = 'blake2b-256') {
  const enc = await encryptAttachment([plaintext], plaintext.length, { digestAlgorithm });
  const parts: Uint8Array[] = [];
  for await (const c of enc.chunks) parts.push(c);
  return { key: enc.key, digest: enc.digest(), parts, ciphertext: concatBytes(...parts) };
}
function streamVector(
  name: string,
  description: string,
  expect: string,
  error: string | undefined,
  s: {
    key: Uint8Array;
    size: number;
    digest: Uint8Array;
    ciphertext: Uint8Array;
    digestAlgorithm?: DigestAlgorithm;
  },
  plaintext?: Uint8Array,
) {
  write(name, {
    kind: 'stream',
    description,
    expect,
    ...(error ? { error } : {}),
    key: b64(s.key),
    size: s.size,
    digest: b64(s.digest),
    ...(s.digestAlgorithm ? { digestAlgorithm: s.digestAlgorithm } : {}),
    ciphertext: b64(s.ciphertext),
    ...(plaintext ? { plaintext: b64(plaintext) } : {}),
  });
}
const smallPlain = utf8Encode('Scan of the travel-ban notice, page 1. '.repeat(26).slice(0, 1000));
const small = await encrypt(smallPlain);
const threePlain = sodium.randombytes_buf_deterministic(135_000, seed('attachment 3 chunks'));
const three = await encrypt(threePlain);
const emptyStream = await encrypt(new Uint8Array(0));
const smallS = { ...small, size: smallPlain.length };
const threeS = { ...three, size: threePlain.length };

streamVector(
  'stream-success',
  'A 1000-byte attachment: padded to 4096 bytes, one chunk tagged FINAL.',
  'success',
  undefined,
  smallS,
  smallPlain,
);
streamVector(
  'stream-success-three-chunks',
  'A 135000-byte attachment: Padmé length 135168, chunks of 65536, 65536 and 4096 bytes.',
  'success',
  undefined,
  threeS,
  threePlain,
);
streamVector(
  'stream-success-empty',
  'An empty attachment: 4096 zero bytes of padding in one FINAL chunk.',
  'success',
  undefined,
  { ...emptyStream, size: 0 },
  new Uint8Array(0),
);
{
  const [header, c1, c2, c3] = three.parts as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  streamVector(
    'stream-truncated-final-chunk',
    'stream-success-three-chunks without its last (FINAL) chunk: ends at a chunk boundary.',
    'truncated stream',
    'STREAM_TRUNCATED',
    { ...threeS, ciphertext: concatBytes(header, c1, c2) },
  );
  streamVector(
    'stream-reordered',
    'stream-success-three-chunks with its first two chunks swapped.',
    'reordered stream',
    'STREAM_TAMPERED',
    { ...threeS, ciphertext: concatBytes(header, c2, c1, c3) },
  );
  streamVector(
    'stream-duplicated-chunk',
    'stream-success-three-chunks with its first chunk sent twice.',
    'duplicated chunk',
    'STREAM_TAMPERED',
    { ...threeS, ciphertext: concatBytes(header, c1, c1, c2, c3) },
  );
}
streamVector(
  'stream-truncated-inside-chunk',
  'stream-success with its last 10 bytes missing.',
  'truncated stream',
  'STREAM_TRUNCATED',
  { ...smallS, ciphertext: small.ciphertext.subarray(0, small.ciphertext.length - 10) },
);
streamVector(
  'stream-truncated-header',
  'Only the first 10 bytes of the 24-byte stream header.',
  'truncated stream',
  'STREAM_TRUNCATED',
  { ...smallS, ciphertext: small.ciphertext.subarray(0, 10) },
);
streamVector(
  'stream-tampered-chunk',
  'stream-success with one bit flipped inside its chunk.',
  'tampered stream',
  'STREAM_TAMPERED',
  { ...smallS, ciphertext: flip(small.ciphertext, 100) },
);
streamVector(
  'stream-trailing-data',
  'stream-success followed by 17 more bytes after its FINAL chunk.',
  'trailing data',
  'STREAM_TAMPERED',
  { ...smallS, ciphertext: concatBytes(small.ciphertext, new Uint8Array(17)) },
);
streamVector(
  'stream-wrong-key',
  'stream-success read with the key of stream-success-three-chunks.',
  'wrong attachment key',
  'STREAM_TAMPERED',
  { ...smallS, key: three.key },
);
streamVector(
  'stream-digest-mismatch',
  'stream-success whose manifest digest is that of another stream: every chunk opens, the digest does not match.',
  'digest mismatch',
  'DIGEST_MISMATCH',
  { ...smallS, digest: three.digest },
);
{
  // Built with raw secretstream calls: a valid stream whose padding is not zero.
  const key = sodium.crypto_secretstream_xchacha20poly1305_keygen();
  const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
  const padded = new Uint8Array(4096);
  padded.set(smallPlain);
  padded[4095] = 1;
  const chunk = sodium.crypto_secretstream_xchacha20poly1305_push(
    state,
    padded,
    null,
    sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL,
  );
  const ciphertext = concatBytes(header, chunk);
  streamVector(
    'stream-padding-not-zero',
    'An authentic stream whose padding (after the declared size) holds a non-zero byte.',
    'tampered stream',
    'STREAM_TAMPERED',
    {
      key,
      size: smallPlain.length,
      digest: sodium.crypto_generichash(32, ciphertext, null),
      ciphertext,
    },
  );
}

{
  // sha256-segments (docs/protocol.md, "Attachment digest").
  const sha = (...parts: Uint8Array[]) =>
    new Uint8Array(
      createHash('sha256')
        .update(concatBytes(...parts))
        .digest(),
    );
  const overList = (hashes: Uint8Array[], count = hashes.length) => {
    const n = new Uint8Array(4);
    new DataView(n.buffer).setUint32(0, count);
    return sha(ATTACHMENT_DIGEST_LABEL, n, ...hashes);
  };
  const one = {
    ...(await encrypt(smallPlain, 'sha256-segments')),
    size: smallPlain.length,
    digestAlgorithm: 'sha256-segments' as const,
  };
  streamVector(
    'stream-sha256-success',
    'A 1000-byte attachment with a sha256-segments digest: one segment of 4137 bytes.',
    'success',
    undefined,
    one,
    smallPlain,
  );
  const twoPlain = sodium.randombytes_buf_deterministic(1_048_576, seed('attachment 2 segments'));
  streamVector(
    'stream-sha256-success-two-segments',
    'A 1048576-byte attachment with a sha256-segments digest: 16 chunks, a ciphertext of 1048872 bytes, two segments (1048576 and 296 bytes).',
    'success',
    undefined,
    {
      ...(await encrypt(twoPlain, 'sha256-segments')),
      size: twoPlain.length,
      digestAlgorithm: 'sha256-segments',
    },
    twoPlain,
  );
  const h1 = sha(one.ciphertext);
  const mismatches: [string, string, Uint8Array][] = [
    ['empty-list', 'over an empty list of segment hashes (n = 0)', overList([])],
    ['hash-repeated', 'over its one segment hash given twice (n = 2)', overList([h1, h1])],
    ['count-wrong', 'over its one segment hash with n = 2', overList([h1], 2)],
    [
      'byte-changed',
      'over the same ciphertext with its byte 100 changed',
      overList([sha(flip(one.ciphertext, 100))]),
    ],
  ];
  for (const [name, how, digest] of mismatches) {
    streamVector(
      `stream-sha256-${name}`,
      `stream-sha256-success whose manifest digest is computed ${how}.`,
      'digest mismatch',
      'DIGEST_MISMATCH',
      { ...one, digest },
    );
  }
  streamVector(
    'stream-sha256-named-blake2b',
    'stream-sha256-success with its right digest but digestAlgorithm "blake2b-256".',
    'digest mismatch',
    'DIGEST_MISMATCH',
    { ...one, digestAlgorithm: 'blake2b-256' },
  );
}

// --- Envelopes ---

const submission: SubmissionDocument = {
  v: 2,
  kind: 'submission',
  locale: 'en',
  form: 'reprisal-report-v1',
  answers: {
    un_body: 'human_rights_council',
    country: 'XX',
    what_happened: ['travel_ban', 'threats'],
    when: '2026-05-14',
    consent: 'anonymised_only',
  },
  message: 'They took my passport at the airport after I spoke in Geneva. Мой паспорт. 我的护照。',
  attachments: [
    {
      uploadId: 'upload-0001',
      name: 'notice.txt',
      type: 'text/plain',
      size: smallPlain.length,
      key: b64(small.key),
      digest: b64(small.digest),
    },
  ],
  replyPublicKey: b64(receiptKeys.replyKeyPair.publicKey),
};
const followup: SealedDocument = {
  v: 2,
  kind: 'followup',
  locale: submission.locale,
  form: submission.form,
  answers: {},
  message: `Since my report, my brother has been questioned twice. ${'They ask where I am. '.repeat(250)}`,
  attachments: [],
};
const reply: ReplyDocument = {
  v: 2,
  kind: 'reply',
  caseId: 'case-0042',
  statementId: 'Y2FzZS0wMDQyLXJlcGx5',
  statement: 'reply',
  status: 'needs_information',
  text: 'Thank you. Could you tell us which airport this was?',
};

const author = receiptKeys.authorKeyPair;
const otherAuthor = otherReceiptKeys.authorKeyPair;
const envelope = await sealDocument(submission, sealing, author);
const followupEnvelope = await sealDocument(followup, sealing, author);
// Before epoch keys, documents were sealed to the reviewers' identity keys
// (the keys on their cards); a reviewer still opens those during the migration.
const identitySealing: SealingKeys = {
  keysetVersion: keyset.version,
  recipients: keyset.reviewers.map((r) => ({
    reviewerName: r.name,
    epoch: 0,
    publicKey: fromBase64Url(r.kemPublicKey),
  })),
};
/** A submitter's plaintext, spelled out: author key || signature || document. */
function authored(key: SigningKeyPair, document: Uint8Array, signature?: Uint8Array): Uint8Array {
  const sig =
    signature ??
    sodium.crypto_sign_detached(
      concatBytes(utf8Encode('sealbox/v2/document\n'), document),
      key.secretKey,
    );
  return concatBytes(key.publicKey, sig, document);
}
const toReviewers = sealing.recipients.map((r) => ({ publicKey: r.publicKey }));
const submissionBytes = utf8Encode(JSON.stringify(submission));
const replyEnvelope = await sealReply(reply, receiptKeys.replyKeyPair.publicKey, keyset.version);
const HEADER = 12;
const STANZA = 32 + 1120 + 48;
const payloadAt = HEADER + 2 * STANZA;

type EnvelopeReader = 'r1' | 'r2' | 'outsider' | 'receipt' | 'other receipt' | Uint8Array[];
function envelopeVector(
  name: string,
  description: string,
  expect: string,
  error: string | undefined,
  bytes: Uint8Array,
  recipient: EnvelopeReader,
  result?: { header: unknown; document: unknown; author?: string; openedWith?: Uint8Array },
  caseAuthor?: Uint8Array,
) {
  const open = recipient === 'receipt' || recipient === 'other receipt' ? 'submitter' : 'reviewer';
  // A reviewer holds the seeds of its epoch keys not yet erased; 'r1' and 'r2'
  // hold only the current one (epoch 2).
  const seeds = (keys: Uint8Array[]) => ({ kemSecretKeys: keys.map(b64) });
  const who = Array.isArray(recipient)
    ? seeds(recipient)
    : recipient === 'r1'
      ? seeds([e1[1]!.seed])
      : recipient === 'r2'
        ? seeds([e2[1]!.seed])
        : recipient === 'outsider'
          ? seeds([outsider.kemSecretKey])
          : recipient === 'receipt'
            ? { ...seeds([receiptSeed(receipt)]), receipt }
            : { ...seeds([receiptSeed(otherReceipt)]), receipt: otherReceipt };
  const { openedWith, ...rest } = result ?? {};
  write(name, {
    kind: 'envelope',
    description,
    expect,
    ...(error ? { error } : {}),
    open,
    recipient: who,
    envelope: b64(bytes),
    ...(caseAuthor ? { caseAuthor: b64(caseAuthor) } : {}),
    ...rest,
    ...(openedWith ? { openedWith: b64(openedWith) } : {}),
  });
}
function receiptSeed(r: string): Uint8Array {
  const data = parseReceipt(r).replace(/-/g, '').slice(0, 26);
  const master = sodium.crypto_generichash(32, utf8Encode(`sealbox/v1/receipt${data}`), null);
  return sodium.crypto_kdf_derive_from_key(32, 1, 'sbReplyK', master);
}
const submissionHeader = { version: 2, kind: 'submission', keysetVersion: 3, recipients: 2 };
const authorB64 = b64(author.publicKey);

envelopeVector(
  'envelope-success',
  "A submission sealed to the current epoch keys (epoch 2) of the two reviewers of keyset version 3, opened by reviewer 1's epoch 2 key (first stanza).",
  'success',
  undefined,
  envelope,
  'r1',
  {
    header: submissionHeader,
    document: submission,
    author: authorB64,
    openedWith: e1[1]!.publicKey,
  },
);
envelopeVector(
  'envelope-success-second-recipient',
  "The same envelope, opened by reviewer 2's epoch 2 key (second stanza).",
  'success',
  undefined,
  envelope,
  'r2',
  {
    header: submissionHeader,
    document: submission,
    author: authorB64,
    openedWith: e2[1]!.publicKey,
  },
);
envelopeVector(
  'envelope-success-epoch-ring',
  "The same envelope, opened by reviewer 1 holding the seeds of epochs 3, 1 and 2 and its identity seed: the reader looks for any of its recipient ids, and epoch 2's opens it.",
  'success',
  undefined,
  envelope,
  [e1[2]!.seed, e1[0]!.seed, e1[1]!.seed, r1.kemSecretKey],
  {
    header: submissionHeader,
    document: submission,
    author: authorB64,
    openedWith: e1[1]!.publicKey,
  },
);
envelopeVector(
  'envelope-sealed-to-erased-epoch',
  'The same envelope, read by reviewer 1 after erasing epoch 2: it holds the seeds of epochs 1 and 3 only. No stanza names them.',
  'not a recipient',
  undefined,
  envelope,
  [e1[0]!.seed, e1[2]!.seed],
);
envelopeVector(
  'envelope-epoch-not-identity',
  "The same envelope, read with reviewer 1's identity X-Wing key (the one on its card) alone: sealed to epoch keys, it is not for the identity key.",
  'not a recipient',
  undefined,
  envelope,
  [r1.kemSecretKey],
);
{
  const legacy = await sealDocument(submission, identitySealing, author);
  envelopeVector(
    'envelope-success-legacy-identity',
    "A submission sealed, as before epoch keys, to the identity X-Wing keys on the reviewers' cards; opened during the migration by reviewer 1 holding epochs 1 to 3 and its identity seed.",
    'success',
    undefined,
    legacy,
    [e1[0]!.seed, e1[1]!.seed, e1[2]!.seed, r1.kemSecretKey],
    {
      header: submissionHeader,
      document: submission,
      author: authorB64,
      openedWith: r1.kemPublicKey,
    },
  );
  envelopeVector(
    'envelope-legacy-identity-erased',
    'envelope-success-legacy-identity read by reviewer 1 after the migration: its identity seed erased, it holds epoch keys only.',
    'not a recipient',
    undefined,
    legacy,
    [e1[0]!.seed, e1[1]!.seed, e1[2]!.seed],
  );
}
envelopeVector(
  'envelope-success-followup',
  'A follow-up sealed to the same two epoch keys, opened by reviewer 2 and signed by the author key of its case (receipt-success).',
  'success',
  undefined,
  followupEnvelope,
  'r2',
  {
    header: { ...submissionHeader, kind: 'followup' },
    document: followup,
    author: authorB64,
    openedWith: e2[1]!.publicKey,
  },
  author.publicKey,
);
envelopeVector(
  'envelope-followup-not-by-author',
  "A well-made follow-up signed by another receipt's author key, for the case whose submission receipt-success signed: someone who does not hold the receipt wrote it.",
  'not by the author',
  'DOCUMENT_NOT_BY_AUTHOR',
  await sealDocument(followup, sealing, otherAuthor),
  'r1',
  undefined,
  author.publicKey,
);
envelopeVector(
  'envelope-document-signature-invalid',
  "A submission sealed by someone without the author key: receipt-success's public key and a signature of another document.",
  'bad document signature',
  'DOCUMENT_SIGNATURE_INVALID',
  await sealEnvelope(
    'submission',
    3,
    toReviewers,
    authored(
      author,
      submissionBytes,
      sodium.crypto_sign_detached(
        concatBytes(
          utf8Encode('sealbox/v2/document\n'),
          utf8Encode(JSON.stringify({ ...submission, message: 'another' })),
        ),
        author.secretKey,
      ),
    ),
  ),
  'r1',
);
envelopeVector(
  'envelope-document-unsigned',
  'A bare JSON submission with no author key or signature, as protocol version 1 sealed it.',
  'bad document signature',
  'DOCUMENT_SIGNATURE_INVALID',
  await sealEnvelope('submission', 3, toReviewers, submissionBytes),
  'r1',
);
envelopeVector(
  'envelope-document-too-short',
  'A submitter envelope whose plaintext is 95 bytes: shorter than an author key and a signature.',
  'malformed document',
  'FORMAT_INVALID',
  await sealEnvelope(
    'submission',
    3,
    toReviewers,
    authored(author, submissionBytes).subarray(0, 95),
  ),
  'r1',
);
envelopeVector(
  'envelope-document-not-utf8',
  'A signed submission whose document bytes are not UTF-8.',
  'malformed document',
  'ENCODING_INVALID',
  await sealEnvelope('submission', 3, toReviewers, authored(author, new Uint8Array([0x7b, 0xff]))),
  'r1',
);
envelopeVector(
  'envelope-document-bad-base64url',
  'A signed submission whose reply key is written with base64 padding ("="), which base64url forbids.',
  'malformed document',
  'ENCODING_INVALID',
  await sealEnvelope(
    'submission',
    3,
    toReviewers,
    authored(
      author,
      utf8Encode(
        JSON.stringify({ ...submission, replyPublicKey: `${submission.replyPublicKey}==` }),
      ),
    ),
  ),
  'r1',
);
envelopeVector(
  'envelope-document-old-version',
  'A signed document that says "v": 1.',
  'wrong version',
  'VERSION_UNSUPPORTED',
  await sealEnvelope(
    'submission',
    3,
    toReviewers,
    authored(author, utf8Encode(JSON.stringify({ ...submission, v: 1 }))),
  ),
  'r1',
);
envelopeVector(
  'envelope-success-reply',
  'A reply sealed to the reply key derived from receipt-success, with an anonymous (all-zero) recipient id.',
  'success',
  undefined,
  replyEnvelope,
  'receipt',
  { header: { version: 2, kind: 'reply', keysetVersion: 3, recipients: 1 }, document: reply },
);
envelopeVector(
  'envelope-not-a-recipient',
  'envelope-success read with a reviewer key that is not in the keyset: no stanza names it.',
  'not a recipient',
  undefined,
  envelope,
  'outsider',
);
envelopeVector(
  'envelope-reply-not-a-recipient',
  "envelope-success-reply read with another receipt's reply key: the anonymous stanza does not open.",
  'not a recipient',
  undefined,
  replyEnvelope,
  'other receipt',
);
envelopeVector(
  'envelope-tampered-recipient-id',
  "One bit flipped in reviewer 1's recipient id: reviewer 1 no longer finds a stanza for it.",
  'not a recipient',
  undefined,
  flip(envelope, HEADER + 5),
  'r1',
);
envelopeVector(
  'envelope-tampered-header-keyset-version',
  'The header claims keyset version 2 instead of 3 (byte 9 changed).',
  'tampered header',
  'ENVELOPE_TAMPERED',
  flip(envelope, 9),
  'r1',
);
envelopeVector(
  'envelope-tampered-header-kind',
  'The header kind byte changed from 1 (submission) to 2 (follow-up).',
  'tampered header',
  'ENVELOPE_TAMPERED',
  (() => {
    const e = envelope.slice();
    e[5] = 2;
    return e;
  })(),
  'r1',
);
envelopeVector(
  'envelope-tampered-stanza-kem',
  "One bit flipped in reviewer 1's X-Wing ciphertext.",
  'tampered stanza',
  'ENVELOPE_TAMPERED',
  flip(envelope, HEADER + 32 + 500),
  'r1',
);
envelopeVector(
  'envelope-tampered-stanza-wrapped-key',
  "One bit flipped in reviewer 1's wrapped content key.",
  'tampered stanza',
  'ENVELOPE_TAMPERED',
  flip(envelope, HEADER + 32 + 1120 + 3),
  'r1',
);
envelopeVector(
  'envelope-tampered-other-stanza',
  "One bit flipped in reviewer 2's stanza, read by reviewer 1: the payload's associated data covers every stanza.",
  'tampered stanza',
  'ENVELOPE_TAMPERED',
  flip(envelope, HEADER + STANZA + 32 + 1120 + 3),
  'r1',
);
envelopeVector(
  'envelope-tampered-payload',
  'One bit flipped in the middle of the payload ciphertext.',
  'tampered payload',
  'ENVELOPE_TAMPERED',
  flip(envelope, payloadAt + 24 + 2000),
  'r1',
);
envelopeVector(
  'envelope-tampered-payload-nonce',
  'One bit flipped in the payload nonce.',
  'tampered payload',
  'ENVELOPE_TAMPERED',
  flip(envelope, payloadAt + 1),
  'r1',
);
envelopeVector(
  'envelope-truncated',
  'envelope-success without its last byte: the payload is no longer a Padmé length.',
  'truncated envelope',
  'FORMAT_INVALID',
  envelope.subarray(0, envelope.length - 1),
  'r1',
);
envelopeVector(
  'envelope-truncated-to-stanzas',
  'envelope-success cut after its stanzas and payload nonce: no payload is left.',
  'truncated envelope',
  'FORMAT_INVALID',
  envelope.subarray(0, payloadAt + 24 + 16),
  'r1',
);
envelopeVector(
  'envelope-trailing-byte',
  'envelope-success with one extra byte at the end: the payload is no longer a Padmé length.',
  'truncated envelope',
  'FORMAT_INVALID',
  concatBytes(envelope, new Uint8Array(1)),
  'r1',
);
{
  // Cut one Padmé step (256 bytes at this size) off the follow-up's payload:
  // the length rule still holds, so only the AEAD tag catches it.
  const cut = followupEnvelope.subarray(0, followupEnvelope.length - 256);
  const padded = cut.length - payloadAt - 24 - 16;
  if (padme(padded) !== padded || padded < 4096) throw new Error('follow-up is too short');
  envelopeVector(
    'envelope-truncated-padme',
    'envelope-success-followup shortened by 256 bytes, to another valid Padmé length.',
    'truncated envelope',
    'ENVELOPE_TAMPERED',
    cut,
    'r2',
  );
}
envelopeVector(
  'envelope-wrong-version',
  'envelope-success with its version byte set to 1, the version before author signatures.',
  'wrong version',
  'VERSION_UNSUPPORTED',
  (() => {
    const e = envelope.slice();
    e[4] = 1;
    return e;
  })(),
  'r1',
);
envelopeVector(
  'envelope-wrong-magic',
  'envelope-success with its first byte changed: not a Sealbox envelope.',
  'not an envelope',
  'FORMAT_INVALID',
  flip(envelope, 0),
  'r1',
);
envelopeVector(
  'envelope-header-kind-mismatch',
  'An authentic envelope whose header says follow-up but whose document says submission.',
  'kind mismatch',
  'ENVELOPE_TAMPERED',
  await sealEnvelope('followup', 3, toReviewers, authored(author, submissionBytes)),
  'r1',
);

const DATE = new Date(NOW);

// --- Desks (docs/protocol.md, "Desks") ---
//
// Keyset version 5: reviewers 1, 2 and 4; reviewer 1 is the desk
// treaty-bodies, reviewer 2 special-procedures, reviewer 4 the always-included
// focal-point. Reviewer 3 stays the outsider.

const r4 = await reviewer(4);
const deskFingerprints = await Promise.all([r1, r2, r4].map((r) => fingerprintOf(r)));
async function fingerprintOf(r: typeof r1): Promise<string> {
  return fingerprint(concatBytes(r.kemPublicKey, r.signPublicKey));
}
const desks: Desk[] = [
  {
    id: 'treaty-bodies',
    names: { en: 'Treaty bodies', fr: 'Organes de traités' },
    reviewers: [deskFingerprints[0]!],
  },
  {
    id: 'special-procedures',
    names: { en: 'Special procedures', fr: 'Procédures spéciales' },
    reviewers: [deskFingerprints[1]!],
  },
  {
    id: 'focal-point',
    names: { en: 'Reprisals focal point', es: 'Punto focal sobre represalias' },
    reviewers: [deskFingerprints[2]!],
    always: true,
  },
];
const deskKeysetContent: Keyset = {
  version: 5,
  issued: '2026-01-01',
  expires: '2027-12-31',
  reviewers: [reviewerCard(r1), reviewerCard(r2), reviewerCard(r4)],
  couriers: [courierCard(courier)],
  desks,
};
const signedDeskKeyset = await signKeyset(deskKeysetContent, org);
const deskKeyset = await verifyKeyset(
  signedDeskKeyset,
  { publicKey: org.publicKey },
  { now: DATE },
);
keysetVector(
  'keyset-success-desks',
  'A keyset of version 5 with three desks, one of them always included, signed by the pinned root.',
  'success',
  undefined,
  { signed: signedDeskKeyset, pin: pinKey },
  deskKeyset,
);
{
  const payload = utf8Encode(JSON.stringify({ ...keysetContent, desks: desks.slice(0, 1) }));
  keysetVector(
    'keyset-desks-not-signed',
    'keyset-success with desks added to its payload after the root signed it.',
    'bad keyset signature',
    'KEYSET_SIGNATURE_INVALID',
    { signed: { ...signedKeyset, payload: b64(payload) }, pin: pinKey },
  );
}
/** Desks signed by the root without the library's checks. */
async function rawDeskKeyset(badDesks: unknown[]) {
  return signJson(
    'sealbox-keyset-v1',
    utf8Encode('sealbox/v1/keyset\n'),
    {
      ...deskKeysetContent,
      desks: badDesks,
    },
    org,
  );
}
keysetVector(
  'keyset-desk-unknown-reviewer',
  'A signed keyset whose desk lists the fingerprint of reviewer 3, who is not in the keyset.',
  'malformed keyset',
  'FORMAT_INVALID',
  {
    signed: await rawDeskKeyset([
      { ...desks[0]!, reviewers: [await fingerprintOf(outsider)] },
      desks[2],
    ]),
    pin: pinKey,
  },
);
keysetVector(
  'keyset-desk-duplicate-id',
  'A signed keyset with two desks of the same id.',
  'malformed keyset',
  'FORMAT_INVALID',
  { signed: await rawDeskKeyset([desks[0], { ...desks[1]!, id: desks[0]!.id }]), pin: pinKey },
);
keysetVector(
  'keyset-desks-all-always',
  'A signed keyset whose only desk is always included: nothing to choose.',
  'malformed keyset',
  'FORMAT_INVALID',
  { signed: await rawDeskKeyset([desks[2]]), pin: pinKey },
);

const e4 = await epochKey(r4, 4, 2);
const deskSealing = await sealingKeys(deskKeyset, [e1[1]!.signed, e2[1]!.signed, e4.signed], DATE);
const deskSubmission: SubmissionDocument = { ...submission, desk: 'treaty-bodies' };
const deskEnvelope = await sealDocumentToDesk(deskSubmission, deskSealing, deskKeyset, author);
const deskHeader = { version: 3, kind: 'submission', keysetVersion: 5, recipients: 3 };
envelopeVector(
  'envelope-desk-success',
  "A submission to the desk treaty-bodies of keyset version 5 (a version 3 envelope, one stanza per reviewer, reviewer 2's a decoy), opened by reviewer 1's epoch 2 key.",
  'success',
  undefined,
  deskEnvelope,
  'r1',
  { header: deskHeader, document: deskSubmission, author: authorB64, openedWith: e1[1]!.publicKey },
);
envelopeVector(
  'envelope-desk-success-always',
  'The same envelope, opened by reviewer 4 (the always-included desk focal-point) with its epoch 2 key (third stanza).',
  'success',
  undefined,
  deskEnvelope,
  [e4.seed],
  { header: deskHeader, document: deskSubmission, author: authorB64, openedWith: e4.publicKey },
);
envelopeVector(
  'envelope-desk-other-desk',
  'The same envelope, read by reviewer 2 (desk special-procedures): its stanza names its epoch 2 key but is a decoy, so it is not a recipient.',
  'not a recipient',
  undefined,
  deskEnvelope,
  'r2',
);
envelopeVector(
  'envelope-desk-downgraded',
  'envelope-desk-success with its version byte rewritten to 2: every wrap binds the header, and under version 2 a named stanza that fails is tampered.',
  'tampered header',
  'ENVELOPE_TAMPERED',
  (() => {
    const e = deskEnvelope.slice();
    e[4] = 2;
    return e;
  })(),
  'r1',
);
envelopeVector(
  'envelope-desk-reply',
  'envelope-success-reply with its version byte set to 3: a reply is never sealed to a desk.',
  'not an envelope',
  'FORMAT_INVALID',
  (() => {
    const e = replyEnvelope.slice();
    e[4] = 3;
    return e;
  })(),
  'receipt',
);

// --- Statements ---
const statementCommon = {
  organisationPublicKey: b64(org.publicKey),
  keyset: signedKeyset,
  now: NOW,
};
async function statementVector(
  name: string,
  description: string,
  expect: string,
  error: string | undefined,
  statement: unknown,
  submitter?: { receipt: string; caseId: string },
) {
  let verified: unknown;
  let submitterView: unknown;
  if (!error) {
    verified = await verifyStatement(statement, keyset);
    if (submitter) {
      const keys = await deriveReceiptKeys(submitter.receipt);
      submitterView = await readStatementAsSubmitter(
        statement,
        keyset,
        keys.replyKeyPair,
        submitter.caseId,
      );
    }
  }
  write(name, {
    kind: 'statement',
    description,
    expect,
    ...(error ? { error } : {}),
    ...statementCommon,
    statement,
    ...(submitter ?? {}),
    ...(verified ? { verified } : {}),
    ...(submitterView ? { submitterView } : {}),
  });
}
const statusStatement = await createStatement(
  {
    kind: 'status',
    caseId: 'case-0042',
    status: 'in_review',
    replyPublicKey: receiptKeys.replyKeyPair.publicKey,
    date: DATE,
  },
  r1,
  keyset,
);
const replyStatement = await createStatement(
  {
    kind: 'reply',
    caseId: 'case-0042',
    text: 'Thank you. Could you tell us which airport this was?',
    replyPublicKey: receiptKeys.replyKeyPair.publicKey,
    date: DATE,
  },
  r2,
  keyset,
);
const purgeStatement = await createStatement(
  {
    kind: 'purge',
    caseId: 'case-0042',
    replyPublicKey: receiptKeys.replyKeyPair.publicKey,
    date: DATE,
  },
  r1,
  keyset,
);
const replyWithStatusStatement = await createStatement(
  {
    kind: 'reply',
    caseId: 'case-0042',
    text: 'We have referred your case to the mandate holder. Please tell us if anything changes.',
    status: 'referred',
    replyPublicKey: receiptKeys.replyKeyPair.publicKey,
    date: DATE,
  },
  r2,
  keyset,
);
/** A statement signed by reviewer 1 as written, whatever it says (for refusals past the signature). */
async function signedStatement(payload: Record<string, unknown>) {
  return signJson(STATEMENT_FORMAT, STATEMENT_SIGNATURE_LABEL, payload, {
    publicKey: r1.signPublicKey,
    secretKey: r1.signSecretKey,
  });
}
const mine = { receipt, caseId: 'case-0042' };

await statementVector(
  'statement-success-status',
  'A status change by reviewer 1, read by the submitter of case-0042 (receipt-success).',
  'success',
  undefined,
  statusStatement,
  mine,
);
await statementVector(
  'statement-success-reply',
  'A reply by reviewer 2, read by the submitter of case-0042 (receipt-success).',
  'success',
  undefined,
  replyStatement,
  mine,
);
await statementVector(
  'statement-success-purge',
  'A purge statement by reviewer 1, read by the submitter of case-0042: the case is closed and deleted.',
  'success',
  undefined,
  purgeStatement,
  mine,
);
await statementVector(
  'statement-success-reply-with-status',
  'A reply by reviewer 2 that also sets the status to referred, read by the submitter of case-0042.',
  'success',
  undefined,
  replyWithStatusStatement,
  mine,
);
await statementVector(
  'statement-sealed-kind-mismatch',
  'A purge signed by reviewer 1 whose sealed part says it is a reply: what the submitter opens must repeat the signed kind.',
  'statement for another case',
  'STATEMENT_NOT_FOR_CASE',
  await signedStatement({
    v: 2,
    kind: 'purge',
    id: 'cHVyZ2UtbWlzbWF0Y2g',
    caseId: 'case-0042',
    date: NOW,
    keysetVersion: 3,
    sealed: b64(
      await sealReply(
        {
          v: 2,
          kind: 'reply',
          caseId: 'case-0042',
          statementId: 'cHVyZ2UtbWlzbWF0Y2g',
          statement: 'reply',
          text: 'not a purge',
        },
        receiptKeys.replyKeyPair.publicKey,
        3,
      ),
    ),
  }),
  mine,
);
await statementVector(
  'statement-sealed-status-mismatch',
  'A status statement signed by reviewer 1 saying closed, whose sealed part says in_review.',
  'statement for another case',
  'STATEMENT_NOT_FOR_CASE',
  await signedStatement({
    v: 2,
    kind: 'status',
    id: 'c3RhdHVzLW1pc21hdGNo',
    caseId: 'case-0042',
    date: NOW,
    keysetVersion: 3,
    status: 'closed',
    sealed: b64(
      await sealReply(
        {
          v: 2,
          kind: 'reply',
          caseId: 'case-0042',
          statementId: 'c3RhdHVzLW1pc21hdGNo',
          statement: 'status',
          status: 'in_review',
        },
        receiptKeys.replyKeyPair.publicKey,
        3,
      ),
    ),
  }),
  mine,
);
await statementVector(
  'statement-without-sealed-part',
  'A purge signed by reviewer 1 with no sealed part, as protocol version 1 wrote purges.',
  'malformed statement',
  'FORMAT_INVALID',
  await signedStatement({
    v: 2,
    kind: 'purge',
    id: 'bm8tc2VhbGVk',
    caseId: 'case-0042',
    date: NOW,
    keysetVersion: 3,
  }),
);
await statementVector(
  'statement-old-version',
  'A statement in the version 1 format.',
  'wrong version',
  'VERSION_UNSUPPORTED',
  { ...statusStatement, format: 'sealbox-statement-v1' },
);
await statementVector(
  'statement-signature-not-base64url',
  'statement-success-status whose signature is written in standard base64 with padding.',
  'malformed statement',
  'ENCODING_INVALID',
  {
    ...statusStatement,
    signature: `${statusStatement.signature.replace(/-/g, '+').replace(/_/g, '/')}==`,
  },
);
await statementVector(
  'statement-payload-not-utf8',
  'A statement signed by reviewer 1 whose payload bytes are not UTF-8.',
  'malformed statement',
  'ENCODING_INVALID',
  (() => {
    const bytes = new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]);
    const signature = sodium.crypto_sign_detached(
      concatBytes(STATEMENT_SIGNATURE_LABEL, bytes),
      r1.signSecretKey,
    );
    return {
      format: STATEMENT_FORMAT,
      payload: b64(bytes),
      signature: b64(signature),
      signer: b64(r1.signPublicKey),
    };
  })(),
);
await statementVector(
  'statement-bad-signature',
  'statement-success-status with one bit of its signature flipped.',
  'bad statement signature',
  'STATEMENT_SIGNATURE_INVALID',
  { ...statusStatement, signature: b64(flip(fromBase64Url(statusStatement.signature), 3)) },
);
await statementVector(
  'statement-signer-substituted',
  "statement-success-status (signed by reviewer 1) with its signer field set to reviewer 2's key.",
  'bad statement signature',
  'STATEMENT_SIGNATURE_INVALID',
  { ...statusStatement, signer: b64(r2.signPublicKey) },
);
await statementVector(
  'statement-signer-unknown',
  'A well-formed status statement signed by a reviewer who is not in the keyset.',
  'statement signer unknown',
  'STATEMENT_SIGNER_UNKNOWN',
  await createStatement(
    {
      kind: 'status',
      caseId: 'case-0042',
      status: 'closed',
      replyPublicKey: receiptKeys.replyKeyPair.publicKey,
      date: DATE,
    },
    outsider,
    keyset,
  ),
  mine,
);
await statementVector(
  'statement-for-another-case',
  'statement-success-status (for case-0042) shown to the submitter of case-0043.',
  'statement for another case',
  'STATEMENT_NOT_FOR_CASE',
  statusStatement,
  { receipt, caseId: 'case-0043' },
);
await statementVector(
  'statement-sealed-to-another-receipt',
  'A genuine statement naming case-0042 whose sealed part is for another receipt (receipt-success-other).',
  'statement for another case',
  'STATEMENT_NOT_FOR_CASE',
  await createStatement(
    {
      kind: 'status',
      caseId: 'case-0042',
      status: 'referred',
      replyPublicKey: otherReceiptKeys.replyKeyPair.publicKey,
      date: DATE,
    },
    r1,
    keyset,
  ),
  mine,
);

// --- Key files (low Argon2id cost so that the vectors run fast) ---

const LOW = { opsLimit: 1, memLimit: 8192 };
const secret = concatBytes(r1.kemSecretKey, r1.signSecretKey);
const passphrase = 'correct horse battery staple';
const unicodePassphrase = 'Défense des défenseurs — 2026 ✊🏽';
const file = await lockKeyFile('reviewer', secret, passphrase, LOW);
const unicodeFile = await lockKeyFile('organisation', org.secretKey, unicodePassphrase, LOW);
function keyFileVector(
  name: string,
  description: string,
  expect: string,
  error: string | undefined,
  f: unknown,
  pass: string,
  result?: { fileKind: string; secret: Uint8Array },
) {
  write(name, {
    kind: 'keyfile',
    description,
    expect,
    ...(error ? { error } : {}),
    file: f,
    passphrase: pass,
    ...(result ? { fileKind: result.fileKind, secret: b64(result.secret) } : {}),
  });
}
keyFileVector(
  'keyfile-success',
  'A reviewer key file whose secret is version 1 (X-Wing seed || Ed25519 secret key), at the lowest Argon2id cost.',
  'success',
  undefined,
  file,
  passphrase,
  { fileKind: 'reviewer', secret },
);
keyFileVector(
  'keyfile-success-unicode',
  'An organisation key file whose passphrase is non-ASCII (its UTF-8 bytes go to Argon2id as they are).',
  'success',
  undefined,
  unicodeFile,
  unicodePassphrase,
  { fileKind: 'organisation', secret: org.secretKey },
);
{
  // Version 2 of the reviewer's secret: reviewer 1 after the migration (its
  // identity seed erased) holding epochs 2 and 3 (epoch 1 erased).
  const held = [e1[1]!, e1[2]!];
  const secretV2 = encodeReviewerSecrets({
    signPublicKey: r1.signPublicKey,
    signSecretKey: r1.signSecretKey,
    kemPublicKey: r1.kemPublicKey,
    kemSecretKey: null,
    epochs: await Promise.all(
      held.map(async (e) => ({ ...e, keyPair: await epochKeyPair(e.seed) })),
    ),
  });
  const read = await decodeReviewerSecrets(secretV2);
  if (read.epochs.length !== 2 || read.kemSecretKey !== null) throw new Error('secret v2');
  write('keyfile-success-epochs', {
    kind: 'keyfile',
    description:
      "A reviewer key file whose secret is version 2: reviewer 1's signing key and identity public key, the identity seed erased, and the seeds of epochs 2 and 3 (epoch 1 erased).",
    expect: 'success',
    file: await lockKeyFile('reviewer', secretV2, passphrase, LOW),
    passphrase,
    fileKind: 'reviewer',
    secret: b64(secretV2),
    reviewerSecrets: {
      version: 2,
      signPublicKey: b64(r1.signPublicKey),
      identityPublicKey: b64(r1.kemPublicKey),
      identitySeed: null,
      epochs: held.map((e) => ({
        epoch: e.epoch,
        starts: e.starts,
        ends: e.ends,
        seed: b64(e.seed),
        publicKey: b64(e.publicKey),
      })),
    },
  });
}
keyFileVector(
  'keyfile-wrong-passphrase',
  'keyfile-success opened with another passphrase.',
  'wrong passphrase',
  'KEYFILE_PASSPHRASE',
  file,
  'correct horse battery stapler',
);
keyFileVector(
  'keyfile-cost-edited',
  'keyfile-success with its memLimit doubled in the file: the associated data no longer matches.',
  'tampered key file',
  'KEYFILE_PASSPHRASE',
  { ...file, kdf: { ...file.kdf, memLimit: 16384 } },
  passphrase,
);
keyFileVector(
  'keyfile-kind-edited',
  'keyfile-success relabelled as a courier key file.',
  'tampered key file',
  'KEYFILE_PASSPHRASE',
  { ...file, kind: 'courier' },
  passphrase,
);
keyFileVector(
  'keyfile-bad-base64url',
  'keyfile-success whose nonce carries base64 padding ("="), which base64url forbids.',
  'malformed key file',
  'ENCODING_INVALID',
  { ...file, nonce: `${file.nonce}=` },
  passphrase,
);
keyFileVector(
  'keyfile-cost-too-high',
  'A key file asking for 2 GiB of Argon2id memory: refused before any work.',
  'cost out of range',
  'FORMAT_INVALID',
  { ...file, kdf: { ...file.kdf, memLimit: 2_147_483_648 } },
  passphrase,
);

// --- Bundles (docs/protocol-courier.md). Built record by record with raw
// BLAKE2b calls; the bundle layer never looks inside an envelope, so fixed
// bytes stand for the envelopes and the attachment ciphertext, and the bundle
// vectors come out the same at every run. The success bundle is checked
// against the library's writer below.

function bundleRecord(
  type: number,
  meta: string | Uint8Array,
  body: Uint8Array = new Uint8Array(0),
  damageChecksum = false,
): Uint8Array {
  const m = typeof meta === 'string' ? utf8Encode(meta) : meta;
  const head = new Uint8Array(1 + 4 + m.length + 8);
  const view = new DataView(head.buffer);
  head[0] = type;
  view.setUint32(1, m.length);
  head.set(m, 5);
  view.setUint32(5 + m.length, Math.floor(body.length / 2 ** 32));
  view.setUint32(9 + m.length, body.length >>> 0);
  const record = concatBytes(head, body);
  const checksum = sodium.crypto_generichash(32, record, null);
  return concatBytes(record, damageChecksum ? flip(checksum, 0) : checksum);
}
function endRecord(before: Uint8Array, cursor: number, count: number, digest?: string): Uint8Array {
  const meta = {
    cursor,
    count,
    digest: digest ?? b64(sodium.crypto_generichash(32, before, null)),
  };
  return bundleRecord(5, JSON.stringify(meta));
}
const bundleEnvelope = sodium.randombytes_buf_deterministic(600, seed('bundle submission'));
const bundleFile = sodium.randombytes_buf_deterministic(1500, seed('bundle attachment'));
const bundleFollowupEnvelope = sodium.randombytes_buf_deterministic(300, seed('bundle followup'));
const upload = {
  id: 'upload-0001',
  size: bundleFile.length,
  digest: b64(sodium.crypto_generichash(32, bundleFile, null)),
};
const bStart = { format: 'sealbox-bundle-v1', keysetVersion: 3, after: 41, created: NOW };
const bSubmission = {
  id: 'case-0042',
  seq: 42,
  received: NOW,
  keysetVersion: 3,
  uploads: [upload],
};
const bAttachment = {
  submissionId: 'case-0042',
  uploadId: upload.id,
  size: upload.size,
  digest: upload.digest,
};
const bFollowup = {
  id: 'followup-0001',
  submissionId: 'case-0042',
  seq: 43,
  received: NOW,
  uploads: [],
};
const startRec = bundleRecord(1, JSON.stringify(bStart));
const submissionRec = bundleRecord(2, JSON.stringify(bSubmission), bundleEnvelope);
const attachmentRec = bundleRecord(3, JSON.stringify(bAttachment), bundleFile);
const followupRec = bundleRecord(4, JSON.stringify(bFollowup), bundleFollowupEnvelope);
const bundleBody = concatBytes(startRec, submissionRec, attachmentRec, followupRec);
const wholeBundle = concatBytes(bundleBody, endRecord(bundleBody, 43, 3));
const endMeta = (bytes: Uint8Array, cursor: number, count: number) => ({
  cursor,
  count,
  digest: b64(sodium.crypto_generichash(32, bytes, null)),
});
const items = {
  start: { type: 'start', meta: bStart },
  submission: { type: 'submission', meta: bSubmission, envelope: b64(bundleEnvelope) },
  attachment: { type: 'attachment', meta: bAttachment, body: b64(bundleFile) },
  followup: { type: 'followup', meta: bFollowup, envelope: b64(bundleFollowupEnvelope) },
};
{
  // The library's writer must give the same bytes.
  const encoder = await BundleEncoder.create();
  const parts = [
    encoder.start(bStart as BundleStart),
    encoder.submission(bSubmission, bundleEnvelope),
  ];
  for await (const p of encoder.attachment(bAttachment, Readable.from([bundleFile]))) parts.push(p);
  parts.push(encoder.followup(bFollowup, bundleFollowupEnvelope), encoder.end());
  if (b64(concatBytes(...parts)) !== b64(wholeBundle))
    throw new Error('the library writes another bundle than the vectors');
}
function bundleVector(
  name: string,
  description: string,
  expect: string,
  error: string | undefined,
  bundle: Uint8Array,
  yielded: unknown[],
) {
  write(name, {
    kind: 'bundle',
    description,
    expect,
    ...(error ? { error } : {}),
    bundle: b64(bundle),
    items: yielded,
  });
}
const allButEnd = [items.start, items.submission, items.attachment, items.followup];
bundleVector(
  'bundle-success',
  'A bundle after cursor 41: a submission (seq 42) with one attachment, a follow-up (seq 43) without, and the end record.',
  'success',
  undefined,
  wholeBundle,
  [...allButEnd, { type: 'end', meta: endMeta(bundleBody, 43, 3) }],
);
{
  const body = concatBytes(
    startRec,
    bundleRecord(2, JSON.stringify(bSubmission), bundleEnvelope, true),
    attachmentRec,
    followupRec,
  );
  bundleVector(
    'bundle-damaged-checksum',
    'bundle-success whose submission record has one bit of its checksum flipped, the end record written over these bytes: the record is reported damaged and reading goes on to a matching end.',
    'damaged record',
    'STREAM_TAMPERED',
    concatBytes(body, endRecord(body, 43, 3)),
    [
      items.start,
      { type: 'damaged', index: 1, recordType: 2, id: 'case-0042', code: 'STREAM_TAMPERED' },
      items.attachment,
      items.followup,
      { type: 'end', meta: endMeta(body, 43, 3) },
    ],
  );
}
{
  const meta = utf8Encode(JSON.stringify(bFollowup));
  meta[meta.indexOf(0x66)] = 0xff; // the "f" of "followup-0001": not UTF-8
  const body = concatBytes(
    startRec,
    submissionRec,
    attachmentRec,
    bundleRecord(4, meta, bundleFollowupEnvelope),
  );
  bundleVector(
    'bundle-meta-not-utf8',
    'bundle-success whose follow-up meta holds a 0xff byte (valid checksum, end record written over these bytes, cursor 42): the follow-up is reported damaged.',
    'damaged record',
    'ENCODING_INVALID',
    concatBytes(body, endRecord(body, 42, 3)),
    [
      items.start,
      items.submission,
      items.attachment,
      { type: 'damaged', index: 3, recordType: 4, code: 'ENCODING_INVALID' },
      { type: 'end', meta: endMeta(body, 42, 3) },
    ],
  );
}
bundleVector(
  'bundle-truncated',
  'bundle-success without its last 10 bytes (inside the end record).',
  'truncated bundle',
  'STREAM_TRUNCATED',
  wholeBundle.subarray(0, wholeBundle.length - 10),
  allButEnd,
);
bundleVector(
  'bundle-record-removed',
  'bundle-success without its follow-up record: the end record no longer matches.',
  'tampered bundle',
  'STREAM_TAMPERED',
  concatBytes(startRec, submissionRec, attachmentRec, endRecord(bundleBody, 43, 3)),
  [items.start, items.submission, items.attachment],
);
bundleVector(
  'bundle-end-digest-mismatch',
  'bundle-success whose end record (with a valid checksum) carries the digest of the bundle without its start record.',
  'tampered bundle',
  'STREAM_TAMPERED',
  concatBytes(
    bundleBody,
    endRecord(
      bundleBody,
      43,
      3,
      b64(sodium.crypto_generichash(32, bundleBody.subarray(startRec.length), null)),
    ),
  ),
  allButEnd,
);
bundleVector(
  'bundle-trailing-byte',
  'bundle-success followed by one zero byte after its end record.',
  'bytes after the end',
  'FORMAT_INVALID',
  concatBytes(wholeBundle, new Uint8Array(1)),
  allButEnd,
);
{
  const body = concatBytes(
    bundleRecord(1, JSON.stringify({ ...bStart, format: 'sealbox-bundle-v2' })),
    submissionRec,
    attachmentRec,
    followupRec,
  );
  bundleVector(
    'bundle-wrong-format',
    'bundle-success whose start record names the format "sealbox-bundle-v2" (checksums and end record valid).',
    'wrong version',
    'VERSION_UNSUPPORTED',
    concatBytes(body, endRecord(body, 43, 3)),
    [],
  );
}

// --- Courier request signatures (docs/protocol-courier.md, "Request
// signatures"): RFC 9421 as reviewer/courier/http.ts signs and
// server/plugins/courier-auth.ts verifies. Ed25519 is deterministic and the
// nonce and date are fixed, so these bytes are the same at every run.

const signed = await signRequest(
  courierClient('https://sealbox.example/', courier),
  'POST',
  '/v1/courier/ack',
  { cursor: 42 },
  { created: new Date('2026-06-01T12:00:00Z'), nonce: b64(seed('courier nonce').subarray(0, 16)) },
);
let signatureBase = '';
const verified = await httpbis.verifyMessage(
  {
    keyLookup: () =>
      Promise.resolve({
        id: b64(courier.publicKey),
        algs: ['ed25519'],
        verify: (data: Buffer, sig: Buffer) => {
          signatureBase = data.toString('utf8');
          return Promise.resolve(sodium.crypto_sign_verify_detached(sig, data, courier.publicKey));
        },
      }),
  },
  { method: signed.method, url: signed.url, headers: signed.headers },
);
if (!verified) throw new Error('the courier signature vector does not verify');
const request = {
  method: signed.method,
  url: signed.url.href,
  headers: Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v])),
  body: new TextDecoder().decode(signed.body),
};
function courierSignatureVector(
  name: string,
  description: string,
  expect: string,
  error: string | undefined,
  req: typeof request,
  outputs: Record<string, unknown> = {},
) {
  write(name, {
    kind: 'courier-signature',
    description,
    expect,
    ...(error ? { error } : {}),
    publicKey: b64(courier.publicKey),
    request: req,
    ...outputs,
  });
}
courierSignatureVector(
  'courier-signature-success',
  'POST /v1/courier/ack with body {"cursor":42}, signed by the courier key seed("courier 1") on 2026-06-01T12:00:00Z with nonce b64url(seed("courier nonce")[0..16]): the signature base and the Ed25519 signature over it.',
  'success',
  undefined,
  request,
  {
    signatureBase,
    signature: b64(Buffer.from(request.headers.signature!.slice('sig=:'.length, -1), 'base64')),
  },
);
courierSignatureVector(
  'courier-signature-other-path',
  'courier-signature-success sent to /v1/courier/outbox: the signature covers @path and no longer verifies.',
  'bad request signature',
  'COURIER_SIGNATURE_INVALID',
  { ...request, url: new URL('/v1/courier/outbox', request.url).href },
);
courierSignatureVector(
  'courier-signature-body-changed',
  'courier-signature-success with the body {"cursor":43}: Content-Digest no longer matches it.',
  'bad request signature',
  'COURIER_SIGNATURE_INVALID',
  { ...request, body: '{"cursor":43}' },
);

const kinds = new Map<string, number>();
for (const n of written) kinds.set(n.split('-')[0]!, (kinds.get(n.split('-')[0]!) ?? 0) + 1);
console.log(
  `wrote ${written.length} vectors to ${VECTORS_DIR}: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}`,
);
