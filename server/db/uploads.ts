// Attachment ciphertext lives in the database as bounded parts, so that every
// instance of a scaled-out server can serve any part.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database, Upload } from './tables.ts';

type Executor = Kysely<Database>;

export async function createUpload(
  db: Executor,
  u: { id: string; size: number; partSize: number; partCount: number; created: string },
): Promise<void> {
  await db
    .insertInto('uploads')
    .values({
      id: u.id,
      size: u.size,
      part_size: u.partSize,
      part_count: u.partCount,
      created: u.created,
    })
    .execute();
}

export async function getUpload(db: Executor, id: string): Promise<Upload | undefined> {
  return db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Stores a part; a repeated PUT of the same part replaces it (resume after a broken one). */
export async function putPart(db: Executor, uploadId: string, part: number, bytes: Uint8Array) {
  await db
    .insertInto('upload_parts')
    .values({ upload_id: uploadId, part, bytes })
    .onConflict((oc) => oc.columns(['upload_id', 'part']).doUpdateSet({ bytes }))
    .execute();
}

export async function partSizes(
  db: Executor,
  uploadId: string,
): Promise<{ part: number; size: number }[]> {
  return db
    .selectFrom('upload_parts')
    .select(['part', sql<number>`length(bytes)`.as('size')])
    .where('upload_id', '=', uploadId)
    .orderBy('part')
    .execute();
}

/** The ciphertext of an upload, one part at a time, in order. */
export async function* readUpload(db: Executor, upload: Upload): AsyncGenerator<Uint8Array> {
  for (let part = 0; part < upload.part_count; part++) {
    const row = await db
      .selectFrom('upload_parts')
      .select('bytes')
      .where('upload_id', '=', upload.id)
      .where('part', '=', part)
      .executeTakeFirst();
    if (!row) throw new Error(`upload ${upload.id} lacks part ${part}`);
    yield row.bytes;
  }
}

export async function markFinished(
  db: Executor,
  id: string,
  digest: Uint8Array,
  on: string,
): Promise<boolean> {
  const result = await db
    .updateTable('uploads')
    .set({ finished: on, digest })
    .where('id', '=', id)
    .where('finished', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/**
 * Attaches finished, unclaimed uploads to a submission or follow-up. Returns
 * how many were claimed; the caller rolls back unless that is all of them.
 */
export async function claimUploads(
  db: Executor,
  ids: readonly string[],
  owner: { submissionSeq: number } | { followupSeq: number },
): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .updateTable('uploads')
    .set(
      'submissionSeq' in owner
        ? { submission_seq: owner.submissionSeq }
        : { followup_seq: owner.followupSeq },
    )
    .where('id', 'in', ids)
    .where('finished', 'is not', null)
    .where('submission_seq', 'is', null)
    .where('followup_seq', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function uploadsOf(
  db: Executor,
  owner: { submissionSeq: number } | { followupSeq: number },
): Promise<Upload[]> {
  const q = db.selectFrom('uploads').selectAll().orderBy('id');
  return 'submissionSeq' in owner
    ? q.where('submission_seq', '=', owner.submissionSeq).execute()
    : q.where('followup_seq', '=', owner.followupSeq).execute();
}

/** Declared bytes of every upload not (yet) part of a case. */
export async function pendingUploadBytes(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('uploads')
    .select(sql<string | number>`coalesce(sum(size), 0)`.as('total'))
    .where('submission_seq', 'is', null)
    .where('followup_seq', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

/** Uploads never claimed by a submission are dropped after the retention period. */
export async function forgetUnclaimedUploads(db: Executor, createdBefore: string): Promise<number> {
  const result = await db
    .deleteFrom('uploads')
    .where('created', '<', createdBefore)
    .where('submission_seq', 'is', null)
    .where('followup_seq', 'is', null)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
