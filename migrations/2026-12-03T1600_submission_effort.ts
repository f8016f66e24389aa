// Frozen in time: never edit after release, add a new migration instead.
/* eslint-disable @typescript-eslint/no-explicit-any */
// The effort level a new case's proof of work was paid at: a small integer,
// so that reviewers can see and set aside a burst by arrival day and level
// (docs/reviewer-guide.md). The day is the `received` date the case already
// carries; nothing finer is kept. Cases received before this column have none.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('submissions')
    .addColumn('effort_level', 'integer', (c) =>
      c.check(sql`effort_level is null or effort_level between 0 and 64`),
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('submissions').dropColumn('effort_level').execute();
}
