// Runs every protocol test vector (test/vectors/*.json) twice:
//   1. through the library, asserting the exact outcome (values or error code);
//   2. through a second reader written from docs/protocol.md alone, with raw
//      libsodium calls only, to show the spec is enough to interoperate.
// Bundles and courier request signatures follow docs/protocol-courier.md; the
// signatures also go through the server's own checks.
import t from 'tap';
import sumo from 'libsodium-wrappers-sumo';
import {
  type Keyset,
  checkAuthor,
  decryptAttachment,
  deriveReceiptKeys,
  fingerprint,
  fromBase64Url,
  getSodium,
  isSealboxError,
  openDocument,
  openReply,
  parseEnvelopeHeader,
  parseReceipt,
  readBundle,
  readStatementAsSubmitter,
  toBase64Url,
  unlockKeyFile,
  verifyKeyset,
  verifyStatement,
} from '../../client-crypto/index.ts';
import { httpbis } from 'http-message-signatures';
import {
  COURIER_COVERED,
  COURIER_COVERED_WITH_BODY,
  COURIER_SIGNATURE_PARAMS,
  COURIER_SIGNATURE_TAG,
  contentDigestMatches,
} from '../../server/plugins/courier-auth.ts';
import { courierSignatureShape } from '../../server/plugins/courier-signature.ts';
import {
  type BundleVectorItem,
  type CourierSignatureVector,
  type KeysetVector,
  type StreamVector,
  loadVectors,
} from '../vectors/load.ts';

const sodium = await getSodium();
await sumo.ready;
const vectors = loadVectors();
const b64 = fromBase64Url;

/** "ok" with the value, or the SealboxError code; anything else fails the test. */
async function outcome<T>(run: () => Promise<T>): Promise<{ code?: string; value?: T }> {
  try {
    return { value: await run() };
  } catch (e) {
    if (isSealboxError(e)) return { code: e.code };
    throw e;
  }
}

/** Feeds bytes in 1000-byte pieces, so readers must re-cut chunks themselves. */
function* pieces(bytes: Uint8Array, size = 1000): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

function xwingKeyPair(secretKey: Uint8Array) {
  return { publicKey: sodium.crypto_kem_xwing_seed_keypair(secretKey).publicKey, secretKey };
}

async function pinnedKeyset(v: { keyset: unknown; organisationPublicKey: string; now: string }) {
  return verifyKeyset(
    v.keyset,
    { publicKey: b64(v.organisationPublicKey) },
    { now: new Date(v.now) },
  );
}

t.test('the vectors cover every scenario the protocol names', (t) => {
  const expects = new Set(vectors.map((v) => `${v.kind}: ${v.expect}`));
  for (const e of [
    'fingerprint: success',
    'keyset: success',
    'keyset: bad keyset signature',
    'keyset: keyset from another root',
    'keyset: expired keyset',
    'keyset: keyset not yet valid',
    'keyset: keyset version not newer',
    'keyset: wrong version',
    'receipt: success',
    'receipt: receipt typo',
    'receipt: receipt format',
    'envelope: success',
    'envelope: not a recipient',
    'envelope: tampered header',
    'envelope: tampered stanza',
    'envelope: tampered payload',
    'envelope: truncated envelope',
    'envelope: wrong version',
    'envelope: not by the author',
    'envelope: bad document signature',
    'envelope: malformed document',
    'stream: success',
    'stream: truncated stream',
    'stream: reordered stream',
    'stream: duplicated chunk',
    'stream: wrong attachment key',
    'stream: digest mismatch',
    'statement: success',
    'statement: bad statement signature',
    'statement: statement signer unknown',
    'statement: statement for another case',
    'statement: malformed statement',
    'statement: wrong version',
    'keyset: malformed keyset',
    'keyfile: malformed key file',
    'keyfile: success',
    'keyfile: wrong passphrase',
    'bundle: success',
    'bundle: damaged record',
    'bundle: truncated bundle',
    'bundle: tampered bundle',
    'bundle: bytes after the end',
    'bundle: wrong version',
    'courier-signature: success',
    'courier-signature: bad request signature',
  ]) {
    t.ok(expects.has(e), e);
  }
  t.ok(vectors.filter((v) => v.kind === 'receipt' && v.expect === 'receipt typo').length >= 2);
  for (const v of vectors) {
    t.equal(
      v.expect === 'success' || v.expect === 'not a recipient',
      v.error === undefined,
      v.name,
    );
  }
  t.end();
});

t.test('library', (t) => {
  for (const v of loadVectors('fingerprint')) {
    t.test(v.name, async (t) => {
      t.equal(await fingerprint(b64(v.publicKey)), v.fingerprint);
    });
  }

  for (const v of loadVectors('keyset')) {
    t.test(v.name, async (t) => {
      const pin = {
        ...(v.pin.publicKey ? { publicKey: b64(v.pin.publicKey) } : {}),
        ...(v.pin.fingerprint ? { fingerprint: v.pin.fingerprint } : {}),
      };
      const got = await outcome(() =>
        verifyKeyset(v.signed, pin, {
          now: new Date(v.now),
          ...(v.newerThan !== undefined ? { newerThan: v.newerThan } : {}),
        }),
      );
      t.equal(got.code, v.error);
      if (!v.error) t.same(got.value, v.keyset);
    });
  }

  for (const v of loadVectors('receipt')) {
    t.test(v.name, async (t) => {
      const parsed = await outcome(() => Promise.resolve().then(() => parseReceipt(v.input)));
      t.equal(parsed.code, v.error);
      const derived = await outcome(() => deriveReceiptKeys(v.input));
      t.equal(derived.code, v.error);
      if (v.error) return;
      t.equal(parsed.value, v.canonical);
      t.equal(toBase64Url(derived.value!.lookupToken), v.lookupToken);
      t.equal(sodium.to_hex(derived.value!.lookupToken), v.lookupTokenHex);
      t.equal(toBase64Url(derived.value!.replyKeyPair.publicKey), v.replyPublicKey);
      t.equal(toBase64Url(derived.value!.replyKeyPair.secretKey), v.replySeed);
      t.equal(toBase64Url(derived.value!.authorKeyPair.publicKey), v.authorPublicKey);
      t.equal(toBase64Url(derived.value!.authorKeyPair.secretKey.subarray(0, 32)), v.authorSeed);
    });
  }

  for (const v of loadVectors('envelope')) {
    t.test(v.name, async (t) => {
      const key = xwingKeyPair(b64(v.recipient.kemSecretKey));
      if (v.recipient.receipt) {
        const { replyKeyPair } = await deriveReceiptKeys(v.recipient.receipt);
        t.same(replyKeyPair.secretKey, key.secretKey, 'the reply key comes from the receipt');
      }
      const bytes = b64(v.envelope);
      const got = await outcome(async () => {
        if (v.open === 'reviewer') {
          const opened = await openDocument(bytes, {
            kemPublicKey: key.publicKey,
            kemSecretKey: key.secretKey,
          });
          if (opened && v.caseAuthor) await checkAuthor(opened, b64(v.caseAuthor));
          return (
            opened && {
              header: opened.header,
              document: opened.document,
              author: toBase64Url(opened.author),
            }
          );
        }
        const document = await openReply(bytes, key);
        return document && { header: parseEnvelopeHeader(bytes), document };
      });
      t.equal(got.code, v.error);
      if (v.expect === 'not a recipient') t.equal(got.value, null);
      if (v.expect === 'success') {
        t.same(got.value, {
          header: v.header,
          document: v.document,
          ...(v.author ? { author: v.author } : {}),
        });
      }
    });
  }

  for (const v of loadVectors('stream')) {
    t.test(v.name, async (t) => {
      const out: Uint8Array[] = [];
      const got = await outcome(async () => {
        const entry = { key: b64(v.key), size: v.size, digest: b64(v.digest) };
        for await (const p of decryptAttachment(pieces(b64(v.ciphertext)), entry)) out.push(p);
      });
      t.equal(got.code, v.error);
      if (!v.error) t.equal(toBase64Url(concat(out)), v.plaintext);
    });
  }

  for (const v of loadVectors('statement')) {
    t.test(v.name, async (t) => {
      const keyset = await pinnedKeyset(v);
      const got = await outcome(async () => {
        if (!v.receipt) return { verified: await verifyStatement(v.statement, keyset) };
        const { replyKeyPair } = await deriveReceiptKeys(v.receipt);
        return {
          verified: await verifyStatement(v.statement, keyset),
          submitterView: await readStatementAsSubmitter(
            v.statement,
            keyset,
            replyKeyPair,
            v.caseId!,
          ),
        };
      });
      t.equal(got.code, v.error);
      if (!v.error) {
        t.same(got.value?.verified, v.verified);
        t.same(
          got.value && 'submitterView' in got.value ? got.value.submitterView : undefined,
          v.submitterView,
        );
      }
    });
  }

  for (const v of loadVectors('keyfile')) {
    t.test(v.name, async (t) => {
      const got = await outcome(() => unlockKeyFile(v.file, v.passphrase));
      t.equal(got.code, v.error);
      if (!v.error) t.same(got.value, { kind: v.fileKind, secret: b64(v.secret!) });
    });
  }

  for (const v of loadVectors('bundle')) {
    t.test(v.name, async (t) => {
      const items: BundleVectorItem[] = [];
      const got = await outcome(async () => {
        for await (const item of readBundle(pieces(b64(v.bundle), 100))) {
          if (item.type === 'attachment') {
            const body: Uint8Array[] = [];
            for await (const p of item.body) body.push(p);
            items.push({ type: item.type, meta: item.meta, body: toBase64Url(concat(body)) });
          } else if (item.type === 'submission' || item.type === 'followup') {
            items.push({ type: item.type, meta: item.meta, envelope: toBase64Url(item.envelope) });
          } else if (item.type === 'damaged') {
            const { index, recordType, id, error } = item;
            items.push({
              type: 'damaged',
              index,
              recordType,
              ...(id ? { id } : {}),
              code: error.code,
            });
          } else items.push({ type: item.type, meta: item.meta });
        }
      });
      t.same(items, v.items, 'what the reader yields');
      t.equal(got.code, v.items.at(-1)?.type === 'end' ? undefined : v.error, 'how it ends');
    });
  }

  for (const v of loadVectors('courier-signature')) {
    t.test(v.name, async (t) => {
      t.equal(await serverAcceptsSignature(v), v.error === undefined);
    });
  }
  t.end();
});

/**
 * The server's checks (server/plugins/courier-auth.ts) without its database:
 * the header shape, Content-Digest over the body, then RFC 9421 verification
 * with the courier key. Dates are not checked: the vector's date is fixed.
 */
async function serverAcceptsSignature(v: CourierSignatureVector): Promise<boolean> {
  const { method, url, headers, body } = v.request;
  const shape = courierSignatureShape(headers.signature!, headers['signature-input']!, {
    components: body === undefined ? COURIER_COVERED : COURIER_COVERED_WITH_BODY,
    parameters: COURIER_SIGNATURE_PARAMS,
    tag: COURIER_SIGNATURE_TAG,
  });
  if (shape === null) return false;
  if (body !== undefined) {
    const digest = headers['content-digest'];
    if (digest === undefined || !contentDigestMatches(digest, new TextEncoder().encode(body)))
      return false;
  }
  const publicKey = b64(v.publicKey);
  const verified = await httpbis.verifyMessage(
    {
      keyLookup: (params) =>
        Promise.resolve(
          params.keyid === v.publicKey && params.tag === COURIER_SIGNATURE_TAG
            ? {
                id: v.publicKey,
                algs: ['ed25519'],
                verify: (data: Buffer, sig: Buffer) =>
                  Promise.resolve(
                    sig.length === 64 && sodium.crypto_sign_verify_detached(sig, data, publicKey),
                  ),
              }
            : null,
        ),
      requiredParams: COURIER_SIGNATURE_PARAMS,
      requiredFields: body === undefined ? COURIER_COVERED : COURIER_COVERED_WITH_BODY,
    },
    { method, url: new URL(url), headers },
  );
  return verified === true;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// ---------------------------------------------------------------------------
// A second reader, written from docs/protocol.md with raw libsodium calls only.
// It shares nothing with client-crypto but base64url decoding.
// ---------------------------------------------------------------------------

const te = new TextEncoder();
const label = (s: string) => te.encode(s);
const cat = (...p: Uint8Array[]) => concat(p);

/** crypto_kdf_derive_from_key spelled out: BLAKE2b with salt = LE64(id) || 0^8, personal = ctx || 0^8. */
function specKdf(key: Uint8Array, id: number, context: string): Uint8Array {
  const salt = new Uint8Array(16);
  new DataView(salt.buffer).setBigUint64(0, BigInt(id), true);
  const personal = new Uint8Array(16);
  personal.set(label(context));
  return sumo.crypto_generichash_blake2b_salt_personal(32, key, salt, personal);
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const SPEC_SEPARATORS = new Set([
  ...'\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff-_.',
  ...Array.from({ length: 11 }, (_, i) => String.fromCharCode(0x2000 + i)),
  ...Array.from({ length: 5 }, (_, i) => String.fromCharCode(0x2010 + i)),
]);

function specReceipt(input: string) {
  if (input.length > 200) return 'RECEIPT_FORMAT';
  const symbols = [...input]
    .filter((c) => !SPEC_SEPARATORS.has(c))
    .map((c) => (c >= 'a' && c <= 'z' ? String.fromCharCode(c.charCodeAt(0) - 32) : c))
    .join('')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (symbols.length !== 28 || [...symbols].some((c) => !CROCKFORD.includes(c)))
    return 'RECEIPT_FORMAT';
  let m = 0n;
  for (const c of symbols) m = m * 32n + BigInt(CROCKFORD.indexOf(c));
  if (m % 1021n !== 0n) return 'RECEIPT_CHECKSUM';
  const master = sumo.crypto_generichash(
    32,
    cat(label('sealbox/v1/receipt'), label(symbols.slice(0, 26))),
    null,
  );
  const replySeed = specKdf(master, 1, 'sbReplyK');
  const authorSeed = specKdf(master, 1, 'sbAuthor');
  return {
    canonical: symbols.match(/.{4}/g)!.join('-'),
    master,
    lookupToken: specKdf(master, 1, 'sbLookup'),
    replySeed,
    replyPublicKey: sumo.crypto_kem_xwing_seed_keypair(replySeed).publicKey,
    authorSeed,
    authorPublicKey: sumo.crypto_sign_seed_keypair(authorSeed).publicKey,
  };
}

function specVerifyKeyset(
  signed: Record<string, string>,
  root: Uint8Array,
): Keyset | 'ENCODING' | 'FORMAT' | null {
  if (signed.format !== 'sealbox-keyset-v1') return null;
  const payload = b64(signed.payload!);
  const signature = b64(signed.signature!);
  if (signature.length !== 64 || !sumo.memcmp(b64(signed.signer!), root)) return null;
  const message = cat(label('sealbox/v1/keyset\n'), payload);
  if (!sumo.crypto_sign_verify_detached(signature, message, root)) return null;
  return specJson(payload) as Keyset | 'ENCODING' | 'FORMAT';
}

/** Opens an envelope to its plaintext; null when not for this key, a word when it must be rejected. */
function specOpenEnvelope(env: Uint8Array, sk: Uint8Array): Uint8Array | string | null {
  const pk = sumo.crypto_kem_xwing_seed_keypair(sk).publicKey;
  if (env.length < 12 || new TextDecoder().decode(env.subarray(0, 4)) !== 'SBXE') return 'FORMAT';
  if (env[4] !== 2) return 'VERSION';
  const view = new DataView(env.buffer, env.byteOffset, env.byteLength);
  const n = view.getUint16(10);
  const payloadAt = 12 + n * 1200;
  const paddedLength = env.length - payloadAt - 24 - 16;
  if (n < 1 || n > 64 || paddedLength < 4096 || paddedLength > 1_114_112) return 'FORMAT';
  if (specPadme(paddedLength) !== paddedLength) return 'FORMAT';
  const header = env.subarray(0, 12);
  const myId = sumo.crypto_generichash(32, cat(label('sealbox/v1/recipient'), pk), null);
  let contentKey: Uint8Array | null = null;
  for (let i = 0; i < n && !contentKey; i++) {
    const stanza = env.subarray(12 + i * 1200, 12 + (i + 1) * 1200);
    const id = stanza.subarray(0, 32);
    const named = sumo.memcmp(id, myId);
    if (!named && !sumo.memcmp(id, new Uint8Array(32))) continue;
    const ct = stanza.subarray(32, 1152);
    const ss = sumo.crypto_kem_xwing_dec(ct, sk);
    const okm = sumo.crypto_generichash(56, cat(label('sealbox/v1/wrap'), ct, pk, header), ss);
    try {
      const wrapped = stanza.subarray(1152);
      const [k, nonce] = [okm.subarray(0, 32), okm.subarray(32)];
      contentKey = sumo.crypto_aead_xchacha20poly1305_ietf_decrypt(null, wrapped, header, nonce, k);
    } catch {
      if (named) return 'TAMPERED';
    }
  }
  if (!contentKey) return null;
  let padded: Uint8Array;
  try {
    const nonce = env.subarray(payloadAt, payloadAt + 24);
    const body = env.subarray(payloadAt + 24);
    padded = sumo.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      body,
      env.subarray(0, payloadAt),
      nonce,
      contentKey,
    );
  } catch {
    return 'TAMPERED';
  }
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (end < 0 || padded[end] !== 0x80) return 'TAMPERED';
  return padded.subarray(0, end);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 JSON, or the word for what it is not. */
function specJson(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return 'ENCODING';
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return 'FORMAT';
  }
}

/**
 * A submitter's document (Documents, "Author signature"): author key (32) ||
 * signature (64) || the document, signed with the label; with `caseAuthor`,
 * the author must be that key.
 */
function specOpenDocument(
  env: Uint8Array,
  sk: Uint8Array,
  caseAuthor?: Uint8Array,
): { document: unknown; author: Uint8Array } | string | null {
  const plaintext = specOpenEnvelope(env, sk);
  if (plaintext === null || typeof plaintext === 'string') return plaintext;
  if (plaintext.length < 96) return 'FORMAT';
  const author = plaintext.subarray(0, 32);
  const signature = plaintext.subarray(32, 96);
  const bytes = plaintext.subarray(96);
  const message = cat(label('sealbox/v2/document\n'), bytes);
  if (!sumo.crypto_sign_verify_detached(signature, message, author)) return 'SIGNATURE';
  const document = specJson(bytes);
  if (typeof document === 'string') return document;
  const d = document as Record<string, unknown>;
  if (d.v !== 2) return 'VERSION';
  // One field check is enough to see the reader reach it: base64url is strict.
  if (typeof d.replyPublicKey === 'string' && !/^[A-Za-z0-9_-]*$/.test(d.replyPublicKey))
    return 'ENCODING';
  const kinds = ['', 'submission', 'followup'];
  if (d.kind !== kinds[env[5]!]) return 'TAMPERED';
  if (caseAuthor && !sumo.memcmp(author, caseAuthor)) return 'NOT_BY_AUTHOR';
  return { document, author };
}

function specDecryptStream(v: StreamVector): Uint8Array | 'TRUNCATED' | 'TAMPERED' | 'DIGEST' {
  const ct = b64(v.ciphertext);
  const padded = Math.max(4096, specPadme(v.size));
  const chunks = Math.ceil(padded / 65536);
  if (ct.length < 24) return 'TRUNCATED';
  const state = sumo.crypto_secretstream_xchacha20poly1305_init_pull(
    ct.subarray(0, 24),
    b64(v.key),
  );
  const plain: Uint8Array[] = [];
  let at = 24;
  for (let i = 0; i < chunks; i++) {
    const want = (i < chunks - 1 ? 65536 : padded - (chunks - 1) * 65536) + 17;
    const piece = ct.subarray(at, at + want);
    if (piece.length < want) return 'TRUNCATED';
    const r = sumo.crypto_secretstream_xchacha20poly1305_pull(state, piece, null);
    if (!r) return 'TAMPERED';
    const final = r.tag === sumo.crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    if (final !== (i === chunks - 1)) return 'TAMPERED';
    plain.push(r.message);
    at += want;
  }
  if (at !== ct.length) return 'TAMPERED';
  const all = concat(plain);
  if (all.subarray(v.size).some((b) => b !== 0)) return 'TAMPERED';
  if (!sumo.memcmp(sumo.crypto_generichash(32, ct, null), b64(v.digest))) return 'DIGEST';
  return all.subarray(0, v.size);
}

function specPadme(length: number): number {
  if (length < 2) return length;
  const e = Math.floor(Math.log2(length));
  const s = Math.floor(Math.log2(e)) + 1;
  const step = 2 ** (e - s);
  return Math.ceil(length / step) * step;
}

t.test('a reader written from the spec alone agrees', (t) => {
  for (const v of loadVectors('receipt')) {
    const got = specReceipt(v.input);
    if (v.error) {
      t.equal(got, v.error, v.name);
      continue;
    }
    if (typeof got === 'string') {
      t.fail(`${v.name}: ${got}`);
      continue;
    }
    t.equal(got.canonical, v.canonical, `${v.name}: canonical`);
    t.equal(toBase64Url(got.master), v.master, `${v.name}: master`);
    t.equal(toBase64Url(got.lookupToken), v.lookupToken, `${v.name}: lookup token`);
    t.equal(toBase64Url(got.replySeed), v.replySeed, `${v.name}: reply seed`);
    t.equal(toBase64Url(got.replyPublicKey), v.replyPublicKey, `${v.name}: reply public key`);
    t.equal(toBase64Url(got.authorSeed), v.authorSeed, `${v.name}: author seed`);
    t.equal(toBase64Url(got.authorPublicKey), v.authorPublicKey, `${v.name}: author public key`);
  }

  for (const v of loadVectors('fingerprint')) {
    const digest = sumo.crypto_generichash(
      32,
      cat(label('sealbox/v1/fingerprint'), b64(v.publicKey)),
      null,
    );
    let bits = '';
    for (const b of digest.subarray(0, 20)) bits += b.toString(2).padStart(8, '0');
    const symbols = bits.match(/.{5}/g)!.map((g) => CROCKFORD[parseInt(g, 2)]!);
    t.equal(symbols.join('').match(/.{4}/g)!.join('-'), v.fingerprint, v.name);
  }

  for (const v of loadVectors('keyset').filter((v: KeysetVector) => v.pin.publicKey)) {
    const keyset = specVerifyKeyset(v.signed as Record<string, string>, b64(v.pin.publicKey!));
    const sigOk = ![
      'KEYSET_SIGNATURE_INVALID',
      'KEYSET_ROOT_MISMATCH',
      'VERSION_UNSUPPORTED',
    ].includes(v.error ?? '');
    t.equal(keyset !== null, sigOk, `${v.name}: signature`);
    if (!keyset) continue;
    if (typeof keyset === 'string') {
      t.equal(keyset === 'ENCODING' ? 'ENCODING_INVALID' : 'FORMAT_INVALID', v.error, v.name);
      continue;
    }
    const expired = keyset.expires < v.now;
    const tomorrow = new Date(Date.parse(v.now) + 86_400_000).toISOString().slice(0, 10);
    const early = keyset.issued > tomorrow;
    const stale = v.newerThan !== undefined && keyset.version <= v.newerThan;
    const code = expired
      ? 'KEYSET_EXPIRED'
      : early
        ? 'KEYSET_NOT_YET_VALID'
        : stale
          ? 'KEYSET_VERSION_NOT_NEWER'
          : undefined;
    t.equal(code, v.error, `${v.name}: dates and version`);
    if (!v.error) t.same(keyset, v.keyset, `${v.name}: keyset`);
  }

  const specCode: Record<string, string> = {
    TAMPERED: 'ENVELOPE_TAMPERED',
    FORMAT: 'FORMAT_INVALID',
    VERSION: 'VERSION_UNSUPPORTED',
    ENCODING: 'ENCODING_INVALID',
    SIGNATURE: 'DOCUMENT_SIGNATURE_INVALID',
    NOT_BY_AUTHOR: 'DOCUMENT_NOT_BY_AUTHOR',
  };
  for (const v of loadVectors('envelope')) {
    const env = b64(v.envelope);
    const sk = b64(v.recipient.kemSecretKey);
    let got: unknown;
    if (v.open === 'reviewer') {
      const opened = specOpenDocument(env, sk, v.caseAuthor ? b64(v.caseAuthor) : undefined);
      got =
        opened && typeof opened === 'object'
          ? { document: opened.document, author: toBase64Url(opened.author) }
          : opened;
    } else {
      const plaintext = specOpenEnvelope(env, sk);
      got = plaintext instanceof Uint8Array ? { document: specJson(plaintext) } : plaintext;
    }
    if (v.expect === 'success') {
      t.same(got, { document: v.document, ...(v.author ? { author: v.author } : {}) }, v.name);
    } else if (v.expect === 'not a recipient') t.equal(got, null, v.name);
    else t.equal(typeof got === 'string' ? specCode[got] : 'opened', v.error, v.name);
  }

  const streamCode: Record<string, string> = {
    TRUNCATED: 'STREAM_TRUNCATED',
    TAMPERED: 'STREAM_TAMPERED',
    DIGEST: 'DIGEST_MISMATCH',
  };
  for (const v of loadVectors('stream')) {
    const got = specDecryptStream(v);
    if (v.error) t.equal(typeof got === 'string' ? streamCode[got] : 'opened', v.error, v.name);
    else t.equal(typeof got === 'string' ? got : toBase64Url(got), v.plaintext, v.name);
  }

  for (const v of loadVectors('statement')) {
    const keyset = specVerifyKeyset(
      v.keyset as Record<string, string>,
      b64(v.organisationPublicKey),
    ) as Keyset;
    const s = v.statement as Record<string, string>;
    const reviewer = keyset.reviewers.find((r) => r.signPublicKey === s.signer);
    if (!reviewer) {
      t.equal(v.error, 'STATEMENT_SIGNER_UNKNOWN', v.name);
      continue;
    }
    if (s.format !== 'sealbox-statement-v2') {
      t.equal(v.error, 'VERSION_UNSUPPORTED', v.name);
      continue;
    }
    if (!/^[A-Za-z0-9_-]*$/.test(s.signature!)) {
      t.equal(v.error, 'ENCODING_INVALID', v.name);
      continue;
    }
    const message = cat(label('sealbox/v2/statement\n'), b64(s.payload!));
    const ok = sumo.crypto_sign_verify_detached(
      b64(s.signature!),
      message,
      b64(reviewer.signPublicKey),
    );
    t.equal(ok, v.error !== 'STATEMENT_SIGNATURE_INVALID', `${v.name}: signature`);
    if (!ok) continue;
    const st = specJson(b64(s.payload!)) as Record<string, string> | string;
    if (typeof st === 'string' || typeof st.sealed !== 'string') {
      t.equal(
        typeof st === 'string' ? specCode[st] : 'FORMAT_INVALID',
        v.error,
        `${v.name}: payload`,
      );
      continue;
    }
    if (!v.receipt) continue;
    const keys = specReceipt(v.receipt);
    if (typeof keys === 'string') throw new Error(keys);
    const opened = specOpenEnvelope(b64(st.sealed), keys.replySeed);
    const reply =
      opened instanceof Uint8Array ? (specJson(opened) as Record<string, string>) : null;
    const mine =
      st.caseId === v.caseId &&
      reply !== null &&
      reply.caseId === v.caseId &&
      reply.statementId === st.id &&
      reply.statement === st.kind &&
      reply.status === st.status;
    t.equal(mine, v.error === undefined, `${v.name}: for this case`);
    if (mine) t.equal(reply.text, (v.submitterView as { text?: string }).text, `${v.name}: text`);
  }
  t.end();
});

// ---------------------------------------------------------------------------
// Bundles and courier signatures read from docs/protocol-courier.md alone:
// record framing, checksums, meta rules and the end record by hand, and the
// RFC 9421 signature base written out.
// ---------------------------------------------------------------------------

const RECORD_NAMES = ['', 'start', 'submission', 'attachment', 'followup', 'end'];
const META_FIELDS: Record<string, Record<string, string>> = {
  start: { format: 'text', keysetVersion: 'int', after: 'int', created: 'date' },
  submission: { id: 'id', seq: 'int', received: 'date', keysetVersion: 'int', uploads: 'uploads' },
  attachment: {
    submissionId: 'id',
    followupId: 'id?',
    uploadId: 'id',
    size: 'int',
    digest: 'digest',
  },
  followup: { id: 'id', submissionId: 'id', seq: 'int', received: 'date', uploads: 'uploads' },
  end: { cursor: 'int', count: 'int', digest: 'digest' },
};
const FIELD_RULES: Record<string, (x: unknown) => boolean> = {
  text: (x) => typeof x === 'string',
  int: (x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0,
  date: (x) => typeof x === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(x),
  id: (x) => typeof x === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(x),
  'id?': (x) => x === undefined || FIELD_RULES.id!(x),
  digest: (x) => typeof x === 'string' && /^[A-Za-z0-9_-]{43}$/.test(x),
  uploads: (x) =>
    Array.isArray(x) &&
    x.every(
      (u: Record<string, unknown>) =>
        typeof u === 'object' &&
        u !== null &&
        Object.keys(u).every((k) => ['id', 'size', 'digest'].includes(k)) &&
        FIELD_RULES.id!(u.id) &&
        FIELD_RULES.int!(u.size) &&
        FIELD_RULES.digest!(u.digest),
    ),
};

type SpecMeta = Record<string, unknown> & { uploads?: { id: string; size: number }[] };

/** The meta of a record, or the code of what is wrong with it. */
function specBundleMeta(name: string | undefined, bytes: Uint8Array): SpecMeta | string {
  if (name === undefined) return 'FORMAT_INVALID';
  const m = specJson(bytes);
  if (m === 'ENCODING') return 'ENCODING_INVALID';
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'FORMAT_INVALID';
  const fields = META_FIELDS[name]!;
  const meta = m as SpecMeta;
  if (Object.keys(meta).some((k) => !(k in fields))) return 'FORMAT_INVALID';
  if (Object.entries(fields).some(([k, rule]) => !FIELD_RULES[rule]!(meta[k])))
    return 'FORMAT_INVALID';
  if (name === 'start' && meta.format !== 'sealbox-bundle-v1') return 'VERSION_UNSUPPORTED';
  return meta;
}

function specReadBundle(bytes: Uint8Array): { items: BundleVectorItem[]; code?: string } {
  const items: BundleVectorItem[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  let at = 0;
  let cursor = 0;
  let count = 0;
  let expected: { id: string; size: number }[] | null = [];
  let expectedFor = '';
  let expectedAt = { index: 0, recordType: 0 };
  const damaged = (index: number, recordType: number, code: string, id?: string) =>
    items.push({ type: 'damaged', index, recordType, ...(id ? { id } : {}), code });
  for (let index = 0; ; index += 1) {
    if (at === bytes.length) return { items, code: 'STREAM_TRUNCATED' };
    if (at + 5 > bytes.length) return { items, code: 'STREAM_TRUNCATED' };
    const type = bytes[at]!;
    const metaLength = view.getUint32(at + 1);
    if (metaLength > 1 << 20) return { items, code: 'FORMAT_INVALID' };
    if (at + 13 + metaLength > bytes.length) return { items, code: 'STREAM_TRUNCATED' };
    const metaBytes = bytes.subarray(at + 5, at + 5 + metaLength);
    const high = view.getUint32(at + 5 + metaLength);
    if (high >= 2 ** 21) return { items, code: 'FORMAT_INVALID' };
    const bodyLength = high * 2 ** 32 + view.getUint32(at + 9 + metaLength);
    const bodyEnd = at + 13 + metaLength + bodyLength;
    if (bodyEnd + 32 > bytes.length) return { items, code: 'STREAM_TRUNCATED' };
    const body = bytes.subarray(at + 13 + metaLength, bodyEnd);
    const checksumOk = sumo.memcmp(
      sumo.crypto_generichash(32, bytes.subarray(at, bodyEnd), null),
      bytes.subarray(bodyEnd, bodyEnd + 32),
    );
    const before = bytes.subarray(0, at);
    at = bodyEnd + 32;
    const name = RECORD_NAMES[type];
    const meta = specBundleMeta(name, metaBytes);
    if (index === 0 || name === 'start') {
      if (typeof meta === 'string') return { items, code: meta };
      if (index !== 0 || name !== 'start') return { items, code: 'FORMAT_INVALID' };
      if (!checksumOk) return { items, code: 'STREAM_TAMPERED' };
      if (bodyLength !== 0) return { items, code: 'FORMAT_INVALID' };
      cursor = meta.after as number;
      items.push({ type: 'start', meta });
      continue;
    }
    if (name === 'end') {
      if (typeof meta === 'string') return { items, code: meta };
      if (!checksumOk) return { items, code: 'STREAM_TAMPERED' };
      const exact = JSON.stringify({ cursor: meta.cursor, count: meta.count, digest: meta.digest });
      if (bodyLength !== 0 || strictUtf8.decode(metaBytes) !== exact)
        return { items, code: 'FORMAT_INVALID' };
      const digest = toBase64Url(sumo.crypto_generichash(32, before, null));
      if (
        meta.digest !== digest ||
        meta.count !== count ||
        meta.cursor !== cursor ||
        (expected?.length ?? 0) > 0
      )
        return { items, code: 'STREAM_TAMPERED' };
      if (at !== bytes.length) return { items, code: 'FORMAT_INVALID' };
      items.push({ type: 'end', meta });
      return { items };
    }
    count += 1;
    if (typeof meta === 'string') {
      if (name === 'submission' || name === 'followup') expected = null;
      damaged(index, type, meta);
      continue;
    }
    if (name === 'attachment') {
      const next = expected?.[0];
      const owner = (meta.followupId ?? meta.submissionId) as string;
      const inPlace =
        expected === null ||
        (next?.id === meta.uploadId && expectedFor === owner && next?.size === meta.size);
      expected?.shift();
      if (!inPlace || bodyLength !== meta.size)
        damaged(index, type, 'FORMAT_INVALID', meta.uploadId as string);
      else if (!checksumOk) damaged(index, type, 'STREAM_TAMPERED', meta.uploadId as string);
      else items.push({ type: 'attachment', meta, body: toBase64Url(body) });
      continue;
    }
    // a submission or follow-up
    if (expected !== null && expected.length > 0)
      damaged(expectedAt.index, expectedAt.recordType, 'FORMAT_INVALID', expectedFor);
    expected = null;
    const id = meta.id as string;
    if (!((meta.seq as number) > cursor)) {
      damaged(index, type, 'FORMAT_INVALID', id);
      continue;
    }
    cursor = meta.seq as number;
    if (!checksumOk) {
      damaged(index, type, 'STREAM_TAMPERED', id);
      continue;
    }
    expected = [...meta.uploads!];
    expectedFor = id;
    expectedAt = { index, recordType: type };
    items.push({ type: name as 'submission' | 'followup', meta, envelope: toBase64Url(body) });
  }
}

/** RFC 9421 §2.5 for the courier's components, then Ed25519 over it. */
function specCourierSignature(v: CourierSignatureVector): { base: string; ok: boolean } {
  const { method, url, headers, body } = v.request;
  const input = /^sig=(\(.*\));(.*)$/.exec(headers['signature-input']!)!;
  const components = input[1]!.slice(1, -1).split(' ');
  const target = new URL(url);
  const values: Record<string, string> = {
    '"@method"': method.toUpperCase(),
    '"@path"': target.pathname,
    '"@query"': target.search === '' ? '?' : target.search,
    '"content-digest"': headers['content-digest'] ?? '',
  };
  const base = [
    ...components.map((c) => `${c}: ${values[c]}`),
    `"@signature-params": ${input[1]};${input[2]}`,
  ].join('\n');
  const signature = Buffer.from(headers.signature!.slice('sig=:'.length, -1), 'base64');
  const digestOk =
    body === undefined ||
    headers['content-digest'] ===
      `sha-256=:${Buffer.from(sumo.crypto_hash_sha256(te.encode(body))).toString('base64')}:`;
  const ok =
    digestOk && sumo.crypto_sign_verify_detached(signature, te.encode(base), b64(v.publicKey));
  return { base, ok };
}

t.test('a bundle and courier reader written from protocol-courier.md agrees', (t) => {
  for (const v of loadVectors('bundle')) {
    const got = specReadBundle(b64(v.bundle));
    t.same(got.items, v.items, `${v.name}: items`);
    t.equal(got.code, v.items.at(-1)?.type === 'end' ? undefined : v.error, `${v.name}: ending`);
  }
  for (const v of loadVectors('courier-signature')) {
    const got = specCourierSignature(v);
    t.equal(got.ok, v.error === undefined, `${v.name}: verifies`);
    if (v.signatureBase !== undefined) t.equal(got.base, v.signatureBase, `${v.name}: base`);
    if (v.signature !== undefined)
      t.equal(
        toBase64Url(
          new Uint8Array(Buffer.from(v.request.headers.signature!.slice(5, -1), 'base64')),
        ),
        v.signature,
        `${v.name}: signature`,
      );
  }
  t.end();
});
