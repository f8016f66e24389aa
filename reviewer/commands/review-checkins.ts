// review checkins: what needs the reviewer first, on screen: urgent cases, then
// check-ins, overdue ones first, each with the day of the last sign of life.
// It also rewrites index.html and cases.csv as of today, so the marks there
// are fresh even on a day no bundle came.
import { MAX_CHECKIN_DAYS } from '../../client-crypto/index.ts';
import { CaseFolder } from '../cases/case-folder.ts';
import { writeFolderIndex } from '../cases/indexes.ts';
import { caseName } from '../cases/safe-name.ts';
import { type Triage, today, triageOrder } from '../cases/triage.ts';
import { usage } from '../errors.ts';
import type { CommandIo } from '../io.ts';

/**
 * `14d` or `14`: days between signs of life, 0 to stop. `what` names the
 * option in the refusal (`--every` at the terminal, the field in the workbench).
 */
export function checkinEvery(text: string, what = '--every'): number {
  const match = /^(\d{1,3})d?$/.exec(text.trim());
  const days = match ? Number(match[1]) : NaN;
  if (!(days >= 0 && days <= MAX_CHECKIN_DAYS)) {
    throw usage(`${what} is a number of days from 0 to ${MAX_CHECKIN_DAYS}, such as 14d.`);
  }
  return days;
}

export interface CheckinLine {
  caseId: string;
  triage: Triage;
}

export async function reviewCheckins(
  options: { cases: string; now?: Date },
  io: CommandIo,
): Promise<CheckinLine[]> {
  const folder = await CaseFolder.open(options.cases, { create: false });
  const day = today(options.now);
  const records = await folder.allCases();
  await writeFolderIndex(folder, records, day);
  const lines = triageOrder(records, day)
    .filter(({ triage }) => triage.urgent || triage.checkin)
    .map(({ record, triage }) => ({ caseId: record.caseId, triage }));
  if (lines.length === 0) io.print(`No urgent case and no check-in, as of ${day}.`);
  for (const { caseId, triage } of lines) {
    const parts = [caseName(caseId)];
    if (triage.urgent) parts.push(`URGENT: ${triage.reasons.join('; ')}`);
    const c = triage.checkin;
    if (c) {
      parts.push(
        `${c.overdue ? 'CHECK-IN OVERDUE since' : 'check-in due by'} ${c.due} (every ${c.every} days), last sign of life ${c.lastSignOfLife}`,
      );
    }
    io.print(parts.join('  '));
  }
  return lines;
}
