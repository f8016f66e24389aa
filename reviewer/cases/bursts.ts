// Bursts: many new cases on one day, usually from a flood that paid its way
// in. The server tells the reviewer two coarse things about how a case
// arrived, its day and the effort level its proof of work was paid at
// (docs/reviewer-guide.md, "Bursts"); nothing about who sent it. A reviewer
// may set a burst aside: its cases leave the main index for set-aside.html,
// nothing is deleted, and the step can be undone. A case that is urgent, that
// has heard from its author again (a follow-up) or that the reviewer has
// written to is never hidden: it stays in the main list, whatever was asked,
// and the command says so.
import type { CaseRecord } from './records.ts';
import { triage } from './triage.ts';

/** How a burst is told: new cases that day at or above `factor` × the usual day, and at least `floor`. */
export interface BurstRule {
  factor: number;
  floor: number;
}

export const DEFAULT_BURST_RULE: BurstRule = { factor: 5, floor: 20 };

/** What the effort column shows for a case from before levels were kept. */
export const UNKNOWN_LEVEL = 'unknown';

export interface BurstDay {
  day: string;
  total: number;
  /** New cases by effort level ('unknown' for cases without one). */
  byLevel: Map<string, number>;
  /** Far above the usual day. */
  burst: boolean;
  /** Cases of that day already set aside. */
  setAside: number;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The level a case was paid at, as the table shows it. */
export function levelOf(record: CaseRecord): string {
  return record.effort === undefined ? UNKNOWN_LEVEL : String(record.effort);
}

/**
 * New cases per arrival day and level, oldest day first. The usual day is the
 * median of the days that received any case; a day is a burst when it holds
 * at least `rule.factor` times that and at least `rule.floor` cases.
 */
export function burstDays(
  records: readonly CaseRecord[],
  rule: BurstRule = DEFAULT_BURST_RULE,
): { days: BurstDay[]; usual: number } {
  const byDay = new Map<string, BurstDay>();
  for (const record of records) {
    let day = byDay.get(record.received);
    if (!day) {
      day = { day: record.received, total: 0, byLevel: new Map(), burst: false, setAside: 0 };
      byDay.set(record.received, day);
    }
    day.total += 1;
    const level = levelOf(record);
    day.byLevel.set(level, (day.byLevel.get(level) ?? 0) + 1);
    if (record.setAside) day.setAside += 1;
  }
  const days = [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
  const usual = median(days.map((d) => d.total));
  for (const d of days) d.burst = d.total >= rule.floor && d.total >= rule.factor * usual;
  return { days, usual };
}

/**
 * Why a case must stay in the main list even when set aside; empty when
 * nothing keeps it there. Worked out from the case as it is now, so a case
 * set aside that becomes urgent or hears from its author comes back by itself.
 */
export function keptInMainList(record: CaseRecord, day: string): string[] {
  const reasons: string[] = [];
  if (triage(record, day).urgent) reasons.push('urgent');
  if (record.items.some((i) => i.kind === 'followup' && !i.flag)) {
    reasons.push('its author wrote again (a follow-up)');
  }
  if (record.statements.length > 0) reasons.push('you have written to this case');
  return reasons;
}

/** Whether a case is shown in set-aside.html instead of the main index. */
export function isSetAside(record: CaseRecord, day: string): boolean {
  return record.setAside !== undefined && keptInMainList(record, day).length === 0;
}

export interface SetAsideChoice {
  /** Arrival day of the cases to set aside (YYYY-MM-DD). */
  day: string;
  /** Only cases paid at this level ('unknown': those without one); all levels when absent. */
  level?: string;
}

export interface SetAsideOutcome {
  /** Cases marked set aside now (their records changed). */
  changed: CaseRecord[];
  /** Cases of the burst kept in the main list, with why. */
  kept: { record: CaseRecord; reasons: string[] }[];
  /** Cases of the burst set aside before this run. */
  already: number;
}

/**
 * Marks the cases of `choice` as set aside on `today` (or, with `undo`,
 * brings them back). Records are changed in place; the caller writes the
 * changed ones.
 */
export function setAsideBurst(
  records: readonly CaseRecord[],
  choice: SetAsideChoice,
  today: string,
  undo = false,
): SetAsideOutcome {
  const outcome: SetAsideOutcome = { changed: [], kept: [], already: 0 };
  for (const record of records) {
    if (record.received !== choice.day) continue;
    if (choice.level !== undefined && levelOf(record) !== choice.level) continue;
    if (undo) {
      if (record.setAside === undefined) continue;
      delete record.setAside;
      outcome.changed.push(record);
      continue;
    }
    const reasons = keptInMainList(record, today);
    if (reasons.length > 0) {
      outcome.kept.push({ record, reasons });
      continue;
    }
    if (record.setAside !== undefined) {
      outcome.already += 1;
      continue;
    }
    record.setAside = today;
    outcome.changed.push(record);
  }
  return outcome;
}
