// Anonymous writes commit together, at window boundaries. PostgreSQL (and so
// PGlite) writes the time of every commit into the write-ahead log, to the
// microsecond; a submission committed on its own would leave its exact time on
// the disk however coarse the columns are. Here every anonymous write of a
// window joins one transaction that commits at the window's end, so the log
// holds one commit time per window and instance, shared by everyone in it.
//
// - Boundaries are multiples of the window on the wall clock, the same for
//   every instance; an instance keeps nothing between windows but the writes
//   waiting for the next one, so instances stay interchangeable.
// - A write is answered only after its window's COMMIT has returned: nothing
//   is acknowledged before it is on disk. A failed COMMIT fails every write
//   of the window.
// - Each write runs in its own savepoint: one that throws is undone alone and
//   its caller gets the error, the others commit.
// - The writes of a window run in random order, so neither the order of the
//   log records nor the sequence numbers they draw tell arrival order apart
//   within a window.
//
// Window 0 turns this off: every write commits at once in its own
// transaction, as plain code would.
import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import type { Db } from './database.ts';
import type { Database } from './tables.ts';

export type Work<T> = (trx: Transaction<Database>) => Promise<T>;

interface Pending {
  work: Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** The next multiple of `windowMs` after `now` (wall clock). */
export function nextBoundary(windowMs: number, now = Date.now()): number {
  return (Math.floor(now / windowMs) + 1) * windowMs;
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * Runs `work` in a savepoint of `trx`: on an error its writes are undone and
 * the error returned, while what `trx` did before stays (a spent proof of
 * work outlives the case it failed to admit).
 */
export async function undoOnError<T>(
  trx: Transaction<Database>,
  work: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  await sql`savepoint sealbox_step`.execute(trx);
  try {
    const value = await work();
    await sql`release savepoint sealbox_step`.execute(trx);
    return { ok: true, value };
  } catch (error) {
    await sql`rollback to savepoint sealbox_step`.execute(trx);
    return { ok: false, error };
  }
}

export class CommitWindow {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Windows committed since the last `takeCommitted()` (the WAL purge asks). */
  private committed = 0;

  constructor(
    private readonly db: Db,
    readonly windowMs: number,
  ) {}

  /** Runs `work` in the transaction of the next window; resolves once that has committed. */
  run<T>(work: Work<T>): Promise<T> {
    if (this.windowMs === 0) {
      return this.db
        .transaction()
        .execute(work)
        .finally(() => this.committed++);
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  /** How many windows committed writes since the last call. */
  takeCommitted(): number {
    const n = this.committed;
    this.committed = 0;
    return n;
  }

  /** Waits until every write handed in so far has committed (or failed). */
  async settle(): Promise<void> {
    while (this.queue.length > 0 || this.running) {
      await (this.running ?? new Promise((resolve) => setTimeout(resolve, this.windowMs)));
    }
  }

  private schedule(): void {
    if (this.timer || this.running || this.queue.length === 0) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.running = this.commitWindow().finally(() => {
          this.running = undefined;
          this.schedule();
        });
      },
      nextBoundary(this.windowMs) - Date.now(),
    );
  }

  private async commitWindow(): Promise<void> {
    const batch = shuffle(this.queue);
    this.queue = [];
    let outcomes: Outcome[];
    try {
      outcomes = await this.db.transaction().execute(async (trx) => {
        const done: Outcome[] = [];
        // Savepoints of one name nest: a write's own undoOnError inside is the newer one.
        for (const pending of batch) done.push(await undoOnError(trx, () => pending.work(trx)));
        return done;
      });
      this.committed++;
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }
}
