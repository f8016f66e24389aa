import { sql } from 'kysely';
import type { Db } from './database.ts';
import type { Submission } from './tables.ts';

/** A new case, as db/admission.ts stores it. */
export interface NewSubmission {
  caseId: string;
  lookupHash: Uint8Array;
  keysetVersion: number;
  envelope: Uint8Array;
  received: string;
  /** The effort level its proof was paid at (server/pow.ts): nothing else about the sender. */
  effortLevel: number;
}

export interface CaseView {
  seq: number;
  caseId: string;
  status: string;
  statusOn: string;
  received: string;
  statements: string[];
}

/**
 * The submitter's view of a case, in one indexed query whether or not the
 * token is known, so that the answer time does not tell the two apart.
 */
export async function findCase(db: Db, lookupHash: Uint8Array): Promise<CaseView | undefined> {
  const row = await db
    .selectFrom('submissions as s')
    .leftJoin('statements as st', 'st.submission_seq', 's.seq')
    .where('s.lookup_hash', '=', lookupHash)
    .groupBy(['s.seq'])
    .select([
      's.seq',
      's.case_id',
      's.status',
      's.status_on',
      's.received',
      sql<
        string[] | null
      >`array_agg(st.signed order by st.seq) filter (where st.id is not null)`.as('statements'),
    ])
    .executeTakeFirst();
  return (
    row && {
      seq: row.seq,
      caseId: row.case_id,
      status: row.status,
      statusOn: row.status_on,
      received: row.received,
      statements: row.statements ?? [],
    }
  );
}

/** The seq of the case a lookup hash names, if it is not purged (a light read: no envelope). */
export async function openCaseSeq(db: Db, lookupHash: Uint8Array): Promise<number | undefined> {
  const row = await db
    .selectFrom('submissions')
    .select('seq')
    .where('lookup_hash', '=', lookupHash)
    .where('purged_on', 'is', null)
    .executeTakeFirst();
  return row?.seq;
}

/** Whether a lookup hash names a case that is not purged. */
export async function openCaseByLookupHash(db: Db, lookupHash: Uint8Array): Promise<boolean> {
  return (await openCaseSeq(db, lookupHash)) !== undefined;
}

export async function submissionByLookupHash(
  db: Db,
  lookupHash: Uint8Array,
): Promise<Submission | undefined> {
  return db
    .selectFrom('submissions')
    .selectAll()
    .where('lookup_hash', '=', lookupHash)
    .executeTakeFirst();
}

export async function submissionByCaseId(db: Db, caseId: string): Promise<Submission | undefined> {
  return db.selectFrom('submissions').selectAll().where('case_id', '=', caseId).executeTakeFirst();
}

export async function setCaseStatus(
  db: Db,
  submissionSeq: number,
  status: string,
  on: string,
): Promise<void> {
  await db
    .updateTable('submissions')
    .set({ status, status_on: on })
    .where('seq', '=', submissionSeq)
    .execute();
}

/**
 * Applies a purge: the ciphertext of the case, its follow-ups and attachments
 * goes; the row stays (status closed) so the submitter can still read the
 * signed statements that explain it.
 */
export async function purgeCase(db: Db, submissionSeq: number, on: string): Promise<void> {
  await db.deleteFrom('uploads').where('submission_seq', '=', submissionSeq).execute();
  await db.deleteFrom('followups').where('submission_seq', '=', submissionSeq).execute();
  await db
    .updateTable('submissions')
    .set({ envelope: null, purged_on: on, status: 'closed', status_on: on })
    .where('seq', '=', submissionSeq)
    .execute();
}
