// A second reader of the protocol, written from docs/protocol.md alone with raw
// libsodium calls (and node:crypto's SHA-256 for the attachment digest): it
// shares nothing with client-crypto but base64url decoding,
// so that vectors.test.ts can show the spec is enough to interoperate.
import { createHash } from 'node:crypto';
import sumo from 'libsodium-wrappers-sumo';
import { fromBase64Url as b64 } from '../../client-crypto/index.ts';
import type { Keyset } from '../../client-crypto/index.ts';
import type { StreamVector } from '../vectors/load.ts';

export function concat(parts: Uint8Array[]): Uint8Array {
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

export const te = new TextEncoder();
export const label = (s: string) => te.encode(s);
export const cat = (...p: Uint8Array[]) => concat(p);

/** crypto_kdf_derive_from_key spelled out: BLAKE2b with salt = LE64(id) || 0^8, personal = ctx || 0^8. */
export function specKdf(key: Uint8Array, id: number, context: string): Uint8Array {
  const salt = new Uint8Array(16);
  new DataView(salt.buffer).setBigUint64(0, BigInt(id), true);
  const personal = new Uint8Array(16);
  personal.set(label(context));
  return sumo.crypto_generichash_blake2b_salt_personal(32, key, salt, personal);
}

export const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const SPEC_SEPARATORS = new Set([
  ...'\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff-_.',
  ...Array.from({ length: 11 }, (_, i) => String.fromCharCode(0x2000 + i)),
  ...Array.from({ length: 5 }, (_, i) => String.fromCharCode(0x2010 + i)),
]);

export function specReceipt(input: string) {
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

export function specVerifyKeyset(
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

/** The fingerprint of Keys, fingerprints and cards: 32 Crockford symbols in groups of 4. */
export function specFingerprint(publicKey: Uint8Array): string {
  const digest = sumo.crypto_generichash(32, cat(label('sealbox/v1/fingerprint'), publicKey), null);
  let bits = '';
  for (const b of digest.subarray(0, 20)) bits += b.toString(2).padStart(8, '0');
  const symbols = bits.match(/.{5}/g)!.map((g) => CROCKFORD[parseInt(g, 2)]!);
  return symbols.join('').match(/.{4}/g)!.join('-');
}

/** The rules of Desks, "In the keyset": 'FORMAT' when the desks break one. */
export function specCheckDesks(keyset: Record<string, unknown>): 'FORMAT' | null {
  const desks = keyset.desks;
  if (desks === undefined) return null;
  if (!Array.isArray(desks) || desks.length < 1 || desks.length > 16) return 'FORMAT';
  const cards = keyset.reviewers as { kemPublicKey: string; signPublicKey: string }[];
  const members = cards.map((c) => specFingerprint(cat(b64(c.kemPublicKey), b64(c.signPublicKey))));
  const ids = new Set<string>();
  let choosable = false;
  for (const d of desks as Record<string, unknown>[]) {
    if (typeof d !== 'object' || d === null) return 'FORMAT';
    if (typeof d.id !== 'string' || !/^[a-z0-9][a-z0-9-]{0,39}$/.test(d.id) || ids.has(d.id))
      return 'FORMAT';
    ids.add(d.id);
    const names = Object.entries((d.names ?? []) as Record<string, unknown>);
    if (
      typeof d.names !== 'object' ||
      Array.isArray(d.names) ||
      names.length < 1 ||
      names.length > 16
    )
      return 'FORMAT';
    for (const [tag, name] of names) {
      if (tag.length > 35 || !/^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(tag)) return 'FORMAT';
      if (typeof name !== 'string' || name.trim() === '' || name.length > 100) return 'FORMAT';
      if (/[\u0000-\u001f\u007f]/.test(name)) return 'FORMAT';
    }
    const list = d.reviewers;
    if (!Array.isArray(list) || list.length < 1 || list.length > 64) return 'FORMAT';
    if (new Set(list).size !== list.length || list.some((f) => !members.includes(f as string)))
      return 'FORMAT';
    if (d.always !== undefined && typeof d.always !== 'boolean') return 'FORMAT';
    if (d.always !== true) choosable = true;
  }
  return choosable ? null : 'FORMAT';
}

/**
 * Opens an envelope with the X-Wing seeds the reader holds, tried in order
 * (Envelope, "Opening", step 3): its plaintext and the public key that opened
 * it; null when not for these keys, a word when it must be rejected.
 */
export function specOpenEnvelope(
  env: Uint8Array,
  seeds: Uint8Array[],
): { plaintext: Uint8Array; openedWith: Uint8Array } | string | null {
  const held = seeds.map((seed) => {
    const pk = sumo.crypto_kem_xwing_seed_keypair(seed).publicKey;
    const id = sumo.crypto_generichash(32, cat(label('sealbox/v1/recipient'), pk), null);
    return { seed, pk, id };
  });
  if (env.length < 12 || new TextDecoder().decode(env.subarray(0, 4)) !== 'SBXE') return 'FORMAT';
  const version = env[4];
  if (version !== 2 && version !== 3) return 'VERSION';
  // Version 3 (Desks) is for submissions and follow-ups only.
  if (env[5]! < 1 || env[5]! > (version === 3 ? 2 : 3)) return 'FORMAT';
  const view = new DataView(env.buffer, env.byteOffset, env.byteLength);
  const n = view.getUint16(10);
  const payloadAt = 12 + n * 1200;
  const paddedLength = env.length - payloadAt - 24 - 16;
  if (n < 1 || n > 64 || paddedLength < 4096 || paddedLength > 1_114_112) return 'FORMAT';
  if (specPadme(paddedLength) !== paddedLength) return 'FORMAT';
  const header = env.subarray(0, 12);
  /** The content key if this stanza opens with this key, else null. */
  const unwrap = (stanza: Uint8Array, key: (typeof held)[0]): Uint8Array | null => {
    const ct = stanza.subarray(32, 1152);
    const ss = sumo.crypto_kem_xwing_dec(ct, key.seed);
    const okm = sumo.crypto_generichash(56, cat(label('sealbox/v1/wrap'), ct, key.pk, header), ss);
    try {
      const [k, nonce] = [okm.subarray(0, 32), okm.subarray(32)];
      return sumo.crypto_aead_xchacha20poly1305_ietf_decrypt(
        null,
        stanza.subarray(1152),
        header,
        nonce,
        k,
      );
    } catch {
      return null;
    }
  };
  let contentKey: Uint8Array | null = null;
  let openedWith: Uint8Array | null = null;
  for (let i = 0; i < n && !contentKey; i++) {
    const stanza = env.subarray(12 + i * 1200, 12 + (i + 1) * 1200);
    const id = stanza.subarray(0, 32);
    const named = held.find((k) => sumo.memcmp(id, k.id));
    const anonymous = sumo.memcmp(id, new Uint8Array(32));
    for (const key of named ? [named] : anonymous ? held : []) {
      contentKey = unwrap(stanza, key);
      if (contentKey) {
        openedWith = key.pk;
        break;
      }
      // In version 3 a named stanza that does not open is a decoy: skip it.
      if (named && version === 2) return 'TAMPERED';
    }
  }
  if (!contentKey || !openedWith) return null;
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
  return { plaintext: padded.subarray(0, end), openedWith };
}

export const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 JSON, or the word for what it is not. */
export function specJson(bytes: Uint8Array): unknown {
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
export function specOpenDocument(
  env: Uint8Array,
  seeds: Uint8Array[],
  caseAuthor?: Uint8Array,
): { document: unknown; author: Uint8Array; openedWith: Uint8Array } | string | null {
  const opened = specOpenEnvelope(env, seeds);
  if (opened === null || typeof opened === 'string') return opened;
  const { plaintext, openedWith } = opened;
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
  return { document, author, openedWith };
}

export function specDecryptStream(
  v: StreamVector,
): Uint8Array | 'TRUNCATED' | 'TAMPERED' | 'DIGEST' {
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
  const digest = b64(v.digest);
  const actual =
    v.digestAlgorithm === 'sha256-segments'
      ? specSegmentsDigest(ct)
      : sumo.crypto_generichash(32, ct, null);
  if (digest.length !== 32 || !sumo.memcmp(actual, digest)) return 'DIGEST';
  return all.subarray(0, v.size);
}

/** "Attachment digest", sha256-segments: SHA-256 of each 1 MiB, then of the labelled list. */
export function specSegmentsDigest(ciphertext: Uint8Array): Uint8Array {
  const S = 1_048_576;
  const n = Math.ceil(ciphertext.length / S);
  const list = createHash('sha256').update('sealbox/v2/attachment-digest\n');
  const count = Buffer.alloc(4);
  count.writeUInt32BE(n);
  list.update(count);
  for (let i = 0; i < n; i++) {
    list.update(
      createHash('sha256')
        .update(ciphertext.subarray(i * S, (i + 1) * S))
        .digest(),
    );
  }
  return new Uint8Array(list.digest());
}

export function specPadme(length: number): number {
  if (length < 2) return length;
  const e = Math.floor(Math.log2(length));
  const s = Math.floor(Math.log2(e)) + 1;
  const step = 2 ** (e - s);
  return Math.ceil(length / step) * step;
}
