// The levels instances publish (server/load.ts): a level per instance and a
// heartbeat it bumps on every refresh. No time is stored: a reader decides by
// its own clock that a row whose heartbeat stopped moving is stale.
import { sql } from 'kysely';
import type { Db } from './database.ts';

export interface PublishedLevel {
  instance: string;
  level: number;
  heartbeat: number;
}

/** Publishes `instance`'s level and bumps its heartbeat; level 0 withdraws its row. */
export async function publishLevel(db: Db, instance: string, level: number): Promise<void> {
  if (level === 0) {
    await db.deleteFrom('effort_levels').where('instance', '=', instance).execute();
    return;
  }
  await db
    .insertInto('effort_levels')
    .values({ instance, level, heartbeat: 0 })
    .onConflict((oc) =>
      oc.column('instance').doUpdateSet({
        level,
        heartbeat: sql<number>`(effort_levels.heartbeat + 1) % 1000000`,
      }),
    )
    .execute();
}

/** Every level published now. */
export async function publishedLevels(db: Db): Promise<PublishedLevel[]> {
  return db.selectFrom('effort_levels').select(['instance', 'level', 'heartbeat']).execute();
}

/** Forgets a row found stale, unless its heartbeat moved meanwhile. */
export async function forgetLevel(db: Db, row: PublishedLevel): Promise<void> {
  await db
    .deleteFrom('effort_levels')
    .where('instance', '=', row.instance)
    .where('heartbeat', '=', row.heartbeat)
    .execute();
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
