// review summary: the reviewer's short summary of a case for public reporting,
// with a name only where the person consented to be named ("yes").
// review report: the draft over a period (reviewer/report/draft.ts), in
// Markdown and CSV, English and French, written beside the cases.
import { join } from 'node:path';
import { CaseFolder } from '../cases/case-folder.ts';
import { FIELD, answerValues } from '../cases/form-labels.ts';
import { writeCasePage } from '../cases/indexes.ts';
import { caseName } from '../cases/safe-name.ts';
import { usage } from '../errors.ts';
import { writeFileAtomic } from '../files.ts';
import type { CommandIo } from '../io.ts';
import { type Draft, type Lang, draftReport } from '../report/draft.ts';

export async function reviewSummary(
  options: { cases: string; caseId: string; text: string; name?: string | undefined },
  io: CommandIo,
): Promise<void> {
  if (options.text.trim() === '') throw usage('The summary is empty.');
  const folder = await CaseFolder.open(options.cases, { create: false });
  const record = await folder.findCase(options.caseId);
  const consent = answerValues(record.answers, FIELD.consentPublic)[0];
  if (options.name !== undefined && consent !== 'yes') {
    throw usage(
      `Case ${caseName(record.caseId)}: the person did not consent to be named (consent: ${consent ?? 'not answered'}). Write the summary without --name, and without naming them.`,
    );
  }
  record.summary = options.text.trim();
  if (options.name !== undefined && options.name.trim() !== '') {
    record.summaryName = options.name.trim();
  } else delete record.summaryName;
  await folder.writeCase(record);
  await writeCasePage(folder, record);
  io.print(`Summary of case ${caseName(record.caseId)} saved.`);
}

function checkDate(text: string, option: string): string {
  const valid =
    /^\d{4}-\d{2}-\d{2}$/.test(text) &&
    new Date(`${text}T00:00:00Z`).toISOString().slice(0, 10) === text;
  if (!valid) throw usage(`${option} must be a real date written YYYY-MM-DD, not "${text}".`);
  return text;
}

/** The names the date checks give the two days: the options at a terminal, the fields elsewhere. */
export const REPORT_DAYS = { from: '--from', to: '--to' };

/** The draft over a period, its days checked; written nowhere (review report writes it). */
export async function reportDraft(
  options: { cases: string; from: string; to: string },
  days: { from: string; to: string } = REPORT_DAYS,
): Promise<Draft & { from: string; to: string }> {
  const from = checkDate(options.from, days.from);
  const to = checkDate(options.to, days.to);
  if (from > to) throw usage(`${days.from} (${from}) comes after ${days.to} (${to}).`);
  const folder = await CaseFolder.open(options.cases, { create: false });
  return { ...draftReport(await folder.allCases(), from, to), from, to };
}

/** The file name of one of the draft's four outputs. */
export function reportFileName(from: string, to: string, lang: Lang, ext: 'md' | 'csv'): string {
  return `report-${from}-${to}.${lang}.${ext}`;
}

export async function reviewReport(
  options: { cases: string; from: string; to: string; out?: string | undefined },
  io: CommandIo,
): Promise<Draft & { files: string[] }> {
  const { from, to, ...draft } = await reportDraft(options);
  const dir = options.out ?? options.cases;
  const files: string[] = [];
  for (const lang of ['en', 'fr'] as const) {
    for (const [ext, text] of [
      ['md', draft.markdown[lang]],
      ['csv', draft.csv[lang]],
    ] as const) {
      const path = join(dir, reportFileName(from, to, lang, ext));
      await writeFileAtomic(path, text);
      files.push(path);
    }
  }
  const left = draft.cases.filter((c) => !c.included).length;
  io.print(
    `${draft.cases.length} case(s) counted, ${draft.cases.length - left} in the case list, ${left} left out (listed with the reason).`,
  );
  for (const file of files) io.print(`Written: ${file}`);
  return { ...draft, files };
}
