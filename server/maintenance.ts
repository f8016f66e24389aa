// Housekeeping inside the server process, on start and every six hours: the
// retention rules of db/retention.ts (also runnable alone as `npm run
// retention`), uploads no case claimed going SEALBOX_UPLOAD_EXPIRY_HOURS
// after the end of the day they began. With PGlite no second process can open the database while the
// server runs, so the server applies them itself. Idempotent, and harmless
// when several instances run it at once. It also checks that every reviewer
// has epoch keys for the weeks ahead, and says so in the log when not.
import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import { today } from './db/dates.ts';
import type { RetentionReport } from './db/retention.ts';
import { applyRetention } from './db/retention.ts';
import { unclaimedUploadCutoff } from './db/uploads.ts';
import type { EpochAlert } from './epochs.ts';
import { epochAlerts, epochCoverage } from './epochs.ts';

export const MAINTENANCE_INTERVAL_MS = 6 * 3600 * 1000;

export async function runMaintenance(
  db: Db,
  config: Pick<Config, 'retentionDays'> & { upload?: Pick<Config['upload'], 'expiryHours'> },
  now = new Date(),
): Promise<RetentionReport> {
  return applyRetention(db, {
    retentionDays: config.retentionDays,
    today: today(now),
    ...(config.upload
      ? { unclaimedUploadsBefore: unclaimedUploadCutoff(now, config.upload.expiryHours) }
      : {}),
  });
}

/** Where epoch key alerts go: the server's logger (pino), or a test's. */
export interface AlertLog {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * Logs a line for every reviewer whose epoch keys run out within
 * EPOCH_WARN_DAYS (warn) or have run out (error); returns the alerts. The
 * lines name reviewers and dates, never anything about a submitter.
 */
export async function checkEpochKeys(
  db: Db,
  log: AlertLog,
  now = new Date(),
): Promise<EpochAlert[]> {
  const alerts = epochAlerts(await epochCoverage(db, today(now)));
  for (const { level, message, ...fields } of alerts) log[level](fields, message);
  return alerts;
}
