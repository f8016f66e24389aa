import { parseEnvelopeHeader } from '../../client-crypto/index.ts';
import type { EnvelopeHeader, EnvelopeKind } from '../../client-crypto/index.ts';
import type { Db } from '../db/database.ts';
import { today } from '../db/dates.ts';
import { isPublishedKeyset } from '../db/keysets.ts';
import { claimUploads } from '../db/uploads.ts';
import { checkSealedToCurrentEpochs } from '../epochs.ts';
import { ApiError } from '../errors.ts';

const B64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Strict base64url, as client-crypto's fromBase64Url decodes it (no padding,
 * no other characters, canonical trailing bits), with Node's native decoder:
 * envelopes are the largest field a request carries, and decoding them in
 * JavaScript cost a fifteenth of the server's CPU under load.
 */
export function decodeEnvelopeText(text: string): Uint8Array {
  const tail = text.length % 4;
  const last = ALPHABET.indexOf(text.at(-1) ?? 'A');
  // The bits past the last whole byte: 4 when 2 characters remain, 2 when 3 do.
  const unused = tail === 2 ? 0b1111 : tail === 3 ? 0b11 : 0;
  if (tail === 1 || !B64URL.test(text) || (last & unused) !== 0) {
    throw new ApiError(400, 'ENCODING_INVALID', 'envelope is not valid base64url');
  }
  const bytes = Buffer.from(text, 'base64url');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Decodes and checks an envelope without any key: its header must parse, be
 * of the expected kind and name a keyset this server has published (known
 * versions come from memory, db/keysets.ts), and its stanzas must name one
 * current epoch key of every reviewer (server/epochs.ts). All before anything
 * is written: a refused envelope spends no proof of work.
 */
export async function acceptEnvelope(
  db: Db,
  text: string,
  kind: EnvelopeKind,
): Promise<{ envelope: Uint8Array; header: EnvelopeHeader }> {
  const envelope = decodeEnvelopeText(text);
  let header: EnvelopeHeader;
  try {
    header = parseEnvelopeHeader(envelope);
  } catch (error) {
    const message = error instanceof Error ? error.message : 'malformed envelope';
    throw new ApiError(400, 'ENVELOPE_INVALID', message);
  }
  if (header.kind !== kind) {
    throw new ApiError(400, 'ENVELOPE_KIND', `expected a ${kind} envelope, got ${header.kind}`);
  }
  if (!(await isPublishedKeyset(db, header.keysetVersion))) {
    throw new ApiError(
      400,
      'KEYSET_UNKNOWN',
      `envelope is sealed to keyset version ${header.keysetVersion}, which this server never published`,
    );
  }
  await checkSealedToCurrentEpochs(db, envelope, today());
  return { envelope, header };
}

/**
 * Claims every upload for a new submission or follow-up, inside its
 * transaction, or refuses the whole write: a case and its attachments appear
 * together or not at all.
 */
export async function claimEveryUpload(
  trx: Parameters<typeof claimUploads>[0],
  uploadIds: readonly string[],
  owner: Parameters<typeof claimUploads>[2],
): Promise<void> {
  if ((await claimUploads(trx, uploadIds, owner)) !== uploadIds.length) {
    throw new ApiError(
      409,
      'UPLOAD_NOT_CLAIMABLE',
      'an attachment is unknown, unfinished or already part of a case',
    );
  }
}
