// A new case is admitted by one statement, one round trip: it spends the proof
// of work, takes the export-order lock and inserts the case. Each step reads
// the row the step before it returned, so a step that declines stops the ones
// after it, and the statement commits (or, inside a caller's transaction,
// rolls back) as a whole. The daily cap is applied before, from memory
// (db/daily-cap.ts).
//
// The proof is spent first and stays spent whatever a later step declines (a
// proof buys one attempt at the database): spending it is the step that tells
// a replay, and the primary key makes every instance agree on it.
import { sql } from 'kysely';
import type { Db } from './database.ts';
import { exportOrderShared } from './export-order.ts';
import type { NewSubmission } from './submissions.ts';

export interface Admission {
  /** The proof's single-use key and the day after which its record may go. */
  proof: { digest: Uint8Array; expiresOn: string };
  submission: NewSubmission;
}

export type AdmissionOutcome =
  { admitted: true; seq: number } | { admitted: false; refused: 'proof spent' | 'receipt taken' };

export async function admitSubmission(db: Db, a: Admission): Promise<AdmissionOutcome> {
  const s = a.submission;
  const { rows } = await sql<{ spent: boolean; seq: number | null }>`
    with spent as (
      insert into spent_challenges (digest, expires_on)
      values (${a.proof.digest}::bytea, ${a.proof.expiresOn}::date)
      on conflict (digest) do nothing
      returning 1
    ), held as (
      select ${exportOrderShared} from spent
    ), inserted as (
      insert into submissions
        (case_id, lookup_hash, keyset_version, envelope, received, status_on, effort_level)
      select ${s.caseId}::text, ${s.lookupHash}::bytea, ${s.keysetVersion}::integer,
             ${s.envelope}::bytea, ${s.received}::date, ${s.received}::date,
             ${s.effortLevel}::integer
      from held
      on conflict (lookup_hash) do nothing
      returning seq
    )
    select exists (select from spent) as spent, (select seq from inserted) as seq
  `.execute(db);
  const row = rows[0]!;
  if (row.seq !== null) return { admitted: true, seq: row.seq };
  return { admitted: false, refused: row.spent ? 'receipt taken' : 'proof spent' };
}
