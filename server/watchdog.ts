// The last resort when the process stops answering. A worker thread watches a
// heartbeat that the main thread's event loop writes four times a second; when the
// heartbeat is older than the limit, the worker writes one line to stderr and
// kills the process, so that the supervisor (systemd, Docker, Kubernetes)
// starts a fresh one. A stuck event loop cannot answer anyone, and it cannot
// be unstuck from inside: PGlite that hit a full disk spins for ever (see
// plugins/storage.ts, which exists so that this is rarely needed). The
// database recovers from the kill by itself, as from a power cut.
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

// The heartbeat is the time of the last turn of the event loop, in tenths of
// a second since the watchdog started.
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const beat = new Int32Array(workerData.shared);
const limit = workerData.seconds * 10;
setInterval(() => {
  const now = Math.floor((Date.now() - workerData.epoch) / 100);
  if (now - Atomics.load(beat, 0) < limit) return;
  writeSync(2, 'sealbox: the event loop has not run for ' + workerData.seconds +
    ' s (stuck: is the data volume full?); ending the process so that it is restarted\\n');
  process.kill(workerData.pid, 'SIGKILL');
}, 250);
parentPort.postMessage('watching');
`;

export interface Watchdog {
  stop: () => Promise<void>;
}

/** Resolves once the watching thread watches (its start needs this thread's event loop). */
export async function startWatchdog(seconds: number): Promise<Watchdog | undefined> {
  if (seconds === 0) return undefined;
  const shared = new SharedArrayBuffer(4);
  const beat = new Int32Array(shared);
  const epoch = Date.now();
  const timer = setInterval(
    () => Atomics.store(beat, 0, Math.floor((Date.now() - epoch) / 100)),
    250,
  );
  timer.unref();
  const worker = new Worker(WORKER, {
    eval: true,
    execArgv: [], // plain CommonJS, whatever the process was started with
    workerData: { shared, seconds, epoch, pid: process.pid },
  });
  await once(worker, 'message');
  worker.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await worker.terminate();
    },
  };
}
