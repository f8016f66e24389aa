// review bursts: new cases per arrival day and effort level, with the days far
// above the usual flagged. review set-aside: moves a burst's cases from the
// main index to set-aside.html (and back, with --undo), deleting nothing;
// urgent cases, cases whose author wrote again and cases the reviewer has
// written to stay in the main list, and the command names them.
import { CaseFolder } from '../cases/case-folder.ts';
import {
  type BurstDay,
  type BurstRule,
  DEFAULT_BURST_RULE,
  UNKNOWN_LEVEL,
  type SetAsideOutcome,
  burstDays,
  setAsideBurst,
} from '../cases/bursts.ts';
import { writeFolderIndex } from '../cases/indexes.ts';
import { caseName } from '../cases/safe-name.ts';
import { today } from '../cases/triage.ts';
import { usage } from '../errors.ts';
import type { CommandIo } from '../io.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function levelColumns(days: readonly BurstDay[]): string[] {
  const levels = new Set(days.flatMap((d) => [...d.byLevel.keys()]));
  const known = [...levels].filter((l) => l !== UNKNOWN_LEVEL).map(Number);
  return [
    ...known.sort((a, b) => a - b).map(String),
    ...(levels.has(UNKNOWN_LEVEL) ? [UNKNOWN_LEVEL] : []),
  ];
}

export async function reviewBursts(
  options: { cases: string; factor?: number | undefined },
  io: CommandIo,
): Promise<{ days: BurstDay[]; usual: number }> {
  const rule: BurstRule = { ...DEFAULT_BURST_RULE };
  if (options.factor !== undefined) {
    if (!(options.factor >= 2 && options.factor <= 1000)) {
      throw usage('--factor is a whole number from 2 to 1000.');
    }
    rule.factor = options.factor;
  }
  const folder = await CaseFolder.open(options.cases, { create: false });
  const result = burstDays(await folder.allCases(), rule);
  const { days, usual } = result;
  if (days.length === 0) {
    io.print('No cases yet.');
    return result;
  }
  const columns = levelColumns(days);
  const rows = [
    ['day', 'new cases', ...columns.map((l) => `level ${l}`), 'set aside', ''],
    ...days.map((d) => [
      d.day,
      String(d.total),
      ...columns.map((l) => String(d.byLevel.get(l) ?? 0)),
      String(d.setAside),
      d.burst ? 'BURST' : '',
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows) {
    io.print(
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
        .join('  ')
        .trimEnd(),
    );
  }
  const bursts = days.filter((d) => d.burst).length;
  io.print(
    `A usual day brings ${usual} new case(s); ${bursts} day(s) bring at least ${rule.factor} times that (and ${rule.floor} or more).`,
  );
  if (bursts > 0) {
    io.print(
      'To set a burst aside (nothing is deleted): sealbox review set-aside --day YYYY-MM-DD [--level K] --cases FOLDER',
    );
  }
  return result;
}

export async function reviewSetAside(
  options: {
    cases: string;
    day: string | undefined;
    level?: string | undefined;
    undo?: boolean | undefined;
    now?: Date;
  },
  io: CommandIo,
): Promise<SetAsideOutcome> {
  if (options.day === undefined || !DAY.test(options.day)) {
    throw usage('--day is the arrival day of the burst, such as 2026-12-01.');
  }
  const level = options.level;
  if (level !== undefined && level !== UNKNOWN_LEVEL && !/^\d{1,2}$/.test(level)) {
    throw usage(`--level is an effort level (a whole number) or "${UNKNOWN_LEVEL}".`);
  }
  const folder = await CaseFolder.open(options.cases, { create: false });
  const day = today(options.now);
  const records = await folder.allCases();
  const choice = { day: options.day, ...(level === undefined ? {} : { level }) };
  const outcome = setAsideBurst(records, choice, day, options.undo === true);
  for (const record of outcome.changed) await folder.writeCase(record);
  await writeFolderIndex(folder, records, day);
  const what = `cases received on ${options.day}${level === undefined ? '' : ` at level ${level}`}`;
  if (options.undo) {
    io.print(`${outcome.changed.length} ${what} are back in the main list (index.html).`);
    return outcome;
  }
  io.print(
    `${outcome.changed.length} ${what} set aside: they are listed in set-aside.html, not index.html. Nothing was deleted; --undo brings them back.`,
  );
  if (outcome.already > 0) io.print(`${outcome.already} were set aside before.`);
  if (outcome.kept.length > 0) {
    io.print(`${outcome.kept.length} stay in the main list, never set aside:`);
    for (const { record, reasons } of outcome.kept) {
      io.print(`  ${caseName(record.caseId)}  ${reasons.join('; ')}`);
    }
  }
  return outcome;
}
