// The proof of work for a new case, at the effort the service asks for now
// (docs/api.md, "Effort levels"). When it is not busy, one level-0 proof, as
// ever. When it is busy, the person is told how long this device will take
// (busy-notice.ts), from the device's measured rate and the level's work, and
// may ask to try harder: the work so far is dropped and a challenge one level
// up is solved instead. A refusal for too low an effort (the minimum rose
// while this device worked) is answered at the new minimum: that proof was
// not spent. A new case's files come here too (each upload costs what a case
// costs now); follow-ups and their files never do: they take level 0.
import { type ChallengeAnswer, type Proof, api, isEffortTooLow } from './api.ts';
import type { BusyNotice } from './busy-notice.ts';
import { Abandoned, deviceRate, solve } from './pow.ts';

/** Raises past this many refusals are the caller's to show (the service is still climbing). */
const MAX_RAISES = 4;

/** Expected seconds for a level's work on this device, or undefined when it cannot be told. */
async function expectedSeconds(difficulty: number | undefined): Promise<number | undefined> {
  if (typeof difficulty !== 'number' || !(difficulty > 0)) return undefined;
  try {
    // On average a solver tries half the counter's range.
    return difficulty / 2 / (await deviceRate());
  } catch {
    return undefined;
  }
}

/** Rejects with Abandoned when `signal` aborts, else settles as `work` does. */
function unlessAbandoned<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    signal.addEventListener('abort', () => reject(new Abandoned()));
    work.then(resolve, reject);
  });
}

/**
 * Solves a proof for a new case and sends it with `send`; answers what `send`
 * answers. `notice` shows the busy state, and is cleared at the end.
 */
export async function sendNewCase<T>(
  notice: BusyNotice,
  send: (proof: Proof) => Promise<T>,
): Promise<T> {
  const first = await api.challenge();
  let top = first.load?.topLevel ?? 0;
  // Level 0's range: each level doubles it.
  const base = first.difficulty;
  let level = first.load?.minimumLevel ?? 0;
  let challenge: ChallengeAnswer | undefined = level === 0 ? first : undefined;
  let reason: 'busy' | 'busier' = 'busy';
  let raises = 0;
  try {
    for (;;) {
      const controller = new AbortController();
      if (level > 0) {
        const seconds = await expectedSeconds(base === undefined ? undefined : base * 2 ** level);
        const next = Math.min(top, level + 1);
        notice.show({ reason, seconds, canTryHarder: level < top }, () => {
          level = next;
          controller.abort();
        });
      }
      let proof: Proof;
      try {
        challenge ??= await unlessAbandoned(api.challenge(level), controller.signal);
        proof = await solve(challenge, controller.signal);
      } catch (error) {
        if (!(error instanceof Abandoned)) throw error;
        challenge = undefined;
        continue;
      }
      notice.solved();
      try {
        return await send(proof);
      } catch (error) {
        if (!isEffortTooLow(error) || raises >= MAX_RAISES) throw error;
        raises += 1;
        reason = 'busier';
        level = error.minimumLevel;
        top = Math.max(top, level);
        challenge = undefined;
      }
    }
  } finally {
    notice.clear();
  }
}
