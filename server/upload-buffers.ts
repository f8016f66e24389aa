// Upload parts held in memory at once, and the buffers they are read into. A
// part is read whole before it is stored (one row per part), so each part in
// flight costs its size. Reusing a few buffers instead of allocating one per
// part keeps the largest allocations out of the garbage collector's way.
//
// The rest is V8's: the request's chunks and the message the database driver
// builds are fresh buffers for every part, and V8 frees a dead buffer only at
// a collection. Left to itself it let 50–65 MiB of them pile up while a large
// attachment arrived; a young-generation collection every 100 ms, for the
// whole life of the process (started only when parts arrive, it did not help),
// kept the growth at 16–26 MiB with 1 MiB parts (docs/benchmarks.md). Each
// takes about 0.5–1 ms at rest, a few ms while parts arrive.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options: { type: 'minor' }) => void;

/**
 * V8's `gc` function: the global one if the process was started with
 * --expose-gc, otherwise from a new context made while the flag is briefly on
 * (the flag only decides whether new contexts get the function).
 */
function youngCollection(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: Collect }).gc;
  if (exposed) return () => exposed({ type: 'minor' });
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('globalThis.gc') as Collect | undefined;
    return gc && (() => gc({ type: 'minor' }));
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

let collecting: NodeJS.Timeout | undefined;

/**
 * Starts the young-generation collections (once per process; bin/main.ts does
 * at start); false if V8 offers none.
 */
export function collectYoungGeneration(everyMs: number): boolean {
  if (collecting) return true;
  const collect = youngCollection();
  if (!collect) return false;
  collecting = setInterval(collect, everyMs);
  collecting.unref();
  return true;
}

export interface PartBuffer {
  /** Exactly the part's length. */
  bytes: Uint8Array;
}

interface Waiter {
  resolve: (granted: boolean) => void;
  timer: NodeJS.Timeout;
}

export class PartBuffers {
  private inUse = 0;
  private readonly free: Uint8Array[] = [];
  private readonly waiting: Waiter[] = [];
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limits: {
      /** Parts in memory at once; more wait for a turn. */
      slots: number;
      /** How long a part may wait for a turn before it is refused. */
      waitMs: number;
      /** Parts that may wait at once; more are refused at once. */
      queue: number;
      /** Free buffers are dropped after this long without a part. */
      idleMs: number;
    },
  ) {}

  /** A buffer of `length` bytes, or undefined when no turn came in time. */
  async acquire(length: number): Promise<PartBuffer | undefined> {
    if (this.inUse >= this.limits.slots) {
      if (this.waiting.length >= this.limits.queue) return undefined;
      const granted = await new Promise<boolean>((resolve) => {
        const waiter: Waiter = {
          resolve,
          timer: setTimeout(() => {
            this.waiting.splice(this.waiting.indexOf(waiter), 1);
            resolve(false);
          }, this.limits.waitMs),
        };
        this.waiting.push(waiter);
      });
      // A granted turn was handed over by `release` with `inUse` unchanged.
      if (!granted) return undefined;
    } else {
      this.inUse += 1;
    }
    clearTimeout(this.idleTimer);
    let buffer = this.free.pop();
    if (!buffer || buffer.length < length) buffer = new Uint8Array(length);
    return { bytes: buffer.subarray(0, length) };
  }

  /**
   * Ends a part's turn. `reuse: false` when something still holds the bytes;
   * the buffer is then left to the garbage collector.
   */
  release(part: PartBuffer, reuse = true): void {
    if (reuse && this.free.length < this.limits.slots) {
      this.free.push(new Uint8Array(part.bytes.buffer));
    }
    const next = this.waiting.shift();
    if (next) {
      clearTimeout(next.timer);
      next.resolve(true);
      return;
    }
    this.inUse -= 1;
    if (this.inUse === 0) {
      this.idleTimer = setTimeout(() => (this.free.length = 0), this.limits.idleMs);
      this.idleTimer.unref();
    }
  }

  /** Parts in memory, parts waiting, free buffers kept (for tests). */
  get size(): { inUse: number; waiting: number; free: number } {
    return { inUse: this.inUse, waiting: this.waiting.length, free: this.free.length };
  }
}
