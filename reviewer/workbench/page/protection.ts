// The views after intake (check-ins, the report, the weekly keys, bursts) and the
// parts they add to a case's page, kept out of main.ts: it adds their menu
// entries and calls caseSections() when it shows a case.
import { api } from './api.ts';
import { showBursts } from './bursts.ts';
import { type CheckinState, checkinSection, showCheckins } from './checkins.ts';
import { type Reporting, showReport, summarySection } from './report.ts';
import type { Shell } from './shell.ts';
import { showWeeklyKeys } from './weekly-keys.ts';

export type { Shell } from './shell.ts';

/** Menu entries: [catalogue key, view]. */
export function protectionViews(shell: Shell): [string, () => Promise<void>][] {
  const year = new Date().getFullYear();
  return [
    ['nav.checkins', () => showCheckins(shell)],
    ['nav.report', () => showReport(shell, `${year}-01-01`, `${year}-12-31`)],
    ['nav.keys', () => showWeeklyKeys(shell)],
    ['nav.bursts', () => showBursts(shell)],
  ];
}

/** The check-in and summary parts of a case's page. */
export async function caseSections(name: string, shell: Shell): Promise<Node[]> {
  const p = await api<Reporting & { checkin: CheckinState | null; checkinSince: string | null }>(
    `/api/cases/${encodeURIComponent(name)}/protection`,
  );
  return [checkinSection(name, p.checkin, p.checkinSince, shell), summarySection(name, p, shell)];
}
