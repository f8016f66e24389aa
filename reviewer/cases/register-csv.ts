// cases.csv: the case register for triage and reporting, opened in a
// spreadsheet. Every cell is text from a stranger, so a cell that a spreadsheet
// would read as a formula (= + - @, tab, carriage return) is prefixed with a
// quote mark (OWASP "CSV injection"), and every cell is quoted.
import { FIELD, answerText } from './form-labels.ts';
import type { CaseRecord } from './records.ts';
import { caseName } from './safe-name.ts';

const COLUMNS = [
  'case',
  'received',
  'last_activity',
  'status',
  'follow_ups',
  'attachments',
  'country',
  'un_body',
  'what_happened',
  'when',
  'consent_public',
  'publicity_risk',
  'safe_contact',
  'folder',
] as const;

export function csvCell(value: string | number): string {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function caseRow(record: CaseRecord): string[] {
  const a = record.answers;
  return [
    caseName(record.caseId),
    record.received,
    record.lastActivity,
    record.status,
    String(record.items.filter((i) => i.kind === 'followup').length),
    String(record.items.reduce((n, i) => n + i.attachments.length, 0)),
    answerText(a, FIELD.country),
    answerText(a, FIELD.unBody),
    answerText(a, FIELD.reprisalKinds),
    answerText(a, FIELD.when),
    answerText(a, FIELD.consentPublic),
    answerText(a, FIELD.publicityRisk),
    answerText(a, FIELD.safeContact),
    `${caseName(record.caseId)}/index.html`,
  ];
}

// UTF-8 with a byte-order mark (so spreadsheets read Arabic, Chinese and
// Russian correctly) and CRLF line ends (RFC 4180).
export function registerCsv(records: readonly CaseRecord[]): string {
  const lines = [COLUMNS.map(csvCell).join(',')];
  for (const record of records) lines.push(caseRow(record).map(csvCell).join(','));
  return `\ufeff${lines.join('\r\n')}\r\n`;
}
