import type { Db } from './database.ts';

export async function insertFollowup(
  db: Db,
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

/**
 * The follow-ups a case has sent on `day`: counted from the follow-ups
 * themselves (their date and case are stored anyway), so limiting them per
 * case and day stores nothing more.
 */
export async function followupsOn(db: Db, submissionSeq: number, day: string): Promise<number> {
  const row = await db
    .selectFrom('followups')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('submission_seq', '=', submissionSeq)
    .where('received', '=', day)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
