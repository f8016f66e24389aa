// What the workbench does after intake, each through the command the command
// line runs: safety check-ins (review checkin, review checkins), the
// summary for the annual report (review summary), the report draft (review
// report, here as downloads) and the weekly keys (reviewer epochs). The
// consent rules are the commands' own: a name refused where the person did
// not say "yes", a case left out where they did not consent.
import type { CaseFolder } from '../cases/case-folder.ts';
import { FIELD, answerValues } from '../cases/form-labels.ts';
import { caseName } from '../cases/safe-name.ts';
import { type CheckinState, checkinState, today } from '../cases/triage.ts';
import { checkinEvery, reviewCheckins } from '../commands/review-checkins.ts';
import { reportDraft, reviewSummary } from '../commands/review-report.ts';
import { reviewStatement } from '../commands/review-statement.ts';
import { type EpochsReport, reviewerEpochs } from '../commands/reviewer-epochs.ts';
import { usage } from '../errors.ts';
import { type ReportCase, reportCase } from '../report/draft.ts';
import { type Workspace, passphraseOf, workbenchIo } from './actions.ts';

/** The field names the page gives the days of the report and the rhythm, for refusals in words. */
export const FIELD_NAMES = { from: '"From"', to: '"Until"', every: 'The rhythm' };

export interface CaseProtection {
  /** The person's answer to "May this case be reported publicly?", or null. */
  consent: string | null;
  /** Whether they said publicity would put someone at more risk, or null. */
  publicityRisk: string | null;
  summary: string | null;
  /** Only ever set where consent is "yes" (review summary refuses otherwise). */
  summaryName: string | null;
  /** Whether the report draft lists the case, and why not. */
  report: Pick<ReportCase, 'included' | 'reason'>;
  /** The check-ins asked for, as of today, or null when none are. */
  checkin: CheckinState | null;
  checkinSince: string | null;
}

export async function caseProtection(
  ws: Workspace,
  folder: CaseFolder,
  typed: string,
): Promise<CaseProtection> {
  const record = await folder.findCase(typed);
  const listed = reportCase(record);
  return {
    consent: answerValues(record.answers, FIELD.consentPublic)[0] ?? null,
    publicityRisk: answerValues(record.answers, FIELD.publicityRisk)[0] ?? null,
    summary: record.summary ?? null,
    summaryName: record.summaryName ?? null,
    report: { included: listed.included, ...(listed.reason ? { reason: listed.reason } : {}) },
    checkin: checkinState(record, today(ws.now?.())),
    checkinSince: record.checkin?.since ?? null,
  };
}

/** review checkin: a signed reply that asks for a sign of life every so many days (0 stops). */
export async function setCheckin(
  ws: Workspace,
  request: { caseId: string; every: string; text?: string | undefined },
): Promise<{ statementId: string; every: number; lines: string[] }> {
  const every = checkinEvery(request.every, FIELD_NAMES.every);
  const io = workbenchIo(passphraseOf(ws));
  const text = request.text?.trim() ? request.text : undefined;
  const { statementId } = await reviewStatement(
    {
      kind: 'reply',
      caseId: request.caseId,
      checkin: every,
      text,
      key: ws.key,
      cases: ws.cases,
      ...(ws.now ? { now: ws.now() } : {}),
    },
    io,
  );
  return { statementId, every, lines: io.lines };
}

export interface CheckinRow {
  caseId: string;
  name: string;
  urgent: boolean;
  /** In the tool's words, as index.html and the terminal give them. */
  reasons: string[];
  checkin: CheckinState | null;
}

/** review checkins: urgent cases, then check-ins, overdue first (index.html is rewritten as of today). */
export async function checkinList(ws: Workspace): Promise<{ day: string; rows: CheckinRow[] }> {
  const now = ws.now?.();
  const lines = await reviewCheckins(
    { cases: ws.cases, ...(now ? { now } : {}) },
    workbenchIo(null),
  );
  return {
    day: today(now),
    rows: lines.map(({ caseId, triage }) => ({
      caseId,
      name: caseName(caseId),
      urgent: triage.urgent,
      reasons: triage.reasons,
      checkin: triage.checkin,
    })),
  };
}

/** review summary: the name is the command's to refuse where consent is not "yes". */
export async function saveSummary(
  ws: Workspace,
  request: { caseId: string; text: string; name?: string | undefined },
): Promise<{ lines: string[] }> {
  const io = workbenchIo(null);
  await reviewSummary(
    { cases: ws.cases, caseId: request.caseId, text: request.text, name: request.name },
    io,
  );
  return { lines: io.lines };
}

export interface ReportPreview {
  from: string;
  to: string;
  counted: number;
  cases: (ReportCase & { caseName: string })[];
}

/** The draft review report writes, kept in memory: what the page lists and what it downloads. */
export async function reportFor(ws: Workspace, from: string, to: string) {
  return reportDraft({ cases: ws.cases, from, to }, FIELD_NAMES);
}

export function reportPreview(draft: Awaited<ReturnType<typeof reportFor>>): ReportPreview {
  return {
    from: draft.from,
    to: draft.to,
    counted: draft.cases.length,
    cases: draft.cases.map((c) => ({ ...c, caseName: caseName(c.caseId) })),
  };
}

/** A whole number the page sent, or undefined for a field left empty (the command checks the range). */
export function wholeOrDefault(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d{1,6}$/.test(value)) return Number(value);
  throw usage(`"${name}" must be a whole number.`);
}

/** reviewer epochs: the weekly keys ahead made and published, the due ones erased. */
export async function weeklyKeys(
  ws: Workspace,
  options: { ahead?: number | undefined; days?: number | undefined; grace?: number | undefined },
): Promise<{ report: EpochsReport; lines: string[] }> {
  const io = workbenchIo(passphraseOf(ws));
  const report = await reviewerEpochs(
    { key: ws.key, cases: ws.cases, ...options, ...(ws.now ? { now: ws.now() } : {}) },
    io,
  );
  return { report, lines: io.lines };
}
