// Housekeeping inside the server process, on start and every six hours: the
// retention rules of db/retention.ts (also runnable alone as `npm run
// retention`). With PGlite no second process can open the database while the
// server runs, so the server applies them itself. Idempotent, and harmless
// when several instances run it at once.
import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import { today } from './db/dates.ts';
import type { RetentionReport } from './db/retention.ts';
import { applyRetention } from './db/retention.ts';

export const MAINTENANCE_INTERVAL_MS = 6 * 3600 * 1000;

export async function runMaintenance(
  db: Db,
  config: Pick<Config, 'retentionDays'>,
  now = new Date(),
): Promise<RetentionReport> {
  return applyRetention(db, { retentionDays: config.retentionDays, today: today(now) });
}
