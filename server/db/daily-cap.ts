// The daily cap on new cases, at a constant cost per submission. The database
// holds one row per day: how many admissions instances have reserved that
// day, a date and a number, never more than the cap. Each instance reserves
// admissions in blocks and hands them out from memory, so a submission
// usually costs no query here at all.
//
// Why not raise the row in every submission's own transaction: concurrent
// upserts of one row queue on its lock until each transaction has committed,
// and a commit waits for the write-ahead log to reach the disk, so every
// submission in the service would wait for every other one's flush, one at a
// time (measured in docs/benchmarks.md).
//
// Correctness: a reservation is one upsert that refuses to pass the cap, so
// between them instances never admit more than the cap. An admission taken
// and not used (the case was refused or failed) is given back to the
// instance's own allowance, never to the database; what an instance holds
// when it stops is lost for the day. So the cap can end a day slightly
// before that many cases exist, never after. Blocks shrink as the day fills
// (to one at a time in the last 256), so what other instances hold unused
// when one is refused stays small.
import type { Db } from './database.ts';

export const MAX_BLOCK = 32;

/**
 * Reserves `wanted` admissions on `day` if that stays within `cap`, else one
 * if that does. Returns how many were granted and the day's count after.
 */
export async function reserveAdmissions(
  db: Db,
  day: string,
  wanted: number,
  cap: number,
): Promise<{ granted: number; count: number }> {
  for (const n of wanted > 1 ? [Math.min(wanted, cap), 1] : [1]) {
    const row = await db
      .insertInto('submissions_per_day')
      .values({ day, count: n })
      .onConflict((oc) =>
        oc
          .column('day')
          .doUpdateSet((eb) => ({ count: eb('submissions_per_day.count', '+', n) }))
          .where((eb) => eb(eb('submissions_per_day.count', '+', n), '<=', cap)),
      )
      .returning('count')
      .executeTakeFirst();
    if (row) return { granted: n, count: row.count };
  }
  return { granted: 0, count: cap };
}

/** Which cap an admission was reserved under: the soft cap, or past it up to the hard cap. */
export type CapPool = 'soft' | 'hard';

/**
 * One instance's admissions for the current day, reserved from the database in
 * blocks: within the soft cap for any proof, and past it, up to the hard cap,
 * for top-level proofs only (the route decides which it asks for).
 */
export class DailyAllowance {
  private day = '';
  private left: Record<CapPool, number> = { soft: 0, hard: 0 };
  private full: Record<CapPool, boolean> = { soft: false, hard: false };
  private lastCount = 0;
  private refilling: Promise<void> | undefined;
  private readonly caps: Record<CapPool, number>;

  /**
   * `commit` runs a reservation in a transaction of its choosing: the app
   * hands in its commit window (db/commit-window.ts), since the first
   * reservation of a day would otherwise commit at the exact time of that
   * day's first submission. `onCount` hears the day's count after each
   * reservation (the load monitor's day-fill level, server/load.ts).
   */
  constructor(
    private readonly db: Db,
    cap: number | { soft: number; hard: number },
    private readonly commit: <T>(work: (db: Db) => Promise<T>) => Promise<T> = (work) => work(db),
    private readonly onCount: (day: string, count: number) => void = () => {},
  ) {
    this.caps = typeof cap === 'number' ? { soft: cap, hard: cap } : cap;
  }

  /** Takes one admission for `day` within the soft cap; false when the soft cap is reached. */
  take(day: string): Promise<boolean> {
    return this.takeFrom(day, 'soft');
  }

  /**
   * Takes one admission for `day` past the soft cap, up to the hard cap (for a
   * top-level proof once take() said no); false when the hard cap is reached.
   */
  takeAboveSoft(day: string): Promise<boolean> {
    return this.takeFrom(day, 'hard');
  }

  /** Whether the hard cap of `day` is known to be reached (nothing more today). */
  isFull(day: string): boolean {
    return day === this.day && this.full.hard;
  }

  private async takeFrom(day: string, pool: CapPool): Promise<boolean> {
    for (;;) {
      if (day < this.day) {
        // A request that began before midnight: one admission straight from
        // the database, outside the allowance, which has moved to the new day.
        const { granted } = await this.commit((db) =>
          reserveAdmissions(db, day, 1, this.caps[pool]),
        );
        return granted > 0;
      }
      if (day > this.day) {
        this.day = day;
        this.left = { soft: 0, hard: 0 };
        this.full = { soft: false, hard: false };
        this.lastCount = 0;
      }
      // What was reserved within the soft cap serves either pool.
      for (const from of pool === 'soft' ? (['soft'] as const) : (['soft', 'hard'] as const)) {
        if (this.left[from] > 0) {
          this.left[from]--;
          return true;
        }
      }
      // The day's count never falls, so a full day stays full.
      if (this.full[pool]) return false;
      // One reservation at a time: requests arriving meanwhile wait for it.
      this.refilling ??= this.refill(day, pool).finally(() => (this.refilling = undefined));
      await this.refilling;
    }
  }

  /** Returns an admission taken for `day` (from `pool`) that no case used. */
  giveBack(day: string, pool: CapPool = 'soft'): void {
    if (day === this.day) this.left[pool]++;
  }

  private async refill(day: string, pool: CapPool): Promise<void> {
    const cap = this.caps[pool];
    const block = Math.min(MAX_BLOCK, Math.max(1, Math.floor((cap - this.lastCount) / 128)));
    const { granted, count } = await this.commit((db) => reserveAdmissions(db, day, block, cap));
    if (day !== this.day) return;
    this.left[pool] += granted;
    this.lastCount = Math.max(this.lastCount, count);
    if (granted === 0) this.full[pool] = true;
    this.onCount(day, count);
  }
}
