// The levels instances publish (server/load.ts): a level per instance and
// when it lapses. The expiry is the only time here, and it is set by the
// instance's own refresh clock, not by any request.
import { sql } from 'kysely';
import type { Db } from './database.ts';

/** Publishes `instance`'s level for `ttlSeconds`; level 0 withdraws its row. */
export async function publishLevel(
  db: Db,
  instance: string,
  level: number,
  ttlSeconds: number,
): Promise<void> {
  if (level === 0) {
    await db.deleteFrom('effort_levels').where('instance', '=', instance).execute();
    return;
  }
  const expires = sql<Date>`now() + ${ttlSeconds}::integer * interval '1 second'`;
  await db
    .insertInto('effort_levels')
    .values({ instance, level, expires_at: expires })
    .onConflict((oc) => oc.column('instance').doUpdateSet({ level, expires_at: expires }))
    .execute();
}

/** The highest level any instance publishes now (0 when none), forgetting lapsed ones. */
export async function sharedLevel(db: Db): Promise<number> {
  await db
    .deleteFrom('effort_levels')
    .where('expires_at', '<=', sql<Date>`now()`)
    .execute();
  const row = await db
    .selectFrom('effort_levels')
    .select((eb) => eb.fn.max('level').as('level'))
    .executeTakeFirst();
  return row?.level ?? 0;
}

/** The admissions reserved for `day` across instances (db/daily-cap.ts). */
export async function admissionsOn(db: Db, day: string): Promise<number> {
  const row = await db
    .selectFrom('submissions_per_day')
    .select('count')
    .where('day', '=', day)
    .executeTakeFirst();
  return row?.count ?? 0;
}
