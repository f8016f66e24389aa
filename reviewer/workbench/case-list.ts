// The cases as the workbench lists them: one summary per case, read from the
// same case folder the command line writes, and the filters a caseworker
// narrows the list with. The search runs here, over the decrypted text on
// this computer; nothing leaves it.
import { join } from 'node:path';
import type { CaseFolder } from '../cases/case-folder.ts';
import { FIELD, answerValues } from '../cases/form-labels.ts';
import { readItemText } from '../cases/item-text.ts';
import { isSetAside } from '../cases/bursts.ts';
import type { CaseRecord } from '../cases/records.ts';
import { caseName } from '../cases/safe-name.ts';
import { today, triage, triageOrder } from '../cases/triage.ts';

export interface CaseSummary {
  caseId: string;
  /** The case number as the folder and the command line show it. */
  name: string;
  /** The shortest start of the number (at least 6 characters) that fits this case only. */
  short: string;
  received: string;
  lastActivity: string;
  status: CaseRecord['status'];
  purged: boolean;
  followUps: number;
  country: string[];
  unBody: string[];
  reprisalKinds: string[];
  consent: string[];
  needsAnswer: boolean;
  flagged: boolean;
  /** The command line's urgency (reviewer/cases/triage.ts), its reasons as facts the page words. */
  urgent: boolean;
  dangerNow: boolean;
  /** The day the person asked for help at a check-in, when that makes the case urgent. */
  helpRequested: string | null;
  /** Set aside with a burst (reviewer/cases/bursts.ts): listed in set-aside.html, not index.html. */
  setAside: boolean;
}

export interface CaseFilter {
  status?: string | undefined;
  country?: string | undefined;
  unBody?: string | undefined;
  reprisalKind?: string | undefined;
  consent?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  needsAnswer?: boolean | undefined;
  text?: string | undefined;
  /** Also the cases set aside with a burst; index.html leaves them out, and so does the list by default. */
  setAside?: boolean | undefined;
}

/**
 * A case needs an answer when it is neither closed nor purged and nothing was
 * signed for it since its last item arrived (dates only: the folder keeps no
 * times).
 */
export function needsAnswer(record: CaseRecord): boolean {
  if (record.status === 'closed') return false;
  if (record.statements.some((s) => s.kind === 'purge')) return false;
  const lastItem = record.items.reduce((d, i) => (i.date > d ? i.date : d), record.received);
  const lastStatement = record.statements.reduce((d, s) => (s.date > d ? s.date : d), '');
  return lastStatement === '' || lastItem > lastStatement;
}

function shortNames(ids: readonly string[]): Map<string, string> {
  const names = ids.map((id) => caseName(id).toLowerCase());
  const out = new Map<string, string>();
  for (const [i, id] of ids.entries()) {
    const full = caseName(id);
    let length = Math.min(6, full.length);
    while (length < full.length && names.some((n, j) => j !== i && n.startsWith(names[i]!.slice(0, length)))) length += 1; // prettier-ignore
    out.set(id, full.slice(0, length));
  }
  return out;
}

export function summarise(records: readonly CaseRecord[], day: string = today()): CaseSummary[] {
  const short = shortNames(records.map((r) => r.caseId));
  return records.map((r) => ({
    caseId: r.caseId,
    name: caseName(r.caseId),
    short: short.get(r.caseId)!,
    received: r.received,
    lastActivity: r.lastActivity,
    status: r.status,
    purged: r.statements.some((s) => s.kind === 'purge'),
    followUps: r.items.filter((i) => i.kind === 'followup').length,
    country: answerValues(r.answers, FIELD.country),
    unBody: answerValues(r.answers, FIELD.unBody),
    reprisalKinds: answerValues(r.answers, FIELD.reprisalKinds),
    consent: answerValues(r.answers, FIELD.consentPublic),
    needsAnswer: needsAnswer(r),
    flagged: r.items.some((i) => i.flag !== undefined),
    urgent: triage(r, day).urgent,
    dangerNow: answerValues(r.answers, FIELD.dangerNow).includes('yes'),
    helpRequested: r.helpRequested ?? null,
    setAside: isSetAside(r, day),
  }));
}

/** Everything of a case a word may be found in: its answers, its messages, the replies sent. */
export async function caseText(folder: CaseFolder, record: CaseRecord): Promise<string> {
  const parts: string[] = [];
  const dir = folder.caseDir(record.caseId);
  for (const item of record.items) {
    const { message, answers } = await readItemText(join(dir, item.folder), item);
    parts.push(message, ...Object.values(answers).flat());
  }
  parts.push(...Object.values(record.answers).flat());
  for (const s of record.statements) if (s.text !== undefined) parts.push(s.text);
  return parts.join('\n');
}

const fold = (text: string): string =>
  text.normalize('NFKD').replace(/\p{M}/gu, '').toLocaleLowerCase('en');

/**
 * The chosen cases in the order of index.html and cases.csv: urgent first,
 * then overdue check-ins. Cases set aside with a burst only when asked for.
 */
export async function listCases(
  folder: CaseFolder,
  filter: CaseFilter,
  day: string = today(),
): Promise<CaseSummary[]> {
  const records = triageOrder(await folder.allCases(), day).map((o) => o.record);
  const byId = new Map(records.map((r) => [r.caseId, r]));
  const has = (values: string[], wanted: string | undefined) =>
    wanted === undefined || wanted === '' || values.includes(wanted);
  const chosen = summarise(records, day).filter(
    (s) =>
      (filter.status === undefined || filter.status === '' || s.status === filter.status) &&
      has(s.country, filter.country) &&
      has(s.unBody, filter.unBody) &&
      has(s.reprisalKinds, filter.reprisalKind) &&
      has(s.consent, filter.consent) &&
      (!filter.from || s.received >= filter.from) &&
      (!filter.to || s.received <= filter.to) &&
      (!filter.needsAnswer || s.needsAnswer) &&
      (filter.setAside === true || !s.setAside),
  );
  const words = fold(filter.text ?? '')
    .split(/\s+/)
    .filter(Boolean);
  if (words.length === 0) return chosen;
  const found: CaseSummary[] = [];
  for (const s of chosen) {
    const text = fold(await caseText(folder, byId.get(s.caseId)!));
    if (words.every((w) => text.includes(w))) found.push(s);
  }
  return found;
}
