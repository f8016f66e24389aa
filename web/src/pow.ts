// Fetches a proof-of-work challenge and solves it in a Web Worker (or, if
// workers are unavailable, on this thread). The server checks it and spends it
// once: the answer goes into the body of the write it protects.
import { type Challenge, type Proof, api } from './api.ts';

interface Solution {
  counter: number;
  derivedKey: string;
  time?: number;
}

/** Tries measured for the device's rate: a few tens of milliseconds on a phone. */
const MEASURE_TRIES = 4_000;

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

/** Cancelled work: the person asked to try harder. */
export class Abandoned extends Error {
  constructor() {
    super('proof of work abandoned');
    this.name = 'Abandoned';
  }
}

function inWorker<T>(message: unknown, pick: (data: T) => unknown, signal?: AbortSignal) {
  return new Promise<unknown>((resolve, reject) => {
    const script = workerScript();
    let worker: Worker;
    try {
      worker = new Worker(script.url);
    } catch (error) {
      script.done();
      throw error;
    }
    const stop = () => {
      worker.terminate();
      script.done();
      signal?.removeEventListener('abort', abandon);
    };
    const abandon = () => {
      stop();
      reject(new Abandoned());
    };
    signal?.addEventListener('abort', abandon);
    worker.onmessage = (event: MessageEvent<T & { error?: string }>) => {
      stop();
      const value = pick(event.data);
      if (value) resolve(value);
      else reject(new Error(event.data.error ?? 'proof of work timed out'));
    };
    worker.onerror = (event) => {
      stop();
      event.preventDefault();
      reject(new Error('proof of work worker failed'));
    };
    worker.postMessage(message);
  });
}

async function altcha() {
  const [{ solveChallenge }, pbkdf2, sha] = await Promise.all([
    import('altcha-lib'),
    import('altcha-lib/algorithms/web/pbkdf2'),
    import('altcha-lib/algorithms/web/sha'),
  ]);
  return { solveChallenge, pbkdf2: pbkdf2.deriveKey, sha: sha.deriveKey };
}

async function solveHere(challenge: Challenge, signal?: AbortSignal): Promise<Solution> {
  const { solveChallenge, pbkdf2, sha } = await altcha();
  const controller = new AbortController();
  signal?.addEventListener('abort', () => controller.abort());
  const solution = await solveChallenge({
    challenge: challenge as unknown as Parameters<typeof solveChallenge>[0]['challenge'],
    deriveKey: challenge.parameters.algorithm.startsWith('PBKDF2/') ? pbkdf2 : sha,
    timeout: 600_000,
    controller,
  });
  if (signal?.aborted) throw new Abandoned();
  if (!solution) throw new Error('proof of work timed out');
  return solution;
}

/** Solves a challenge fetched already; `signal` abandons it. */
export async function solve(challenge: Challenge, signal?: AbortSignal): Promise<Proof> {
  const bare = { parameters: challenge.parameters, signature: challenge.signature };
  let solution: Solution;
  try {
    solution = (await inWorker<{ solution?: Solution | null }>(
      bare,
      (data) => data.solution,
      signal,
    )) as Solution;
  } catch (error) {
    if (error instanceof Abandoned) throw error;
    solution = await solveHere(bare, signal);
  }
  return {
    challenge: bare,
    solution: { counter: solution.counter, derivedKey: solution.derivedKey },
  };
}

/** A fresh challenge at level 0, solved: the proof an upload or a follow-up carries. */
export async function proofOfWork(level = 0): Promise<Proof> {
  return solve(await api.challenge(level));
}

let measured: Promise<number> | undefined;

/** This device's proof-of-work tries per second, measured once per visit. */
export function deviceRate(): Promise<number> {
  measured ??= (async () => {
    try {
      return (await inWorker<{ rate?: number }>(
        { measure: MEASURE_TRIES },
        (data) => data.rate,
      )) as number;
    } catch {
      const [{ measureRate }, { sha }] = await Promise.all([import('./pow-rate.ts'), altcha()]);
      return measureRate(MEASURE_TRIES, sha);
    }
  })();
  return measured;
}
