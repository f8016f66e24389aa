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

/** The rule with the reviewer's factor, checked. */
export function burstRule(factor: number | undefined): BurstRule {
  const rule: BurstRule = { ...DEFAULT_BURST_RULE };
  if (factor !== undefined) {
    if (!(Number.isInteger(factor) && factor >= 2 && factor <= 1000)) {
      throw usage('--factor is a whole number from 2 to 1000.');
    }
    rule.factor = factor;
  }
  return rule;
}

/** The table `review bursts` prints (and the workbench shows): a header row, then one row per day. */
export function burstTable(days: readonly BurstDay[]): string[][] {
  const columns = levelColumns(days);
  return [
    ['day', 'new cases', ...columns.map((l) => `level ${l}`), 'set aside', ''],
    ...days.map((d) => [
      d.day,
      String(d.total),
      ...columns.map((l) => String(d.byLevel.get(l) ?? 0)),
      String(d.setAside),
      d.burst ? 'BURST' : '',
    ]),
  ];
}

export async function reviewBursts(
  options: { cases: string; factor?: number | undefined },
  io: CommandIo,
): Promise<{ days: BurstDay[]; usual: number }> {
  const rule = burstRule(options.factor);
  const folder = await CaseFolder.open(options.cases, { create: false });
  const result = burstDays(await folder.allCases(), rule);
  const { days, usual } = result;
  if (days.length === 0) {
    io.print('No cases yet.');
    return result;
  }
  const rows = burstTable(days);
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

/**
 * Sets the cases of a day (and level) aside, or brings them back with `undo`,
 * writes the changed cases and rewrites index.html and set-aside.html.
 */
export async function setAsideDay(
  cases: string,
  choice: { day: string | undefined; level?: string | undefined; undo: boolean },
  now?: Date,
): Promise<SetAsideOutcome> {
  if (choice.day === undefined || !DAY.test(choice.day)) {
    throw usage('--day is the arrival day of the burst, such as 2026-12-01.');
  }
  const level = choice.level;
  if (level !== undefined && level !== UNKNOWN_LEVEL && !/^\d{1,2}$/.test(level)) {
    throw usage(`--level is an effort level (a whole number) or "${UNKNOWN_LEVEL}".`);
  }
  const folder = await CaseFolder.open(cases, { create: false });
  const day = today(now);
  const records = await folder.allCases();
  const picked = { day: choice.day, ...(level === undefined ? {} : { level }) };
  const outcome = setAsideBurst(records, picked, day, choice.undo);
  for (const record of outcome.changed) await folder.writeCase(record);
  await writeFolderIndex(folder, records, day);
  return outcome;
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
  const outcome = await setAsideDay(
    options.cases,
    { day: options.day, level: options.level, undo: options.undo === true },
    options.now,
  );
  const level = options.level;
  const what = `cases received on ${options.day!}${level === undefined ? '' : ` at level ${level}`}`;
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
