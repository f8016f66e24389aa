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
