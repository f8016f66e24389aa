import type { Kysely } from 'kysely';
import type { Database, Followup } from './tables.ts';

type Executor = Kysely<Database>;

export async function insertFollowup(
  db: Executor,
  f: { id: string; submissionSeq: number; envelope: Uint8Array; received: string },
): Promise<number> {
  const row = await db
    .insertInto('followups')
    .values({
      id: f.id,
      submission_seq: f.submissionSeq,
      envelope: f.envelope,
      received: f.received,
    })
    .returning('seq')
    .executeTakeFirstOrThrow();
  return row.seq;
}

/** Follow-ups after an export cursor, oldest first, with their case id. */
export async function listFollowupsAfter(
  db: Executor,
  afterSeq: number,
  limit: number,
): Promise<(Followup & { case_id: string })[]> {
  return db
    .selectFrom('followups as f')
    .innerJoin('submissions as s', 's.seq', 'f.submission_seq')
    .selectAll('f')
    .select('s.case_id')
    .where('f.seq', '>', afterSeq)
    .orderBy('f.seq')
    .limit(limit)
    .execute();
}
