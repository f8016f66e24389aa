// Frozen in time: never edit after release, add a new migration instead.
/* eslint-disable @typescript-eslint/no-explicit-any */
// Reviewers' epoch keys (forward secrecy): the signed public halves the
// courier publishes, one row per key, named by the recipient id its stanzas
// carry in an envelope, so that the server can check what a submission is
// sealed to without any key. The signed text is kept as received; reviewer,
// epoch and dates are copies of its verified payload, for queries. One key per
// reviewer and epoch number.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('epoch_keys')
    .addColumn('recipient_id', 'text', (c) => c.primaryKey())
    .addColumn('reviewer', 'text', (c) => c.notNull())
    .addColumn('epoch', 'bigint', (c) => c.notNull())
    .addColumn('starts', 'date', (c) => c.notNull())
    .addColumn('ends', 'date', (c) => c.notNull())
    .addColumn('signed', 'text', (c) => c.notNull())
    .addUniqueConstraint('epoch_keys_reviewer_epoch', ['reviewer', 'epoch'])
    .execute();
  await db.schema.createIndex('epoch_keys_ends').on('epoch_keys').column('ends').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('epoch_keys').execute();
}
