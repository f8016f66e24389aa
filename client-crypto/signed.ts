// The one shape every signed object shares (keysets, statements, submitters' documents):
//   { format, payload: b64url(JSON bytes), signature: b64url(Ed25519(label || payload)), signer: b64url(pk) }
// The signature covers the exact payload bytes, so there is no canonical JSON
// to get wrong; the payload is parsed only after the signature verifies.
import { concatBytes, fromBase64Url, toBase64Url, utf8Decode, utf8Encode } from './encoding.ts';
import { type SealboxErrorCode, SealboxError } from './errors.ts';
import { getSodium } from './sodium.ts';

export interface SignedObject<F extends string> {
  format: F;
  payload: string;
  signature: string;
  signer: string;
}

export async function signJson<F extends string>(
  format: F,
  label: Uint8Array,
  value: unknown,
  key: { publicKey: Uint8Array; secretKey: Uint8Array },
): Promise<SignedObject<F>> {
  const sodium = await getSodium();
  const payload = utf8Encode(JSON.stringify(value));
  const signature = sodium.crypto_sign_detached(concatBytes(label, payload), key.secretKey);
  return {
    format,
    payload: toBase64Url(payload),
    signature: toBase64Url(signature),
    signer: toBase64Url(key.publicKey),
  };
}

/** The raw fields of a signed object of `format`; nothing is verified yet. */
export function readSignedFields(
  value: unknown,
  format: string,
  what: string,
): { payload: Uint8Array; signature: Uint8Array; signer: string } {
  if (typeof value !== 'object' || value === null) {
    throw new SealboxError('FORMAT_INVALID', `not a signed ${what}`);
  }
  const s = value as Record<string, unknown>;
  if (s.format !== format) throw new SealboxError('VERSION_UNSUPPORTED', `unknown ${what} format`);
  if (
    typeof s.payload !== 'string' ||
    typeof s.signature !== 'string' ||
    typeof s.signer !== 'string'
  ) {
    throw new SealboxError('FORMAT_INVALID', `signed ${what} is missing a field`);
  }
  return {
    payload: fromBase64Url(s.payload),
    signature: fromBase64Url(s.signature),
    signer: s.signer,
  };
}

/** Verifies label || payload under publicKey, then parses the payload as JSON. */
export async function verifySignedJson(
  fields: { payload: Uint8Array; signature: Uint8Array },
  label: Uint8Array,
  publicKey: Uint8Array,
  what: string,
  invalid: SealboxErrorCode,
): Promise<unknown> {
  const sodium = await getSodium();
  if (
    fields.signature.length !== 64 ||
    !sodium.crypto_sign_verify_detached(
      fields.signature,
      concatBytes(label, fields.payload),
      publicKey,
    )
  ) {
    throw new SealboxError(invalid, `${what} signature does not verify`);
  }
  return parseJsonBytes(fields.payload, `${what} payload`);
}

/** UTF-8 JSON bytes: invalid UTF-8 is ENCODING_INVALID, invalid JSON FORMAT_INVALID. */
export function parseJsonBytes(bytes: Uint8Array, what: string): unknown {
  const json = utf8Decode(bytes);
  try {
    return JSON.parse(json);
  } catch {
    throw new SealboxError('FORMAT_INVALID', `${what} is not JSON`);
  }
}
