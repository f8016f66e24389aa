// The minimum proof-of-work level a new case needs now, shared by every
// instance. It is the operator's pinned level if there is one, else the
// highest of: this instance's rate level, the highest rate level any instance
// publishes, and the level of the day's fill (server/effort.ts).
//
// Each instance counts its admissions in memory, in ten slices of the window
// (counts, never times), and publishes only the level they give, with a
// heartbeat, on its own refresh clock (db/effort-levels.ts): the database
// never learns when cases arrived, nor any time. A row whose heartbeat has
// not moved for three refreshes, by the reader's own clock, is stale and
// forgotten, so an instance that stopped leaves nothing behind for long.
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from './db/database.ts';
import { today } from './db/dates.ts';
import { admissionsOn, forgetLevel, publishLevel, publishedLevels } from './db/effort-levels.ts';
import { dayFillLevel, rateLevel } from './effort.ts';

const SLICES = 10;

/** What GET /v1/challenge tells a client about the load. */
export interface LoadState {
  minimumLevel: number;
  topLevel: number;
  /** The minimum level is raised, by load or by the operator. */
  busy: boolean;
}

export interface LoadOptions {
  topLevel: number;
  pinnedLevel: number | undefined;
  windowMs: number;
  busyAdmissions: number;
  softCap: number;
  hardCap: number;
  now?: () => number;
}

export class LoadMonitor {
  readonly instance = randomBytes(12).toString('base64url');
  private readonly slices = new Array<number>(SLICES).fill(0);
  private slice = 0;
  private shared = 0;
  private day = '';
  private dayCount = 0;
  /** Other instances' heartbeats as last seen, and when (this instance's clock) they last moved. */
  private readonly heartbeats = new Map<string, { heartbeat: number; movedAt: number }>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly db: Db,
    private readonly options: LoadOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** How often the instance publishes and reads levels: a twentieth of the window, 0.2–10 s. */
  get refreshMs(): number {
    return Math.min(10_000, Math.max(200, Math.floor(this.options.windowMs / 20)));
  }

  get topLevel(): number {
    return this.options.topLevel;
  }

  /** Counts one new case admitted by this instance. */
  recordAdmission(): void {
    this.advance();
    this.slices[this.slice % SLICES]!++;
  }

  /** Tells the monitor a day count learnt elsewhere (the daily allowance's reservations). */
  noteDayCount(day: string, count: number): void {
    if (day > this.day) {
      this.day = day;
      this.dayCount = count;
    } else if (day === this.day) this.dayCount = Math.max(this.dayCount, count);
  }

  /** Admissions this instance made in the last window (to a tenth of it). */
  windowAdmissions(): number {
    this.advance();
    return this.slices.reduce((a, b) => a + b, 0);
  }

  /** The level this instance's own rate asks for. */
  localLevel(): number {
    return rateLevel(this.windowAdmissions(), this.options.busyAdmissions, this.options.topLevel);
  }

  minimumLevel(day = today(new Date(this.now()))): number {
    const { pinnedLevel, topLevel, softCap } = this.options;
    const count = day === this.day ? this.dayCount : 0;
    // Past the soft cap only the top level opens a case, pinned or not.
    if (count >= softCap) return topLevel;
    if (pinnedLevel !== undefined) return pinnedLevel;
    return Math.max(this.localLevel(), this.shared, dayFillLevel(count, softCap, topLevel));
  }

  /** Whether the day's count is known to have reached the hard cap: no new case at any level. */
  dayClosed(day = today(new Date(this.now()))): boolean {
    return day === this.day && this.dayCount >= this.options.hardCap;
  }

  state(): LoadState {
    const minimumLevel = this.minimumLevel();
    return { minimumLevel, topLevel: this.options.topLevel, busy: minimumLevel > 0 };
  }

  /** Publishes this instance's level, reads the highest published and the day's count. */
  refresh(): Promise<void> {
    this.refreshing ??= this.doRefresh().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const day = today(new Date(this.now()));
    await publishLevel(this.db, this.instance, this.localLevel());
    const now = this.now();
    const staleAfter = 3 * this.refreshMs;
    let shared = 0;
    const seen = new Set<string>();
    for (const row of await publishedLevels(this.db)) {
      seen.add(row.instance);
      const last = this.heartbeats.get(row.instance);
      if (row.instance === this.instance || !last || last.heartbeat !== row.heartbeat) {
        this.heartbeats.set(row.instance, { heartbeat: row.heartbeat, movedAt: now });
      } else if (now - last.movedAt > staleAfter) {
        await forgetLevel(this.db, row);
        this.heartbeats.delete(row.instance);
        continue;
      }
      shared = Math.max(shared, row.level);
    }
    for (const instance of this.heartbeats.keys()) {
      if (!seen.has(instance)) this.heartbeats.delete(instance);
    }
    this.shared = shared;
    this.noteDayCount(day, await admissionsOn(this.db, day));
  }

  /** Refreshes on a timer until stop(); a failed refresh is logged and the next one tried. */
  start(log: FastifyBaseLogger): void {
    const tick = () => {
      this.refresh().catch((error: unknown) => {
        log.warn({ code: (error as { code?: unknown }).code }, 'effort level refresh failed');
      });
    };
    tick();
    this.timer = setInterval(tick, this.refreshMs);
    this.timer.unref();
  }

  /** Stops refreshing and withdraws this instance's level. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.refreshing?.catch(() => undefined);
    await publishLevel(this.db, this.instance, 0).catch(() => undefined);
  }

  private advance(): void {
    const current = Math.floor(this.now() / (this.options.windowMs / SLICES));
    if (this.slice === 0) this.slice = current;
    for (let s = this.slice + 1; s <= Math.min(current, this.slice + SLICES); s++) {
      this.slices[s % SLICES] = 0;
    }
    if (current > this.slice) this.slice = current;
  }
}
