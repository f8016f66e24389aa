import { parseEnvelopeHeader } from '../../client-crypto/index.ts';
import type { EnvelopeHeader, EnvelopeKind } from '../../client-crypto/index.ts';
import type { Db } from '../db/database.ts';
import { keysetByVersion } from '../db/keysets.ts';
import { claimUploads } from '../db/uploads.ts';
import { ApiError } from '../errors.ts';
import { decodeField } from './schemas.ts';

/**
 * Decodes and checks an envelope without any key: its header must parse, be
 * of the expected kind and name a keyset this server has published.
 */
export async function acceptEnvelope(
  db: Db,
  text: string,
  kind: EnvelopeKind,
): Promise<{ envelope: Uint8Array; header: EnvelopeHeader }> {
  const envelope = decodeField('envelope', text);
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
  if (!(await keysetByVersion(db, header.keysetVersion))) {
    throw new ApiError(
      400,
      'KEYSET_UNKNOWN',
      `envelope is sealed to keyset version ${header.keysetVersion}, which this server never published`,
    );
  }
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
