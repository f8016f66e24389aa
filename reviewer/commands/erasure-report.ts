// What erasure did, in words for a reviewer who is not a technician: shared
// by `reviewer epochs` and `review open`, which both erase due keys.
import type { ErasedKey } from '../cases/records.ts';
import type { ErasureStanding } from '../epochs/erasure.ts';

const name = (epoch: number): string =>
  epoch === 0 ? 'your original key (from before weekly keys)' : `key ${epoch}`;

export function describeErasure(
  erased: readonly ErasedKey[],
  kept: readonly ErasureStanding[],
): string[] {
  const lines: string[] = [];
  if (erased.length > 0) {
    lines.push(
      `Erased for good: ${erased.map((e) => name(e.epoch)).join(', ')}. Reports sealed to ${erased.length > 1 ? 'them' : 'it'} can no longer be opened with your key file and passphrase, by you or by anyone who takes them.`,
    );
    lines.push(
      'What you opened before stays in the case folder, which is NOT encrypted: it is the organisation’s to protect or to delete.',
    );
  }
  for (const s of kept) {
    lines.push(`Kept for now: ${name(s.epoch)} (ended ${s.ends}); it waits for ${s.waitsFor}.`);
  }
  return lines;
}
