// Housekeeping that any instance may run at any time (running it twice, or on
// two instances at once, is harmless): spent challenges past their expiry,
// and uploads that never became part of a case within the retention period.
import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import { forgetExpiredChallenges } from './db/challenges.ts';
import { addDays, today } from './db/dates.ts';
import { forgetUnclaimedUploads } from './db/uploads.ts';

export const MAINTENANCE_INTERVAL_MS = 6 * 3600 * 1000;

export async function runMaintenance(
  db: Db,
  config: Pick<Config, 'retentionDays'>,
  now = new Date(),
): Promise<{ challenges: number; uploads: number }> {
  const challenges = await forgetExpiredChallenges(db, now);
  const uploads = await forgetUnclaimedUploads(db, addDays(today(now), -config.retentionDays));
  return { challenges, uploads };
}
