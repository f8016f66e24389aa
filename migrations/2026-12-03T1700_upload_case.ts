// Frozen in time: never edit after release, add a new migration instead.
/* eslint-disable @typescript-eslint/no-explicit-any */
// The case an upload was started for, when its sender showed the case's lookup
// token: a follow-up's files are priced as follow-ups are (the base level),
// up to one largest file's worth of unclaimed bytes per case, while strangers'
// uploads pay the minimum level of the moment (routes/uploads.ts). The claim
// of a follow-up names the same case, so the server learns nothing it would
// not learn a moment later.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('uploads').addColumn('case_seq', 'integer').execute();
  await db.schema
    .createIndex('uploads_case_seq')
    .on('uploads')
    .column('case_seq')
    .where('case_seq', 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('uploads_case_seq').execute();
  await db.schema.alterTable('uploads').dropColumn('case_seq').execute();
}
