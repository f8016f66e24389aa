// Frozen in time: never edit after release, add a new migration instead.
/* eslint-disable @typescript-eslint/no-explicit-any */
// The daily cap on new cases counts in one row per day instead of counting the
// day's cases on every submission: a date and a number, nothing finer (about
// the count the `received` dates of the cases already show). Instances reserve
// admissions from the row in blocks, by an upsert that refuses to pass the
// cap, so between them they never admit more than the cap.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('submissions_per_day')
    .addColumn('day', 'date', (c) => c.primaryKey())
    .addColumn('count', 'integer', (c) => c.notNull().check(sql`count >= 0`))
    .execute();
  // Cases already received count from the first request; retention keeps
  // today's and yesterday's rows (db/retention.ts), so those two are seeded.
  await sql`
    insert into submissions_per_day (day, count)
    select received, count(*)::integer from submissions
    where received >= (now() at time zone 'utc')::date - 1
    group by received
  `.execute(db);
  // The index served only the per-request count this table replaces; every
  // new case paid for keeping it up to date.
  await db.schema.dropIndex('submissions_received').execute();
  // The foreign key made every new case take a share lock on the row of its
  // keyset, the same row for every case: under concurrent submissions
  // PostgreSQL turns those locks into multixacts, a write per case on one hot
  // row. Nothing it guarded is left unguarded: keysets are only ever added,
  // never changed or deleted, and every write that names a keyset version
  // checks first that the server published it.
  await db.schema
    .alterTable('submissions')
    .dropConstraint('submissions_keyset_version_fkey')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('submissions')
    .addForeignKeyConstraint('submissions_keyset_version_fkey', ['keyset_version'], 'keysets', [
      'version',
    ])
    .execute();
  await db.schema
    .createIndex('submissions_received')
    .on('submissions')
    .column('received')
    .execute();
  await db.schema.dropTable('submissions_per_day').execute();
}
