// Fetches a proof-of-work challenge and solves it in a Web Worker (or, if
// workers are unavailable, on this thread). The server checks it and spends it
// once: the answer goes into the body of the write it protects.
import { type Challenge, type Proof, api } from './api.ts';

interface Solution {
  counter: number;
  derivedKey: string;
  time?: number;
}

/**
 * The worker's script: its asset in the served page; in the saved page, a file
 * opened from disk, a blob: URL made from the code it carries (a file:// page
 * cannot start a worker from a file, and its CSP allows `worker-src blob:`).
 */
function workerScript(): { url: string; done: () => void } {
  if (!__SEALBOX_POW_WORKER_SOURCE__) return { url: __SEALBOX_POW_WORKER__, done: () => {} };
  const url = URL.createObjectURL(
    new Blob([__SEALBOX_POW_WORKER_SOURCE__], { type: 'text/javascript' }),
  );
  return { url, done: () => URL.revokeObjectURL(url) };
}

function solveInWorker(challenge: Challenge): Promise<Solution> {
  return new Promise((resolve, reject) => {
    const script = workerScript();
    let worker: Worker;
    try {
      worker = new Worker(script.url);
    } catch (error) {
      script.done();
      throw error;
    }
    worker.onmessage = (event: MessageEvent<{ solution?: Solution | null; error?: string }>) => {
      worker.terminate();
      script.done();
      if (event.data.solution) resolve(event.data.solution);
      else reject(new Error(event.data.error ?? 'proof of work timed out'));
    };
    worker.onerror = (event) => {
      worker.terminate();
      script.done();
      event.preventDefault();
      reject(new Error('proof of work worker failed'));
    };
    worker.postMessage(challenge);
  });
}

async function solveHere(challenge: Challenge): Promise<Solution> {
  const [{ solveChallenge }, pbkdf2, sha] = await Promise.all([
    import('altcha-lib'),
    import('altcha-lib/algorithms/web/pbkdf2'),
    import('altcha-lib/algorithms/web/sha'),
  ]);
  const deriveKey = challenge.parameters.algorithm.startsWith('PBKDF2/')
    ? pbkdf2.deriveKey
    : sha.deriveKey;
  const solution = await solveChallenge({
    challenge: challenge as unknown as Parameters<typeof solveChallenge>[0]['challenge'],
    deriveKey,
    timeout: 600_000,
  });
  if (!solution) throw new Error('proof of work timed out');
  return solution;
}

/** A fresh challenge, solved: the proof a write carries in its `challenge` field. */
export async function proofOfWork(): Promise<Proof> {
  const challenge = await api.challenge();
  let solution: Solution;
  try {
    solution = await solveInWorker(challenge);
  } catch {
    solution = await solveHere(challenge);
  }
  return { challenge, solution: { counter: solution.counter, derivedKey: solution.derivedKey } };
}
