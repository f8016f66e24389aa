// Frozen in time: never edit after release, add a new migration instead.
/* eslint-disable @typescript-eslint/no-explicit-any */
// Replay protection for the courier API: the digest of every accepted request
// signature, kept until a day after it could still be valid. The unique key
// makes several server instances agree that a signature is spent. A date, not
// a time, like everything else we store.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('courier_replays')
    .addColumn('digest', 'bytea', (c) => c.primaryKey())
    .addColumn('expires_on', 'date', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('courier_replays').execute();
}
