// Frozen in time: never edit after release, add a new migration instead.
/* eslint-disable @typescript-eslint/no-explicit-any */
// The proof-of-work level each instance computes from its recent admissions,
// so that every instance asks for the highest: a level and when it lapses,
// one row per instance whose level is raised, nothing else. No counts and no
// arrival times: an instance writes its row on its own clock, every few
// seconds while the level stays raised, whenever the cases came.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('effort_levels')
    .addColumn('instance', 'text', (c) => c.primaryKey())
    .addColumn('level', 'integer', (c) => c.notNull().check(sql`level between 0 and 64`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('effort_levels').execute();
}
