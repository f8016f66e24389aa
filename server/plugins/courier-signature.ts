// The one shape of courier signature headers the server takes, checked before
// anything else. http-message-signatures verifies only the members that
// Signature-Input names and ignores the rest, so without this a captured
// request could be sent again under another spelling (a member added, a
// parameter appended, padding stripped, a member repeated). Here both headers
// must be the canonical serialization (RFC 8941) of exactly one member
// labelled `sig`, covering exactly the expected components with exactly the
// expected parameters; replay protection then rests on the courier and the
// nonce, not on how the header was written.

/** What replay protection keys on, with the courier the signature names. */
export interface CourierSignatureShape {
  nonce: string;
}

/** An Ed25519 signature is 64 bytes: 88 characters of padded base64. */
const SIGNATURE = /^sig=:[A-Za-z0-9+/]{86}==:$/;
/**
 * One inner list of quoted components, then parameters: no escapes, no
 * parameters on components, single spaces between items and nowhere else.
 */
const INPUT = /^sig=\(("[^"\\]*"(?: "[^"\\]*")*)\)((?:;[a-z]+=(?:[0-9]{1,15}|"[^"\\]*"))+)$/;
const PARAMETER = /;([a-z]+)=(?:([0-9]{1,15})|"([^"\\]*)")/g;
/** What a courier client sends: 16 random bytes as base64url; at least 128 bits. */
const NONCE = /^[A-Za-z0-9_-]{22,128}$/;
/** Printable ASCII only, as a structured-field string may hold. */
const PRINTABLE = /^[\x20-\x7e]*$/;

/**
 * Checks the Signature and Signature-Input headers against the one accepted
 * shape; returns what replay protection keys on, or null for any other shape.
 * The signature itself is verified afterwards by http-message-signatures.
 */
export function courierSignatureShape(
  signature: string,
  signatureInput: string,
  expected: { components: readonly string[]; parameters: readonly string[]; tag: string },
): CourierSignatureShape | null {
  if (!SIGNATURE.test(signature) || !PRINTABLE.test(signatureInput)) return null;
  const input = INPUT.exec(signatureInput);
  if (!input) return null;
  const components = input[1]!.split(' ').map((item) => item.slice(1, -1));
  if (!sameSet(components, expected.components)) return null;
  const strings = new Map<string, string>();
  const integers = new Map<string, number>();
  for (const [, name, integer, text] of input[2]!.matchAll(PARAMETER)) {
    if (strings.has(name!) || integers.has(name!)) return null;
    if (integer !== undefined) integers.set(name!, Number(integer));
    else strings.set(name!, text!);
  }
  if (!sameSet([...strings.keys(), ...integers.keys()], expected.parameters)) return null;
  const keyid = strings.get('keyid');
  const nonce = strings.get('nonce');
  if (
    !integers.has('created') ||
    keyid === undefined ||
    keyid === '' ||
    nonce === undefined ||
    !NONCE.test(nonce) ||
    strings.get('alg') !== 'ed25519' ||
    strings.get('tag') !== expected.tag
  ) {
    return null;
  }
  return { nonce };
}

function sameSet(actual: readonly string[], expected: readonly string[]): boolean {
  const seen = new Set(actual);
  return (
    seen.size === actual.length &&
    seen.size === expected.length &&
    expected.every((x) => seen.has(x))
  );
}
