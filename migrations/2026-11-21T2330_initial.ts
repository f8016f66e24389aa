// Frozen in time: never edit after release, add a new migration instead.
// Migrations take Kysely<any>: they must not depend on today's table types.
/* eslint-disable @typescript-eslint/no-explicit-any */
// Storage holds ciphertext, keyed hashes and dates (never times, never IPs).
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('keysets')
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('signed', 'text', (c) => c.notNull())
    .addColumn('stored_on', 'date', (c) => c.notNull())
    .execute();

  // One order for everything a courier exports (submissions and follow-ups),
  // so that a single number is the export cursor.
  await sql`create sequence export_seq`.execute(db);

  await db.schema
    .createTable('submissions')
    .addColumn('seq', 'bigint', (c) => c.primaryKey().defaultTo(sql`nextval('export_seq')`))
    .addColumn('case_id', 'text', (c) => c.notNull().unique())
    .addColumn('lookup_hash', 'bytea', (c) => c.notNull().unique())
    .addColumn('keyset_version', 'integer', (c) => c.notNull().references('keysets.version'))
    .addColumn('envelope', 'bytea')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('received'))
    .addColumn('received', 'date', (c) => c.notNull())
    .addColumn('status_on', 'date', (c) => c.notNull())
    .addColumn('purged_on', 'date')
    .execute();
  await db.schema
    .createIndex('submissions_received')
    .on('submissions')
    .column('received')
    .execute();

  await db.schema
    .createTable('followups')
    .addColumn('seq', 'bigint', (c) => c.primaryKey().defaultTo(sql`nextval('export_seq')`))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('submission_seq', 'bigint', (c) =>
      c.notNull().references('submissions.seq').onDelete('cascade'),
    )
    .addColumn('envelope', 'bytea', (c) => c.notNull())
    .addColumn('received', 'date', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('followups_submission')
    .on('followups')
    .column('submission_seq')
    .execute();

  await db.schema
    .createTable('uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('part_size', 'integer', (c) => c.notNull())
    .addColumn('part_count', 'integer', (c) => c.notNull())
    .addColumn('created', 'date', (c) => c.notNull())
    .addColumn('finished', 'date')
    .addColumn('digest', 'bytea')
    .addColumn('submission_seq', 'bigint', (c) =>
      c.references('submissions.seq').onDelete('cascade'),
    )
    .addColumn('followup_seq', 'bigint', (c) => c.references('followups.seq').onDelete('cascade'))
    .execute();
  await db.schema
    .createIndex('uploads_submission')
    .on('uploads')
    .column('submission_seq')
    .execute();
  await db.schema.createIndex('uploads_followup').on('uploads').column('followup_seq').execute();

  await db.schema
    .createTable('upload_parts')
    .addColumn('upload_id', 'text', (c) => c.notNull().references('uploads.id').onDelete('cascade'))
    .addColumn('part', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('upload_parts_pk', ['upload_id', 'part'])
    .execute();

  await db.schema
    .createTable('statements')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'bigserial', (c) => c.notNull().unique())
    .addColumn('submission_seq', 'bigint', (c) =>
      c.notNull().references('submissions.seq').onDelete('cascade'),
    )
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('signed', 'text', (c) => c.notNull())
    .addColumn('stated_on', 'date', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('statements_submission')
    .on('statements')
    .column('submission_seq')
    .execute();

  // A proof-of-work challenge may be spent once; the unique key makes several
  // instances agree. Rows can go once their expiry date has passed.
  await db.schema
    .createTable('spent_challenges')
    .addColumn('digest', 'bytea', (c) => c.primaryKey())
    .addColumn('expires_on', 'date', (c) => c.notNull())
    .execute();

  // How far each courier has acknowledged the export.
  await db.schema
    .createTable('export_acks')
    .addColumn('courier', 'text', (c) => c.primaryKey())
    .addColumn('acked_seq', 'bigint', (c) => c.notNull())
    .addColumn('acked_on', 'date', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'export_acks',
    'spent_challenges',
    'statements',
    'upload_parts',
    'uploads',
    'followups',
    'submissions',
    'keysets',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await sql`drop sequence export_seq`.execute(db);
}
