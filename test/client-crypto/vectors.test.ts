// Runs every protocol test vector (test/vectors/*.json) twice:
//   1. through the library, asserting the exact outcome (values or error code);
//   2. through a second reader written from docs/protocol.md alone, with raw
//      libsodium calls only, to show the spec is enough to interoperate.
// Bundles and courier request signatures follow docs/protocol-courier.md; the
// signatures also go through the server's own checks.
// (Long because it is one run per vector kind; the two independent readers it
// compares with live in spec-reader.ts and spec-reader-courier.ts.)
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
  loadVectors,
} from '../vectors/load.ts';
import { specCourierSignature, specReadBundle } from './spec-reader-courier.ts';
import {
  CROCKFORD,
  cat,
  concat,
  label,
  specDecryptStream,
  specJson,
  specOpenDocument,
  specOpenEnvelope,
  specReceipt,
  specCheckDesks,
  specVerifyKeyset,
} from './spec-reader.ts';

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
      const keys = v.recipient.kemSecretKeys.map((k) => xwingKeyPair(b64(k)));
      if (v.recipient.receipt) {
        const { replyKeyPair } = await deriveReceiptKeys(v.recipient.receipt);
        t.same(
          [replyKeyPair.secretKey],
          keys.map((k) => k.secretKey),
          'the reply key comes from the receipt',
        );
      }
      const bytes = b64(v.envelope);
      const got = await outcome(async () => {
        if (v.open === 'reviewer') {
          const opened = await openDocument(bytes, keys);
          if (opened && v.caseAuthor) await checkAuthor(opened, b64(v.caseAuthor));
          return (
            opened && {
              header: opened.header,
              document: opened.document,
              author: toBase64Url(opened.author),
              openedWith: toBase64Url(opened.openedWith),
            }
          );
        }
        const document = await openReply(bytes, keys[0]!);
        return document && { header: parseEnvelopeHeader(bytes), document };
      });
      t.equal(got.code, v.error);
      if (v.expect === 'not a recipient') t.equal(got.value, null);
      if (v.expect === 'success') {
        t.same(got.value, {
          header: v.header,
          document: v.document,
          ...(v.author ? { author: v.author } : {}),
          ...(v.openedWith ? { openedWith: v.openedWith } : {}),
        });
      }
    });
  }

  for (const v of loadVectors('stream')) {
    t.test(v.name, async (t) => {
      const out: Uint8Array[] = [];
      const got = await outcome(async () => {
        const entry = {
          key: b64(v.key),
          size: v.size,
          digest: b64(v.digest),
          ...(v.digestAlgorithm ? { digestAlgorithm: v.digestAlgorithm } : {}),
        };
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
    if (specCheckDesks(keyset as unknown as Record<string, unknown>)) {
      t.equal('FORMAT_INVALID', v.error, `${v.name}: desks`);
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
    const seeds = v.recipient.kemSecretKeys.map((k) => b64(k));
    let got: unknown;
    if (v.open === 'reviewer') {
      const opened = specOpenDocument(env, seeds, v.caseAuthor ? b64(v.caseAuthor) : undefined);
      got =
        opened && typeof opened === 'object'
          ? {
              document: opened.document,
              author: toBase64Url(opened.author),
              openedWith: toBase64Url(opened.openedWith),
            }
          : opened;
    } else {
      const opened = specOpenEnvelope(env, seeds);
      got =
        opened !== null && typeof opened === 'object'
          ? { document: specJson(opened.plaintext) }
          : opened;
    }
    if (v.expect === 'success') {
      const want = {
        document: v.document,
        ...(v.author ? { author: v.author } : {}),
        ...(v.openedWith ? { openedWith: v.openedWith } : {}),
      };
      t.same(got, want, v.name);
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
    const opened = specOpenEnvelope(b64(st.sealed), [keys.replySeed]);
    const reply =
      opened !== null && typeof opened === 'object'
        ? (specJson(opened.plaintext) as Record<string, string>)
        : null;
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
