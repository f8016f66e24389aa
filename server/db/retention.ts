// Retention: what the server may forget without asking anyone. A case that
// every reviewer can already hold offline (exported and acknowledged by a
// courier) and that a reviewer closed more than the retention period ago
// loses its ciphertext exactly as a purge statement would take it; uploads
// no case claimed (finished or not) go after SEALBOX_UPLOAD_EXPIRY_HOURS;
// spent single-use records and past days' counts go once they can no longer
// matter.
import { forgetCourierReplays } from './courier-replays.ts';
import { addDays } from './dates.ts';
import { forgetUnclaimedUploads } from './uploads.ts';
import { purgeCase } from './submissions.ts';
import type { Db } from './database.ts';

export interface RetentionReport {
  casesExpired: number;
  uploadsForgotten: number;
  challengesForgotten: number;
  replaysForgotten: number;
}

export async function applyRetention(
  db: Db,
  options: {
    retentionDays: number;
    today: string;
    /** Uploads no case claimed, created before this date, go (default: the retention cutoff). */
    unclaimedUploadsBefore?: string;
  },
): Promise<RetentionReport> {
  const cutoff = addDays(options.today, -options.retentionDays);
  return db.transaction().execute(async (trx) => {
    const acked = await trx
      .selectFrom('export_acks')
      .select((eb) => eb.fn.max('acked_seq').as('seq'))
      .executeTakeFirst();
    const exportedUpTo = Number(acked?.seq ?? 0);
    const expired = await trx
      .selectFrom('submissions')
      .select('seq')
      .where('status', '=', 'closed')
      .where('status_on', '<', cutoff)
      .where('purged_on', 'is', null)
      .where('seq', '<=', exportedUpTo)
      .execute();
    for (const { seq } of expired) await purgeCase(trx, seq, options.today);
    const uploadsForgotten = await forgetUnclaimedUploads(
      trx,
      options.unclaimedUploadsBefore ?? cutoff,
    );
    const challenges = await trx
      .deleteFrom('spent_challenges')
      .where('expires_on', '<', options.today)
      .executeTakeFirst();
    // The daily cap needs only today's count (and yesterday's, for a request
    // that began before midnight); older counts are dropped with the rest.
    await trx
      .deleteFrom('submissions_per_day')
      .where('day', '<', addDays(options.today, -1))
      .execute();
    const replaysForgotten = await forgetCourierReplays(trx, options.today);
    return {
      casesExpired: expired.length,
      uploadsForgotten,
      challengesForgotten: Number(challenges.numDeletedRows),
      replaysForgotten,
    };
  });
}
