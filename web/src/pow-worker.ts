// Proof of work off the main thread, so the page stays responsive on a slow phone.
// Receives an altcha challenge, answers with the solution (or an error message).
import { solveChallenge } from 'altcha-lib';
import { deriveKey as pbkdf2 } from 'altcha-lib/algorithms/web/pbkdf2';
import { deriveKey as sha } from 'altcha-lib/algorithms/web/sha';
import type { Challenge } from 'altcha-lib';

self.onmessage = async (event: MessageEvent<Challenge>) => {
  const challenge = event.data;
  const deriveKey = challenge.parameters.algorithm.startsWith('PBKDF2/') ? pbkdf2 : sha;
  try {
    const solution = await solveChallenge({ challenge, deriveKey, timeout: 600_000 });
    self.postMessage({ solution });
  } catch (error) {
    self.postMessage({ error: error instanceof Error ? error.message : 'proof of work failed' });
  }
};
