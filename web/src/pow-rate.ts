// How fast this device solves proofs of work: a challenge made here, unsigned,
// whose answer is `tries` tries away, timed. Nothing leaves the page; the
// figure only turns an effort level into a time a person can plan with.
import { createChallenge, solveChallenge } from 'altcha-lib';
import type { DeriveKeyFunction } from 'altcha-lib';

/** Tries per second over `tries` tries of SHA-256, altcha's deterministic mode. */
export async function measureRate(tries: number, deriveKey: DeriveKeyFunction): Promise<number> {
  const challenge = await createChallenge({
    algorithm: 'SHA-256',
    cost: 1,
    counter: tries,
    deriveKey,
  });
  const start = performance.now();
  const solution = await solveChallenge({ challenge, deriveKey, timeout: 60_000 });
  const seconds = Math.max(0.001, (performance.now() - start) / 1000);
  if (!solution) throw new Error('proof of work timed out');
  return (solution.counter + 1) / seconds;
}
