// Replay protection for the courier API (plugins/courier-auth.ts): a digest of
// the courier's key and the signature's nonce for every accepted request,
// with a unique key so that several instances agree it was used, kept until
// a day after it could still verify. A date, never a time.
import { sql } from 'kysely';
import type { Db } from './database.ts';
import { addDays } from './dates.ts';

/** Records a courier nonce as used on `today`; false when it was used before. */
export async function spendCourierNonce(
  db: Db,
  digest: Uint8Array,
  today: string,
): Promise<boolean> {
  await forgetCourierReplays(db, today);
  const inserted = await db
    .insertInto('courier_replays')
    .values({ digest, expires_on: addDays(today, 1) })
    .onConflict((oc) => oc.column('digest').doNothing())
    .returning(sql<number>`1`.as('one'))
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Drops records whose signatures can no longer verify; returns how many. */
export async function forgetCourierReplays(db: Db, today: string): Promise<number> {
  const result = await db
    .deleteFrom('courier_replays')
    .where('expires_on', '<', today)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
