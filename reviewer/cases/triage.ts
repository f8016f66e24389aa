// What needs the reviewer first. A case is urgent when the person said they are
// in danger now, or asked for help at a check-in since the reviewer last wrote
// to them; a check-in is overdue when no sign of life (the submission or any
// follow-up of the case's author) came within its rhythm. Urgent cases come
// first, then overdue check-ins, then the rest as before (received, case).
// Everything is worked out from case.json and a day: the pages stay static.
import { isoDate } from '../../client-crypto/index.ts';
import { FIELD, answerValues } from './form-labels.ts';
import type { CaseRecord } from './records.ts';

const DAY_MS = 86_400_000;

export interface Triage {
  urgent: boolean;
  /** Why, in words, for the pages: empty when not urgent. */
  reasons: string[];
  checkin: CheckinState | null;
}

export interface CheckinState {
  every: number;
  /** The newest day the person gave a sign of life (or the reviewer asked, if later). */
  lastSignOfLife: string;
  /** The day after which the check-in is overdue. */
  due: string;
  overdue: boolean;
}

export function today(now: Date = new Date()): string {
  return isoDate(now);
}

export function addDays(date: string, days: number): string {
  return isoDate(new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS));
}

/** The newest day one of the case's own items arrived (set-aside items are not the person's). */
export function lastSignOfLife(record: CaseRecord): string {
  let last = record.received;
  for (const item of record.items) if (!item.flag && item.date > last) last = item.date;
  return last;
}

export function checkinState(record: CaseRecord, day: string): CheckinState | null {
  const request = record.checkin;
  if (!request || request.every <= 0) return null;
  const seen = lastSignOfLife(record);
  // Counted from the request when the person has said nothing since.
  const from = seen > request.since ? seen : request.since;
  const due = addDays(from, request.every);
  return { every: request.every, lastSignOfLife: seen, due, overdue: day > due };
}

export function triage(record: CaseRecord, day: string): Triage {
  const reasons: string[] = [];
  if (answerValues(record.answers, FIELD.dangerNow).includes('yes')) {
    reasons.push('in danger now (submission)');
  }
  if (record.helpRequested) reasons.push(`asked for help at a check-in on ${record.helpRequested}`);
  return { urgent: reasons.length > 0, reasons, checkin: checkinState(record, day) };
}

/** The cases in the order the reviewer should look at them, each with its triage. */
export function triageOrder(
  records: readonly CaseRecord[],
  day: string,
): { record: CaseRecord; triage: Triage }[] {
  const rank = (t: Triage) => (t.urgent ? 0 : t.checkin?.overdue ? 1 : 2);
  return records
    .map((record, index) => ({ record, triage: triage(record, day), index }))
    .sort((a, b) => rank(a.triage) - rank(b.triage) || a.index - b.index)
    .map(({ record, triage }) => ({ record, triage }));
}
