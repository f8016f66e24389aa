// `npm run retention`: applies the retention rules of db/retention.ts once to
// the configured database (SEALBOX_RETENTION_DAYS, SEALBOX_UPLOAD_EXPIRY_HOURS).
// Run it daily, e.g. from a systemd timer or cron; it is idempotent and safe
// next to a running server.
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { runMaintenance } from '../maintenance.ts';

const config = loadConfig();
const db = await openDatabase(config);
try {
  const report = await runMaintenance(db, config);
  console.log(
    `retention (${config.retentionDays} days, uploads ${config.upload.expiryHours} hours): ${report.casesExpired} closed case(s) expired, ` +
      `${report.uploadsForgotten} unclaimed upload(s), ${report.challengesForgotten} spent challenge(s), ` +
      `${report.replaysForgotten} courier signature record(s) forgotten`,
  );
} finally {
  await db.destroy();
}
