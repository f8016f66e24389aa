// When a secret may be erased (docs/protocol.md, "Reviewer erasure"). An
// epoch's seed goes once all three hold:
//   - its grace period has passed: today >= ends + grace (grace >= EPOCH_ACCEPT_DAYS);
//   - the case folder has opened, completely and with no cursor gap before
//     it, a bundle created on or after ends + EPOCH_ACCEPT_DAYS: the server
//     accepts nothing sealed to the epoch after that day, so every such item
//     was in that bundle or an earlier one, and has been opened;
//   - no item sealed to it is waiting (a follow-up whose case is not opened).
// The identity X-Wing seed (files from before epoch keys) follows the same
// rule with `ends` = the first day of the reviewer's first epoch.
import { EPOCH_ACCEPT_DAYS, addDays } from '../../client-crypto/index.ts';
import type { ReviewerSecrets } from '../../client-crypto/index.ts';
import { gaplessReach } from '../cases/coverage.ts';
import type { FolderState } from '../cases/records.ts';

export const DEFAULT_GRACE_DAYS = 14;

/** One key's standing: erase it now, or why not yet (in words for the reviewer). */
export interface ErasureStanding {
  /** Epoch number; 0 for the identity key. */
  epoch: number;
  ends: string;
  due: boolean;
  /** When not due: what it waits for. */
  waitsFor?: string;
}

function standing(
  epoch: number,
  ends: string,
  state: FolderState,
  today: string,
  grace: number,
): ErasureStanding {
  const graceOver = addDays(ends, grace);
  const needBundleFrom = addDays(ends, EPOCH_ACCEPT_DAYS);
  const reach = gaplessReach(state);
  const waiting = Object.values(state.waiting ?? {}).filter((e) => e === epoch).length;
  let waitsFor: string | undefined;
  if (today < graceOver) waitsFor = `its grace period, until ${graceOver}`;
  else if (!reach || reach.created < needBundleFrom) {
    waitsFor = `a bundle made on or after ${needBundleFrom}, opened with every bundle before it`;
  } else if (waiting > 0) {
    waitsFor = `${waiting} waiting follow-up(s) sealed to it: open the bundle with their case`;
  }
  return { epoch, ends, due: waitsFor === undefined, ...(waitsFor ? { waitsFor } : {}) };
}

/** The standing of every ended key the reviewer still holds, oldest first. */
export function erasureStandings(
  secrets: ReviewerSecrets,
  state: FolderState,
  today: string,
  grace: number,
): ErasureStanding[] {
  if (!(grace >= EPOCH_ACCEPT_DAYS)) throw new RangeError('grace below EPOCH_ACCEPT_DAYS');
  const ended = secrets.epochs.filter((e) => e.ends <= today);
  const result = ended.map((e) => standing(e.epoch, e.ends, state, today, grace));
  const first = [...secrets.epochs].sort((a, b) => a.starts.localeCompare(b.starts))[0];
  // The identity seed is kept while there is no epoch key to replace it.
  if (secrets.kemSecretKey && first && first.starts <= today) {
    result.unshift(standing(0, first.starts, state, today, grace));
  }
  return result;
}
