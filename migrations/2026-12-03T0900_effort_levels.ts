// Frozen in time: never edit after release, add a new migration instead.
/* eslint-disable @typescript-eslint/no-explicit-any */
// The proof-of-work level each instance computes from its recent admissions,
// so that every instance asks for the highest: one row per instance whose
// level is raised, holding the level and a heartbeat that the instance bumps
// on each of its refreshes. No counts and no times: readers judge a row stale
// by their own clock when its heartbeat stops moving, and the instance writes
// on its own refresh clock, whenever the cases came.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('effort_levels')
    .addColumn('instance', 'text', (c) => c.primaryKey())
    .addColumn('level', 'integer', (c) => c.notNull().check(sql`level between 0 and 64`))
    .addColumn('heartbeat', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('effort_levels').execute();
}
