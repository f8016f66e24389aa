import type { Db } from './database.ts';
import { today } from './dates.ts';

/**
 * Records a challenge as spent. Returns false if it was spent before, by this
 * instance or any other sharing the database (the primary key decides).
 */
export async function spendChallenge(
  db: Db,
  digest: Uint8Array,
  expiresOn: string,
): Promise<boolean> {
  const result = await db
    .insertInto('spent_challenges')
    .values({ digest, expires_on: expiresOn })
    .onConflict((oc) => oc.column('digest').doNothing())
    .returning('digest')
    .executeTakeFirst();
  return result !== undefined;
}

/** Spent challenges past their expiry can never verify again: forget them. */
export async function forgetExpiredChallenges(db: Db, now = new Date()): Promise<number> {
  const result = await db
    .deleteFrom('spent_challenges')
    .where('expires_on', '<', today(now))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
