import type { Db } from './database.ts';

/**
 * Stores a verified statement. Idempotent on the statement id, so uploading
 * the same outbox twice changes nothing; returns whether it was new.
 */
export async function insertStatement(
  db: Db,
  s: { id: string; submissionSeq: number; kind: string; signed: string; statedOn: string },
): Promise<boolean> {
  const result = await db
    .insertInto('statements')
    .values({
      id: s.id,
      submission_seq: s.submissionSeq,
      kind: s.kind,
      signed: s.signed,
      stated_on: s.statedOn,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return result !== undefined;
}

/** The stored text and case of a statement known to be stored, by its id. */
export async function storedStatement(
  db: Db,
  id: string,
): Promise<{ signed: string; submission_seq: number }> {
  return db
    .selectFrom('statements')
    .select(['signed', 'submission_seq'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}
