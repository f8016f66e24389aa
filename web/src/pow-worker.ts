// Proof of work off the main thread, so the page stays responsive on a slow phone.
// Receives an altcha challenge, answers with the solution (or an error message);
// or, asked to measure, solves a challenge of its own whose answer is a known
// number of tries away and answers with the tries per second it managed.
import { solveChallenge } from 'altcha-lib';
import { deriveKey as pbkdf2 } from 'altcha-lib/algorithms/web/pbkdf2';
import { deriveKey as sha } from 'altcha-lib/algorithms/web/sha';
import type { Challenge } from 'altcha-lib';
import { measureRate } from './pow-rate.ts';

self.onmessage = async (event: MessageEvent<Challenge | { measure: number }>) => {
  const message = event.data;
  try {
    if ('measure' in message) {
      self.postMessage({ rate: await measureRate(message.measure, sha) });
      return;
    }
    const deriveKey = message.parameters.algorithm.startsWith('PBKDF2/') ? pbkdf2 : sha;
    const solution = await solveChallenge({ challenge: message, deriveKey, timeout: 600_000 });
    self.postMessage({ solution });
  } catch (error) {
    self.postMessage({ error: error instanceof Error ? error.message : 'proof of work failed' });
  }
};
