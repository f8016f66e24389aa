// The envelope: a document sealed to every reviewer of a keyset (or, for a
// reply, to the submitter's reply key), in the shape of HPKE's KEM-DEM:
//
//   header  = "SBXE" || version (2) || kind || keyset_version (u32) || n (u16)
//   stanza  = recipient_id (32) || kem_ciphertext (1120) || wrapped_key (48)
//   payload = nonce (24) || XChaCha20-Poly1305(content_key, nonce,
//                              ad = header || stanzas, pad(document))
//
// Each stanza: (ss, kem_ciphertext) = X-Wing.Encaps(pk);
//   okm = BLAKE2b-448(key = ss, "sealbox/v1/wrap" || kem_ciphertext || pk || header)
//   wrapped_key = XChaCha20-Poly1305(okm[0..32], okm[32..56], ad = header, content_key)
// so the wrapping key is bound to the KEM ciphertext, the recipient and the
// header (no downgrade, no keyset swap), and the payload's associated data
// covers every stanza (no recipient can be removed or altered unnoticed).
//
// Version 3 (desks) has the same layout; a stanza may be a decoy (a real
// encapsulation to the reviewer's key, 48 random bytes for the wrap), so a
// named stanza that does not open is "not for me" rather than tampered.
import { concatBytes, u32be, utf8Encode } from './encoding.ts';
import { SealboxError } from './errors.ts';
import { XWING_CIPHERTEXT_BYTES, XWING_PUBLIC_KEY_BYTES } from './keys.ts';
import { DOCUMENT_PADDED_MIN, documentPaddedLength, padme } from './padding.ts';
import { getSodium } from './sodium.ts';

export const ENVELOPE_MAGIC = utf8Encode('SBXE');
export const ENVELOPE_VERSION = 2;
/** A submission or follow-up sealed to a desk: some stanzas are decoys. */
export const DESK_ENVELOPE_VERSION = 3;
export type EnvelopeVersion = typeof ENVELOPE_VERSION | typeof DESK_ENVELOPE_VERSION;
export const HEADER_BYTES = 12;
export const RECIPIENT_ID_BYTES = 32;
export const WRAPPED_KEY_BYTES = 48;
export const STANZA_BYTES = RECIPIENT_ID_BYTES + XWING_CIPHERTEXT_BYTES + WRAPPED_KEY_BYTES;
export const NONCE_BYTES = 24;
export const TAG_BYTES = 16;
export const MAX_RECIPIENTS = 64;
/** Largest padded document: Padmé keeps 1 MiB + 1 below this. */
export const MAX_PADDED_DOCUMENT = 1_114_112;

const WRAP_LABEL = utf8Encode('sealbox/v1/wrap');
const RECIPIENT_LABEL = utf8Encode('sealbox/v1/recipient');
const KINDS = { submission: 1, followup: 2, reply: 3 } as const;
export type EnvelopeKind = keyof typeof KINDS;

export interface EnvelopeHeader {
  version: EnvelopeVersion;
  kind: EnvelopeKind;
  keysetVersion: number;
  recipients: number;
}

export interface EnvelopeRecipient {
  publicKey: Uint8Array;
  /** Anonymous recipients get an all-zero id: used for reply keys, whose id
   * would otherwise let anyone holding a receipt find its case in a dump. */
  anonymous?: boolean;
  /** A decoy stanza (version 3 only): named and encapsulated to this key,
   * but wrapping nothing, so the reviewer cannot open the envelope and the
   * server cannot tell it from a real stanza. */
  decoy?: boolean;
}

export async function recipientId(publicKey: Uint8Array): Promise<Uint8Array> {
  const sodium = await getSodium();
  return sodium.crypto_generichash(
    RECIPIENT_ID_BYTES,
    concatBytes(RECIPIENT_LABEL, publicKey),
    null,
  );
}

function encodeHeader(h: EnvelopeHeader): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES);
  out.set(ENVELOPE_MAGIC, 0);
  out[4] = h.version;
  out[5] = KINDS[h.kind];
  out.set(u32be(h.keysetVersion), 6);
  new DataView(out.buffer).setUint16(10, h.recipients);
  return out;
}

/** Reads and checks the header and the envelope's length; needs no key. */
export function parseEnvelopeHeader(envelope: Uint8Array): EnvelopeHeader {
  if (!(envelope instanceof Uint8Array) || envelope.length < HEADER_BYTES) {
    throw new SealboxError('FORMAT_INVALID', 'envelope is too short');
  }
  for (let i = 0; i < 4; i++) {
    if (envelope[i] !== ENVELOPE_MAGIC[i])
      throw new SealboxError('FORMAT_INVALID', 'not a sealbox envelope');
  }
  const version = envelope[4];
  if (version !== ENVELOPE_VERSION && version !== DESK_ENVELOPE_VERSION) {
    throw new SealboxError(
      'VERSION_UNSUPPORTED',
      `envelope version ${envelope[4]} is not supported`,
    );
  }
  const kind = (Object.keys(KINDS) as EnvelopeKind[]).find((k) => KINDS[k] === envelope[5]);
  if (!kind) throw new SealboxError('FORMAT_INVALID', 'unknown envelope kind');
  if (version === DESK_ENVELOPE_VERSION && kind === 'reply')
    throw new SealboxError('FORMAT_INVALID', 'a reply is never sealed to a desk');
  const view = new DataView(envelope.buffer, envelope.byteOffset, envelope.byteLength);
  const keysetVersion = view.getUint32(6);
  const recipients = view.getUint16(10);
  if (recipients < 1 || recipients > MAX_RECIPIENTS) {
    throw new SealboxError('FORMAT_INVALID', 'envelope recipient count out of range');
  }
  const payload =
    envelope.length - HEADER_BYTES - recipients * STANZA_BYTES - NONCE_BYTES - TAG_BYTES;
  // A padded document is always a Padmé length at or above the floor, so a
  // truncated or extended envelope is refused before any decryption.
  if (
    payload < DOCUMENT_PADDED_MIN ||
    payload > MAX_PADDED_DOCUMENT ||
    padme(payload) !== payload
  ) {
    throw new SealboxError('FORMAT_INVALID', 'envelope length does not match its header');
  }
  return { version, kind, keysetVersion, recipients };
}

async function wrapKeys(
  ss: Uint8Array,
  kemCiphertext: Uint8Array,
  publicKey: Uint8Array,
  header: Uint8Array,
) {
  const sodium = await getSodium();
  const okm = sodium.crypto_generichash(
    56,
    concatBytes(WRAP_LABEL, kemCiphertext, publicKey, header),
    ss,
  );
  return { key: okm.subarray(0, 32), nonce: okm.subarray(32, 56) };
}

/** Seals `plaintext` (padded here) to every recipient (version 3: decoys for some). */
export async function sealEnvelope(
  kind: EnvelopeKind,
  keysetVersion: number,
  recipients: EnvelopeRecipient[],
  plaintext: Uint8Array,
  version: EnvelopeVersion = ENVELOPE_VERSION,
): Promise<Uint8Array> {
  const sodium = await getSodium();
  if (recipients.length < 1 || recipients.length > MAX_RECIPIENTS) {
    throw new RangeError(`an envelope has 1 to ${MAX_RECIPIENTS} recipients`);
  }
  if (version === DESK_ENVELOPE_VERSION && kind === 'reply')
    throw new RangeError('a reply is never sealed to a desk');
  if (version !== DESK_ENVELOPE_VERSION && recipients.some((r) => r.decoy))
    throw new RangeError('only a desk envelope has decoy stanzas');
  if (recipients.every((r) => r.decoy)) throw new RangeError('an envelope needs a real recipient');
  const padded = sodium.pad(plaintext, documentPaddedLength(plaintext.length));
  if (padded.length > MAX_PADDED_DOCUMENT) throw new RangeError('document is too large to seal');
  const header = encodeHeader({
    version,
    kind,
    keysetVersion,
    recipients: recipients.length,
  });
  const contentKey = sodium.crypto_aead_xchacha20poly1305_ietf_keygen();
  const stanzas: Uint8Array[] = [];
  for (const r of recipients) {
    if (r.publicKey.length !== XWING_PUBLIC_KEY_BYTES)
      throw new SealboxError('KEY_INVALID', 'recipient key has the wrong length');
    const { ciphertext, sharedSecret } = sodium.crypto_kem_xwing_enc(r.publicKey);
    const wrap = await wrapKeys(sharedSecret, ciphertext, r.publicKey, header);
    const wrapped = r.decoy
      ? sodium.randombytes_buf(WRAPPED_KEY_BYTES)
      : sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
          contentKey,
          header,
          null,
          wrap.nonce,
          wrap.key,
        );
    const id = r.anonymous ? new Uint8Array(RECIPIENT_ID_BYTES) : await recipientId(r.publicKey);
    stanzas.push(concatBytes(id, ciphertext, wrapped));
    sodium.memzero(sharedSecret);
  }
  const prefix = concatBytes(header, ...stanzas);
  const nonce = sodium.randombytes_buf(NONCE_BYTES);
  const body = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    padded,
    prefix,
    null,
    nonce,
    contentKey,
  );
  sodium.memzero(contentKey);
  return concatBytes(prefix, nonce, body);
}

export interface KemKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/** The recipient id of every stanza, in order; needs no key (a server checks them). */
export function envelopeRecipientIds(envelope: Uint8Array): Uint8Array[] {
  const parsed = parseEnvelopeHeader(envelope);
  const ids: Uint8Array[] = [];
  for (let i = 0; i < parsed.recipients; i++) {
    const at = HEADER_BYTES + i * STANZA_BYTES;
    ids.push(envelope.slice(at, at + RECIPIENT_ID_BYTES));
  }
  return ids;
}

/**
 * Opens an envelope with one X-Wing key pair, or with the first of several
 * (a reviewer's epoch keys) that a stanza names. Returns null when no stanza
 * is for these keys ("not for me"); throws ENVELOPE_TAMPERED when one is but
 * the envelope does not authenticate. `key` is the key pair that opened it.
 */
export async function openEnvelope(
  envelope: Uint8Array,
  keys: KemKeyPair | readonly KemKeyPair[],
): Promise<{ header: EnvelopeHeader; plaintext: Uint8Array; key: KemKeyPair } | null> {
  const sodium = await getSodium();
  const parsed = parseEnvelopeHeader(envelope);
  const header = envelope.subarray(0, HEADER_BYTES);
  const ring = Array.isArray(keys) ? (keys as readonly KemKeyPair[]) : [keys as KemKeyPair];
  const ids = await Promise.all(ring.map((k) => recipientId(k.publicKey)));
  const zeroId = new Uint8Array(RECIPIENT_ID_BYTES);
  let contentKey: Uint8Array | undefined;
  let openedWith: KemKeyPair | undefined;
  for (let i = 0; i < parsed.recipients && !contentKey; i++) {
    const at = HEADER_BYTES + i * STANZA_BYTES;
    const id = envelope.subarray(at, at + RECIPIENT_ID_BYTES);
    // Only replies are sealed to anonymous stanzas: elsewhere one would only
    // make a reader with many keys try them all.
    const anonymous = parsed.kind === 'reply' && sodium.memcmp(id, zeroId);
    const named = ids.findIndex((mine) => sodium.memcmp(id, mine));
    if (named < 0 && !anonymous) continue;
    const kemCt = envelope.subarray(
      at + RECIPIENT_ID_BYTES,
      at + RECIPIENT_ID_BYTES + XWING_CIPHERTEXT_BYTES,
    );
    const wrapped = envelope.subarray(
      at + RECIPIENT_ID_BYTES + XWING_CIPHERTEXT_BYTES,
      at + STANZA_BYTES,
    );
    for (const key of named >= 0 ? [ring[named]!] : ring) {
      const ss = sodium.crypto_kem_xwing_dec(kemCt, key.secretKey);
      const wrap = await wrapKeys(ss, kemCt, key.publicKey, header);
      sodium.memzero(ss);
      try {
        contentKey = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
          null,
          wrapped,
          header,
          wrap.nonce,
          wrap.key,
        );
        openedWith = key;
        break;
      } catch {
        // An anonymous stanza that does not open is simply someone else's,
        // and so is a named one in a desk envelope (a decoy).
        if (named >= 0 && parsed.version !== DESK_ENVELOPE_VERSION)
          throw new SealboxError('ENVELOPE_TAMPERED', 'envelope key wrap does not authenticate');
      }
    }
  }
  if (!contentKey || !openedWith) return null;
  const payloadAt = HEADER_BYTES + parsed.recipients * STANZA_BYTES;
  const prefix = envelope.subarray(0, payloadAt);
  const nonce = envelope.subarray(payloadAt, payloadAt + NONCE_BYTES);
  let padded: Uint8Array;
  try {
    padded = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      envelope.subarray(payloadAt + NONCE_BYTES),
      prefix,
      nonce,
      contentKey,
    );
  } catch {
    throw new SealboxError('ENVELOPE_TAMPERED', 'envelope payload does not authenticate');
  } finally {
    sodium.memzero(contentKey);
  }
  let plaintext: Uint8Array;
  try {
    plaintext = sodium.unpad(padded, padded.length);
  } catch {
    throw new SealboxError('ENVELOPE_TAMPERED', 'envelope padding is invalid');
  }
  return { header: parsed, plaintext, key: openedWith };
}
