// The organisation's signature over a built page. The build writes
// manifest.json (every file's SHA-256, the CSP of every path, what is baked in);
// on the offline machine the organisation root signs the SHA-256 of those exact
// manifest bytes, and of the self-contained saved page if the build made one.
// The signature ships beside the page; the server serves it unchanged at
// PAGE_SIGNATURE_PATH. Whoever holds the pinned fingerprint can check a page
// without trusting the host that serves it: the page itself, the watcher, and
// `sealbox verify-page`.
//
// Like every signed object (signed.ts), the signature covers the exact payload
// bytes, and the payload is parsed only after it verifies. The signer must be
// the organisation root: its fingerprint is compared with the pin, never taken
// from the page.
import { fromBase64Url, isoDate, utf8Encode } from './encoding.ts';
import { SealboxError } from './errors.ts';
import { fingerprint, sameFingerprint } from './keys.ts';
import { type SignedObject, readSignedFields, signJson, verifySignedJson } from './signed.ts';

export const PAGE_SIGNATURE_FORMAT = 'sealbox-page-signature-v1';
export const PAGE_SIGNATURE_LABEL = utf8Encode('sealbox/v2/page-manifest\n');
/** Where a server serves the signature, next to /manifest.json. */
export const PAGE_SIGNATURE_PATH = '/.well-known/sealbox/page-signature.json';
/** The file `sealbox organisation sign-page` writes into the build folder. */
export const PAGE_SIGNATURE_FILE = 'page-signature.json';

const SHA256_HEX = /^[0-9a-f]{64}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface PageSignature {
  v: 1;
  app: 'sealbox';
  /** The page's version, as in its manifest. */
  version: string;
  /** The organisation fingerprint the page pins (the signer's own). */
  org: string;
  /** SHA-256 (hex) of manifest.json, byte for byte. */
  manifest: string;
  /** SHA-256 (hex) of the self-contained saved page, when the build made one. */
  saved: string | null;
  /** The day it was signed (UTC). */
  signed: string;
}

export type SignedPageSignature = SignedObject<typeof PAGE_SIGNATURE_FORMAT>;

function checkPayload(value: unknown): PageSignature {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SealboxError('FORMAT_INVALID', 'page signature payload is not an object');
  }
  const p = value as Record<string, unknown>;
  if (p.v !== 1 || p.app !== 'sealbox') {
    throw new SealboxError('VERSION_UNSUPPORTED', 'unknown page signature version');
  }
  if (typeof p.version !== 'string' || p.version.length === 0 || p.version.length > 64) {
    throw new SealboxError('FORMAT_INVALID', 'page signature version must be a short string');
  }
  if (typeof p.org !== 'string') {
    throw new SealboxError('FORMAT_INVALID', 'page signature names no organisation');
  }
  if (typeof p.manifest !== 'string' || !SHA256_HEX.test(p.manifest)) {
    throw new SealboxError('FORMAT_INVALID', 'page signature manifest must be a SHA-256 in hex');
  }
  if (p.saved !== null && (typeof p.saved !== 'string' || !SHA256_HEX.test(p.saved))) {
    throw new SealboxError(
      'FORMAT_INVALID',
      'page signature saved must be a SHA-256 in hex or null',
    );
  }
  if (typeof p.signed !== 'string' || !DATE.test(p.signed)) {
    throw new SealboxError('FORMAT_INVALID', 'page signature date must be YYYY-MM-DD');
  }
  return {
    v: 1,
    app: 'sealbox',
    version: p.version,
    org: p.org,
    manifest: p.manifest,
    saved: p.saved,
    signed: p.signed,
  };
}

/**
 * Signs a build, given the SHA-256 (hex) of the exact bytes of its manifest.json
 * and of its saved page (if any), with the organisation root key, on the offline
 * machine. SHA-256 is the digest every file of the page is named by (and the one
 * WEBCAT uses); the callers compute it (node:crypto, or WebCrypto in the page),
 * as libsodium's smaller build has none.
 */
export async function signPage(
  page: { manifest: string; saved?: string | null; version: string },
  org: { publicKey: Uint8Array; secretKey: Uint8Array },
  now: Date = new Date(),
): Promise<SignedPageSignature> {
  const payload: PageSignature = checkPayload({
    v: 1,
    app: 'sealbox',
    version: page.version,
    org: await fingerprint(org.publicKey),
    manifest: page.manifest,
    saved: page.saved ?? null,
    signed: isoDate(now),
  });
  return signJson(PAGE_SIGNATURE_FORMAT, PAGE_SIGNATURE_LABEL, payload, org);
}

/**
 * Verifies a page signature against the pinned organisation: the signer's
 * fingerprint must be the pin (KEYSET_ROOT_MISMATCH otherwise), the signature
 * must verify (PAGE_SIGNATURE_INVALID) and name that same organisation. It does
 * not compare digests: callers hash what they hold (SHA-256, hex) and compare
 * it with `manifest` or `saved`.
 */
export async function verifyPageSignature(
  signed: unknown,
  pinnedFingerprint: string,
): Promise<PageSignature> {
  const fields = readSignedFields(signed, PAGE_SIGNATURE_FORMAT, 'page signature');
  let signer: Uint8Array;
  try {
    signer = fromBase64Url(fields.signer);
  } catch {
    throw new SealboxError('KEY_INVALID', 'page signature signer is not base64url');
  }
  if (signer.length !== 32)
    throw new SealboxError('KEY_INVALID', 'page signer is not an Ed25519 key');
  if (!sameFingerprint(await fingerprint(signer), pinnedFingerprint)) {
    throw new SealboxError(
      'KEYSET_ROOT_MISMATCH',
      'page signature is not by the pinned organisation',
    );
  }
  const payload = checkPayload(
    await verifySignedJson(
      fields,
      PAGE_SIGNATURE_LABEL,
      signer,
      'page signature',
      'PAGE_SIGNATURE_INVALID',
    ),
  );
  if (!sameFingerprint(payload.org, pinnedFingerprint)) {
    throw new SealboxError('PAGE_SIGNATURE_INVALID', 'page signature names another organisation');
  }
  return payload;
}
