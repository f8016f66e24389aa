// Effort levels: a proof of work at level k costs 2^k times the base
// difficulty. The minimum level a new case needs follows load (server/load.ts)
// from two signs, each turned into a level here:
//
// - the rate: admissions in the recent window, one level per doubling above
//   the busy rate, so a flood that doubles its rate doubles its price per case;
// - the day's fill: from half the soft cap the level climbs evenly to the top
//   at the soft cap, and past it only the top level opens a case (up to the
//   hard cap), so the last part of a day costs the most.
//
// The arithmetic behind the defaults is in docs/threat-model.md ("Flooding").

/** The secret counter's range at `level`: the work a client does is half of it on average. */
export function difficultyAt(base: number, level: number): number {
  return base * 2 ** level;
}

/** 0 below `busy` admissions in the window; then one more level per doubling, up to `top`. */
export function rateLevel(admissions: number, busy: number, top: number): number {
  if (admissions < busy) return 0;
  return Math.min(top, Math.floor(Math.log2(admissions / busy)) + 1);
}

/**
 * 0 until half the soft cap is taken, then evenly up to `top` at the soft
 * cap; `top` from there on.
 */
export function dayFillLevel(count: number, softCap: number, top: number): number {
  const half = softCap / 2;
  if (count < half) return 0;
  if (count >= softCap) return top;
  return Math.min(top, Math.ceil(((count - half) / half) * top));
}
