import type { Kysely } from 'kysely';
import type { Database } from './tables.ts';

type Executor = Kysely<Database>;

/**
 * Stores a verified statement. Idempotent on the statement id, so uploading
 * the same outbox twice changes nothing; returns whether it was new.
 */
export async function insertStatement(
  db: Executor,
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

export async function statementsOf(db: Executor, submissionSeq: number): Promise<string[]> {
  const rows = await db
    .selectFrom('statements')
    .select('signed')
    .where('submission_seq', '=', submissionSeq)
    .orderBy('seq')
    .execute();
  return rows.map((r) => r.signed);
}
