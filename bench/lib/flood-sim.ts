// A day of flooding on a virtual clock, driving the server's own admission
// rules: the LoadMonitor (server/load.ts: minimum level from the recent rate
// and the day's fill, the soft and hard caps) and the TokenBucket
// (server/plugins/limits.ts), with the order of checks of the preHandler. No
// network and no hashing: every proof's work is its expected work in
// phone-core seconds (level k costs 2^k times a level-0 proof), which the
// benchmark measures on this machine and scales (bench/flood.ts).
//
// "before" is the rules before effort levels: one level, the soft cap is the
// only cap, and new cases and follow-ups share one write bucket that a proof
// takes a token from before the cap is checked. "after" is today's rules: a
// follow-up takes from its own bucket only when its lookup token names an
// open case, so the attacker's draining proofs (tokens of no case) take from
// the strangers' write bucket instead and leave the follow-ups' bucket alone.
import type { Db } from '../../server/db/database.ts';
import { dayFillLevel } from '../../server/effort.ts';
import { LoadMonitor } from '../../server/load.ts';
import { TokenBucket } from '../../server/plugins/limits.ts';

export interface FloodOptions {
  rules: 'before' | 'after';
  /** The attacker's hash rate in phone-class cores. */
  attackerPhones: number;
  /** 'greedy': as fast as its cores allow; 'paced': never raises the rate level above the day's. */
  strategy: 'greedy' | 'paced';
  /** Part of the attacker's cores spent emptying the follow-up bucket (level-0 proofs, any token). */
  drainFollowups: boolean;
  /** Seconds of work for a level-0 proof on a phone-class core. */
  phoneProofSeconds: number;
  daySeconds: number;
  softCap: number;
  hardCap: number;
  topLevel: number;
  windowSeconds: number;
  writesPerMinute: number;
  followupsPerMinute: number;
  legitNewPerDay: number;
  legitFollowupsPerDay: number;
  seed: number;
}

export interface FloodOutcome {
  /** The day's count of new cases at the end of the day. */
  dayCount: number;
  /** Seconds into the day when no new case could get in any more; null: never that day. */
  closedAt: number | null;
  /** The attacker's work, phone-core seconds, over the day. */
  attackerWork: number;
  /** Its work up to the moment the day closed (null: it did not close). */
  workToClose: number | null;
  attackerAdmitted: number;
  legitNew: { arrived: number; admitted: number; proofSeconds: number[] };
  followups: { sent: number; firstTry: number; within: number };
}

/** A seeded generator (mulberry32): the same day every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Event = { at: number; run: () => void };

/** A binary heap of events by time. */
class Agenda {
  private readonly heap: Event[] = [];
  push(event: Event): void {
    const h = this.heap;
    h.push(event);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.at <= h[i]!.at) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }
  pop(): Event | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]!.at < h[m]!.at) m = l;
        if (r < h.length && h[r]!.at < h[m]!.at) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}

/** A person who meets a refusal from a full bucket tries again after this long. */
const RETRY_SECONDS = 120;
const RETRIES = 5;
/** A follow-up counts as through if it gets in within this long of the first try. */
export const FOLLOWUP_WITHIN_SECONDS = 15 * 60;

export function simulateFlood(o: FloodOptions): FloodOutcome {
  const start = Date.UTC(2026, 0, 5);
  let clock = start;
  const now = () => clock;
  const after = o.rules === 'after';
  const monitor = new LoadMonitor(undefined as unknown as Db, {
    topLevel: after ? o.topLevel : 0,
    pinnedLevel: after ? undefined : 0,
    windowMs: o.windowSeconds * 1000,
    busyAdmissions: Math.max(1, Math.ceil((o.softCap * o.windowSeconds) / 43_200)),
    softCap: o.softCap,
    hardCap: after ? o.hardCap : o.softCap,
    now,
  });
  const caseBucket = new TokenBucket(o.writesPerMinute, now);
  const followupBucket = after ? new TokenBucket(o.followupsPerMinute, now) : caseBucket;
  const day = new Date(start).toISOString().slice(0, 10);
  const rand = random(o.seed);
  const agenda = new Agenda();
  const at = (seconds: number, run: () => void) => agenda.push({ at: seconds, run });
  const seconds = () => (clock - start) / 1000;
  const work = (level: number) => o.phoneProofSeconds * 2 ** level;

  let dayCount = 0;
  let closedAt: number | null = null;
  const outcome: FloodOutcome = {
    dayCount: 0,
    closedAt: null,
    attackerWork: 0,
    workToClose: null,
    attackerAdmitted: 0,
    legitNew: { arrived: 0, admitted: 0, proofSeconds: [] },
    followups: { sent: 0, firstTry: 0, within: 0 },
  };

  /** A new case arriving with a proof at `level`, in the preHandler's order. */
  const submitCase = (level: number): 'in' | 'closed' | 'low' | 'bucket' => {
    if (after && monitor.dayClosed(day)) return 'closed';
    if (after && level < monitor.minimumLevel(day)) return 'low';
    if (caseBucket.take() !== 0) return 'bucket';
    // Before effort levels the cap was checked after the token was taken.
    if (!after && dayCount >= o.softCap) return 'closed';
    if (after && monitor.dayClosed(day)) return 'closed';
    dayCount += 1;
    monitor.recordAdmission();
    monitor.noteDayCount(day, dayCount);
    if (closedAt === null && dayCount >= (after ? o.hardCap : o.softCap)) {
      closedAt = seconds();
      outcome.workToClose = outcome.attackerWork;
    }
    return 'in';
  };

  // The attacker: its cores work one proof after another at the level asked now.
  const drainShare = o.drainFollowups ? (1.5 * o.followupsPerMinute * o.phoneProofSeconds) / 60 : 0;
  const caseCores = o.attackerPhones - drainShare;
  if (caseCores <= 0) throw new RangeError('the attacker has too few cores to drain the bucket');
  const busy = Math.max(1, Math.ceil((o.softCap * o.windowSeconds) / 43_200));
  const attack = () => {
    if (closedAt !== null && after) return;
    let level = monitor.minimumLevel(day);
    if (after && o.strategy === 'paced' && dayCount < o.softCap) {
      // Keep the window's admissions under the rate that would raise the level above the day's.
      const fill = dayFillLevel(dayCount, o.softCap, o.topLevel);
      if (monitor.windowAdmissions() + 1 >= busy * 2 ** fill && level < o.topLevel) {
        at(seconds() + o.windowSeconds / 10, attack);
        return;
      }
    }
    if (!after) level = 0;
    const cost = work(level);
    outcome.attackerWork += cost;
    // No faster than the bucket lets proofs in (more would be work thrown
    // away), except before effort levels once the day is closed: then its
    // refused requests still take tokens, and it sends half again as many to
    // keep the shared bucket empty.
    const draining = !after && closedAt !== null;
    const interval = Math.max(cost / caseCores, 60 / ((draining ? 1.5 : 1) * o.writesPerMinute));
    at(seconds() + interval, () => {
      if (submitCase(level) === 'in') outcome.attackerAdmitted += 1;
      attack();
    });
  };
  at(0, attack);
  if (o.drainFollowups) {
    const period = 60 / (1.5 * o.followupsPerMinute);
    const drain = () => {
      outcome.attackerWork += o.phoneProofSeconds;
      if (!after) followupBucket.take();
      if (seconds() + period < o.daySeconds) at(seconds() + period, drain);
    };
    at(period, drain);
  }

  // People: new cases and follow-ups arriving at random over the day.
  const arrivals = (perDay: number, run: (t: number) => void) => {
    let t = 0;
    for (;;) {
      t += (-Math.log(1 - rand()) * o.daySeconds) / perDay;
      if (t >= o.daySeconds) break;
      const when = t;
      at(when, () => run(when));
    }
  };
  arrivals(o.legitNewPerDay, (arrived) => {
    outcome.legitNew.arrived += 1;
    let proofTime = 0;
    let tries = 0;
    const attempt = () => {
      if (after && monitor.dayClosed(day)) return;
      if (!after && dayCount >= o.softCap) return;
      const level = monitor.minimumLevel(day);
      proofTime += work(level);
      at(seconds() + work(level), () => {
        const result = submitCase(level);
        if (result === 'in') {
          outcome.legitNew.admitted += 1;
          outcome.legitNew.proofSeconds.push(proofTime);
        } else if (result === 'low') attempt();
        else if (result === 'bucket' && ++tries <= RETRIES) at(seconds() + RETRY_SECONDS, attempt);
      });
    };
    void arrived;
    attempt();
  });
  arrivals(o.legitFollowupsPerDay, (arrived) => {
    outcome.followups.sent += 1;
    let tries = 0;
    const attempt = () => {
      at(seconds() + o.phoneProofSeconds, () => {
        if (followupBucket.take() === 0) {
          if (tries === 0) outcome.followups.firstTry += 1;
          if (seconds() - arrived <= FOLLOWUP_WITHIN_SECONDS) outcome.followups.within += 1;
          return;
        }
        if (++tries <= RETRIES) at(seconds() + RETRY_SECONDS, attempt);
      });
    };
    attempt();
  });

  for (let event = agenda.pop(); event && event.at < o.daySeconds; event = agenda.pop()) {
    clock = start + event.at * 1000;
    event.run();
  }
  outcome.dayCount = dayCount;
  outcome.closedAt = closedAt;
  return outcome;
}
