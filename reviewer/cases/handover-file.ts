// The handover file: a case sealed again to another desk, carried by hand from
// a reviewer of one desk to the reviewers of the other (docs/protocol.md,
// "The handover file"). It never reaches the server. The handing reviewer
// signs it with its identity key, so the case id, the desk and the list of
// items cannot be changed on the way; each envelope is the author's own
// signed plaintext, sealed again, so the author rule still holds.
import { z } from 'zod';
import {
  type Keyset,
  concatBytes,
  fromBase64Url,
  getSodium,
  toBase64Url,
  utf8Encode,
} from '../../client-crypto/index.ts';
import { CliError } from '../errors.ts';
import { isSafeId } from './safe-name.ts';

export const HANDOVER_FORMAT = 'sealbox-handover-v1';
const HANDOVER_LABEL = utf8Encode('sealbox/v2/handover\n');
/** A handover holds documents only, never files: far below this. */
export const MAX_HANDOVER_BYTES = 64 * 1024 * 1024;

const safeId = z.string().refine(isSafeId, 'not an item or case id');
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const deskId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/);
const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/);

const handoverItem = z.strictObject({
  itemId: safeId,
  kind: z.enum(['submission', 'followup']),
  /** The day the server received the item (as the case recorded it). */
  date,
  /** A version 3 envelope of the item's kind, to the members of `desk`. */
  envelope: base64url,
});

const handoverPayload = z.strictObject({
  v: z.literal(1),
  caseId: safeId,
  /** The desk the case goes to, and the desk it leaves (absent if it came to none). */
  desk: deskId,
  from: deskId.optional(),
  date,
  keysetVersion: z.number().int().min(1).max(0xffffffff),
  /** How the person agreed to the case going to this desk, as the reviewer recorded it. */
  consent: z.string().min(1).max(2000),
  items: z.array(handoverItem).min(1).max(10_000),
});

const signedHandover = z.strictObject({
  format: z.literal(HANDOVER_FORMAT),
  payload: base64url,
  signature: base64url,
  signer: base64url,
});

export type HandoverPayload = z.infer<typeof handoverPayload>;

/** What a case keeps of a handover it went through: the day, both desks, the consent. */
export function handoverEntry(payload: HandoverPayload) {
  return {
    date: payload.date,
    ...(payload.from ? { from: payload.from } : {}),
    to: payload.desk,
    consent: payload.consent,
  };
}

/** A handover file that cannot be trusted, for every check of one. */
export function tampered(why: string): CliError {
  return new CliError('HANDOVER_TAMPERED', `This handover file cannot be trusted: ${why}.`);
}

export async function signHandover(
  payload: HandoverPayload,
  identity: { signPublicKey: Uint8Array; signSecretKey: Uint8Array },
): Promise<string> {
  const sodium = await getSodium();
  const bytes = utf8Encode(JSON.stringify(handoverPayload.parse(payload)));
  const signature = sodium.crypto_sign_detached(
    concatBytes(HANDOVER_LABEL, bytes),
    identity.signSecretKey,
  );
  return `${JSON.stringify({
    format: HANDOVER_FORMAT,
    payload: toBase64Url(bytes),
    signature: toBase64Url(signature),
    signer: toBase64Url(identity.signPublicKey),
  })}\n`;
}

/**
 * Reads a handover file: its shape, then its signature by a reviewer of
 * `keyset`, then its payload. Any failure is HANDOVER_TAMPERED, before
 * anything of it is used.
 */
export async function readHandover(
  text: string,
  keyset: Keyset,
): Promise<{ payload: HandoverPayload; signerName: string }> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw tampered('it is not a JSON file');
  }
  const signed = signedHandover.safeParse(json);
  if (!signed.success) throw tampered('it is not in the handover format');
  const signer = keyset.reviewers.find((r) => r.signPublicKey === signed.data.signer);
  if (!signer) throw tampered(`it is not signed by a reviewer of keyset version ${keyset.version}`);
  const sodium = await getSodium();
  let bytes: Uint8Array;
  let signature: Uint8Array;
  try {
    bytes = fromBase64Url(signed.data.payload);
    signature = fromBase64Url(signed.data.signature);
  } catch {
    throw tampered('a field is not base64url');
  }
  if (
    signature.length !== 64 ||
    !sodium.crypto_sign_verify_detached(
      signature,
      concatBytes(HANDOVER_LABEL, bytes),
      fromBase64Url(signer.signPublicKey),
    )
  ) {
    throw tampered(`the signature of reviewer "${signer.name}" does not verify`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw tampered('its content is not JSON');
  }
  const payload = handoverPayload.safeParse(parsed);
  if (!payload.success) throw tampered('its content is not in the handover format');
  return { payload: payload.data, signerName: signer.name };
}

/** Whether a file's first bytes look like a handover file rather than a bundle. */
export function looksLikeHandover(head: Uint8Array): boolean {
  const text = new TextDecoder().decode(head).trimStart();
  return text.startsWith('{');
}
