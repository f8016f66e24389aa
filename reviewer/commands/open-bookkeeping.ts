// What `review open` does after the items are written: record the bundle if
// it was opened completely (so the folder knows how far it holds everything
// without a gap, cases/coverage.ts), keep the list of waiting follow-ups,
// and erase the secrets that are now due (epochs/erasure.ts).
import { type BundleStart, isoDate } from '../../client-crypto/index.ts';
import type { CaseFolder } from '../cases/case-folder.ts';
import { recordBundle } from '../cases/coverage.ts';
import { commitKeyChange, planErasure } from '../epochs/erase.ts';
import { DEFAULT_GRACE_DAYS } from '../epochs/erasure.ts';
import type { CommandIo } from '../io.ts';
import type { ReviewerKey } from '../keys.ts';
import { describeErasure } from './erasure-report.ts';

export interface BundleEnd {
  cursor: number;
}

export async function afterOpen(
  run: {
    folder: CaseFolder;
    key: ReviewerKey;
    /** What the run reported (review-open.ts): any failure means the bundle was not opened completely. */
    report: { bundleError: unknown; failed: readonly unknown[] };
    start: BundleStart | null;
    end: BundleEnd | null;
    now?: Date | undefined;
  },
  io: CommandIo,
): Promise<void> {
  const { folder, key, report, start, end } = run;
  const today = isoDate(run.now ?? new Date());
  // Complete: its end record arrived and verified, and no item of it failed.
  // A date later than today is not believed (a courier cannot hasten erasure
  // by dating a bundle in the future).
  const complete = start && end && !report.bundleError && report.failed.length === 0;
  if (complete && start.created <= today) {
    recordBundle(folder.state, { after: start.after, cursor: end.cursor, created: start.created });
  } else if (complete) {
    io.print(
      `This bundle says it was made on ${start.created}, after today (${today}): it does not count towards erasing old keys. Check this computer's date.`,
    );
  }
  await folder.saveState();
  const grace = folder.state.graceDays ?? DEFAULT_GRACE_DAYS;
  const plan = await planErasure(key.secrets, folder, today, grace);
  if (plan.erased.length > 0) {
    await commitKeyChange(key, folder, plan.secrets, plan.erased);
    for (const line of describeErasure(plan.erased, [])) io.print(line);
  }
}
