// Attachment ciphertext lives in the database as bounded parts, so that every
// instance of a scaled-out server can serve any part.
import { sql } from 'kysely';
import type { Db } from './database.ts';
import { addDays, today } from './dates.ts';
import type { Upload } from './tables.ts';

export async function createUpload(
  db: Db,
  u: {
    id: string;
    size: number;
    partSize: number;
    partCount: number;
    created: string;
    /** The open case whose token started it (see caseUnclaimedBytes). */
    caseSeq?: number;
  },
): Promise<void> {
  await db
    .insertInto('uploads')
    .values({
      id: u.id,
      size: u.size,
      part_size: u.partSize,
      part_count: u.partCount,
      created: u.created,
      ...(u.caseSeq === undefined ? {} : { case_seq: u.caseSeq }),
    })
    .execute();
}

/** Declared bytes of the uploads a case's token started that no item has claimed yet. */
export async function caseUnclaimedBytes(db: Db, caseSeq: number): Promise<number> {
  const row = await db
    .selectFrom('uploads')
    .select(sql<number | string>`coalesce(sum(size), 0)`.as('bytes'))
    .where('case_seq', '=', caseSeq)
    .where('submission_seq', 'is', null)
    .where('followup_seq', 'is', null)
    .executeTakeFirst();
  return Number(row?.bytes ?? 0);
}

export async function getUpload(db: Db, id: string): Promise<Upload | undefined> {
  return db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Whether the upload is finished, with its row locked for share: a part
 * written in the same transaction is ordered against a concurrent finish
 * (`lockUploadForFinish`). Undefined when there is no such upload.
 */
export async function lockUploadForPart(
  db: Db,
  id: string,
): Promise<{ finished: string | null } | undefined> {
  return db
    .selectFrom('uploads')
    .select('finished')
    .where('id', '=', id)
    .forShare()
    .executeTakeFirst();
}

/** The upload with its row locked for update, until the transaction ends. */
export async function lockUploadForFinish(db: Db, id: string): Promise<Upload | undefined> {
  return db.selectFrom('uploads').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** The length of part `part` of an upload: the part size, less for the last one. */
export function partLength(upload: Upload, part: number): number {
  return part < upload.part_count - 1
    ? upload.part_size
    : upload.size - upload.part_size * (upload.part_count - 1);
}

/**
 * Stores a part; a repeated PUT of the same part replaces it (resume after a
 * broken one). Returns the row's version (PostgreSQL's `xmin`, new with every
 * write), by which a running digest knows whether the part it hashed is still
 * the stored one.
 */
export async function putPart(
  db: Db,
  uploadId: string,
  part: number,
  bytes: Uint8Array,
): Promise<string> {
  // `excluded.bytes`, not the bytes again: a second parameter would put the
  // whole part into the query message twice.
  const row = await db
    .insertInto('upload_parts')
    .values({ upload_id: uploadId, part, bytes })
    .onConflict((oc) =>
      oc.columns(['upload_id', 'part']).doUpdateSet((eb) => ({ bytes: eb.ref('excluded.bytes') })),
    )
    .returning(sql<string>`xmin::text`.as('version'))
    .executeTakeFirstOrThrow();
  return row.version;
}

export async function partSizes(
  db: Db,
  uploadId: string,
): Promise<{ part: number; size: number }[]> {
  return db
    .selectFrom('upload_parts')
    .select(['part', sql<number>`length(bytes)`.as('size')])
    .where('upload_id', '=', uploadId)
    .orderBy('part')
    .execute();
}

/** Like `partSizes`, with each row's version (see `putPart`). */
export async function storedParts(
  db: Db,
  uploadId: string,
): Promise<{ part: number; size: number; version: string }[]> {
  return db
    .selectFrom('upload_parts')
    .select(['part', sql<number>`length(bytes)`.as('size'), sql<string>`xmin::text`.as('version')])
    .where('upload_id', '=', uploadId)
    .orderBy('part')
    .execute();
}

/**
 * The ciphertext of an upload in order, from part `from` on: one part at a
 * time, or with `sliceBytes` in slices of at most that many bytes, so that
 * reading back a large part never holds its whole text form (hex, twice its
 * size) in memory.
 */
export async function* readUpload(
  db: Db,
  upload: Upload,
  from = 0,
  sliceBytes?: number,
): AsyncGenerator<Uint8Array> {
  for (let part = from; part < upload.part_count; part++) {
    const length = partLength(upload, part);
    const step = sliceBytes ?? length;
    for (let at = 0; at < length; at += step) {
      const query = db
        .selectFrom('upload_parts')
        .where('upload_id', '=', upload.id)
        .where('part', '=', part);
      const row = await (
        sliceBytes
          ? query.select(sql<Uint8Array>`substring(bytes from ${at + 1} for ${step})`.as('bytes'))
          : query.select('bytes')
      ).executeTakeFirst();
      if (!row) throw new Error(`upload ${upload.id} lacks part ${part}`);
      yield row.bytes;
    }
  }
}

export async function markFinished(
  db: Db,
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
  db: Db,
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
  db: Db,
  owner: { submissionSeq: number } | { followupSeq: number },
): Promise<Upload[]> {
  const q = db.selectFrom('uploads').selectAll().orderBy('id');
  return 'submissionSeq' in owner
    ? q.where('submission_seq', '=', owner.submissionSeq).execute()
    : q.where('followup_seq', '=', owner.followupSeq).execute();
}

/**
 * Bytes stored in parts of uploads not (yet) part of a case: what is really
 * held, not what was declared, so that creating uploads and sending nothing
 * holds no capacity. `except` leaves out a part about to be replaced.
 */
export async function pendingUploadBytes(
  db: Db,
  except?: { uploadId: string; part: number },
): Promise<number> {
  let query = db
    .selectFrom('upload_parts as p')
    .innerJoin('uploads as u', 'u.id', 'p.upload_id')
    // length() of a bytea reads its size from the header; the bytes stay put.
    .select(sql<string | number>`coalesce(sum(length(p.bytes)), 0)`.as('total'))
    .where('u.submission_seq', 'is', null)
    .where('u.followup_seq', 'is', null);
  if (except) {
    query = query.where((eb) =>
      eb.or([eb('p.upload_id', '!=', except.uploadId), eb('p.part', '!=', except.part)]),
    );
  }
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.total);
}

/**
 * The `created` date before which an upload not part of a case is dropped,
 * `hours` after it began. Only the creation date is stored, never a time, so
 * an upload counts as begun at the end of its day: it is kept at least
 * `hours` and at most a day longer.
 */
export function unclaimedUploadCutoff(now: Date, hours: number): string {
  return addDays(today(new Date(now.getTime() - (hours + 24) * 3_600_000)), 1);
}

/** Uploads never claimed by a case, created before the given date, are dropped. */
export async function forgetUnclaimedUploads(db: Db, createdBefore: string): Promise<number> {
  const result = await db
    .deleteFrom('uploads')
    .where('created', '<', createdBefore)
    .where('submission_seq', 'is', null)
    .where('followup_seq', 'is', null)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
