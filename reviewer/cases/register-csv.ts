// cases.csv: the case register for triage and reporting, opened in a
// spreadsheet. Every cell is text from a stranger, so a cell that a spreadsheet
// would read as a formula is prefixed with a quote mark (OWASP "CSV
// injection"), and every cell is quoted. Spreadsheets skip leading white space
// (spaces, no-break spaces, newlines) and invisible characters before they look
// for = + - @, so those count as the start too; tab and carriage return are
// neutralised wherever they lead. The full-width forms are included because
// some spreadsheets fold them to ASCII.
import { FIELD, answerText } from './form-labels.ts';
import { type CaseRecord, deskName } from './records.ts';
import { caseName } from './safe-name.ts';
import { type Triage, today, triageOrder } from './triage.ts';

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
  'urgent',
  'danger_now',
  'support_needed',
  'help_requested',
  'checkin_every_days',
  'last_sign_of_life',
  'checkin_due',
  'checkin_overdue',
  'desk',
] as const;

const FORMULA_START =
  /^(?:[\t\r\n]|[\s\u0000-\u001f\u007f-\u009f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]*[=+\-@\uff1d\uff0b\uff0d\uff20])/;

export function csvCell(value: string | number): string {
  // Control characters other than tab and line ends mean nothing in a cell.
  let text = String(value).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
  if (FORMULA_START.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function caseRow(record: CaseRecord, triage: Triage): string[] {
  const a = record.answers;
  const c = triage.checkin;
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
    triage.urgent ? 'urgent' : '',
    answerText(a, FIELD.dangerNow),
    answerText(a, FIELD.supportNeeded),
    record.helpRequested ?? '',
    c ? String(c.every) : '',
    c?.lastSignOfLife ?? '',
    c?.due ?? '',
    c ? (c.overdue ? 'overdue' : 'no') : '',
    record.desk ? deskName(record.desk) : '',
  ];
}

// UTF-8 with a byte-order mark (so spreadsheets read Arabic, Chinese and
// Russian correctly) and CRLF line ends (RFC 4180). Urgent cases first, then
// overdue check-ins, as in index.html.
export function registerCsv(records: readonly CaseRecord[], day: string = today()): string {
  const lines = [COLUMNS.map(csvCell).join(',')];
  for (const { record, triage } of triageOrder(records, day)) {
    lines.push(caseRow(record, triage).map(csvCell).join(','));
  }
  return `\ufeff${lines.join('\r\n')}\r\n`;
}
