// What the workbench's buttons do: each calls the command the command line
// runs (review open, review status/reply/purge, review stats), with the
// passphrase the page gave once this session and an output that collects the
// lines the command would have printed. The case folder and the outbox are
// the command line's own, so a reviewer can switch between the two.
import { stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  type BundleItem,
  CASE_STATUSES,
  EPOCH_KEY_FORMAT,
  type StatementKind,
  isSealboxError,
  verifyEpochKey,
  verifyStatement,
} from '../../client-crypto/index.ts';
import { CaseFolder } from '../cases/case-folder.ts';
import { csvCell } from '../cases/register-csv.ts';
import { caseName } from '../cases/safe-name.ts';
import { type OpenReport, openOutcome, reviewOpen } from '../commands/review-open.ts';
import { reviewCheckOutbox, reviewStatement } from '../commands/review-statement.ts';
import { reviewerCreate } from '../commands/reviewer-identity.ts';
import { CliError, isCliError, usage } from '../errors.ts';
import type { CommandIo } from '../io.ts';
import { COST_ENV, loadReviewerKey } from '../keys.ts';
import { defaultOutbox, readOutboxIfAny } from '../outbox.ts';
import { MIN_NEW_PASSPHRASE_LENGTH, PASSPHRASE_ENV } from '../passphrase.ts';
import { type Statistics, computeStatistics } from '../stats/count.ts';
import { statisticsSvg } from '../stats/svg.ts';
import { folderKeyset } from '../trust.ts';
import type { PassphraseSession } from './session.ts';

export interface Workspace {
  cases: string;
  key: string;
  session: PassphraseSession;
  now?: () => Date;
}

/** A command's output, kept for the page; no terminal to ask in, so nothing prompts. */
export function workbenchIo(passphrase: string | null): CommandIo & { lines: string[] } {
  const lines: string[] = [];
  const env: NodeJS.ProcessEnv = {};
  if (process.env[COST_ENV] !== undefined) env[COST_ENV] = process.env[COST_ENV];
  if (passphrase !== null) env[PASSPHRASE_ENV] = passphrase;
  const stderr = new PassThrough();
  stderr.resume();
  return {
    lines,
    print: (line) => lines.push(line),
    stderr,
    env,
    stdin: new PassThrough() as unknown as NodeJS.ReadStream,
  };
}

/** The passphrase kept this session, for a command that signs; locked, the page asks for it. */
export function passphraseOf(ws: Workspace): string {
  const passphrase = ws.session.use();
  if (passphrase === null) {
    throw new CliError('PASSPHRASE_MISSING', 'The workbench is locked: give your passphrase.');
  }
  return passphrase;
}

/** Checks the passphrase against the key file (a wrong one throws KEYFILE_PASSPHRASE), then keeps it. */
export async function unlock(ws: Workspace, passphrase: string): Promise<void> {
  if (passphrase === '') throw new CliError('PASSPHRASE_MISSING', 'The passphrase is empty.');
  await loadReviewerKey(ws.key, workbenchIo(passphrase));
  ws.session.unlock(passphrase);
}

/** Where the workbench puts the public card: beside the key file, my.key → my-card.json. */
export function cardPathOf(key: string): string {
  return resolve(join(dirname(key), `${basename(key, extname(key))}-card.json`));
}

export async function hasKeyFile(ws: Workspace): Promise<boolean> {
  return exists(ws.key);
}

/**
 * `sealbox reviewer create` from the page, for a key file that does not exist
 * yet: the passphrase typed twice, the card beside the key. Nothing is ever
 * overwritten. The session is unlocked with the new passphrase.
 */
export async function createKey(
  ws: Workspace,
  request: { name: string | undefined; passphrase: string; again: string },
): Promise<{ fingerprint: string; key: string; card: string }> {
  const card = cardPathOf(ws.key);
  for (const path of [ws.key, card]) {
    if (await exists(path)) {
      throw new CliError('FILE_EXISTS', `${path} already exists; it is never overwritten.`);
    }
  }
  // An empty one would send the command looking for a terminal to ask in.
  if (request.passphrase === '') {
    throw new CliError(
      'PASSPHRASE_WEAK',
      `The passphrase is empty: a new one needs at least ${MIN_NEW_PASSPHRASE_LENGTH} characters.`,
    );
  }
  if (request.passphrase !== request.again) {
    throw new CliError('PASSPHRASE_WEAK', 'The two passphrases differ.');
  }
  const { fingerprint } = await reviewerCreate(
    { name: request.name?.trim() || undefined, out: ws.key, card },
    workbenchIo(request.passphrase),
  );
  ws.session.unlock(request.passphrase);
  return { fingerprint, key: resolve(ws.key), card };
}

/** The first keyset of a folder (checked against the fingerprint read by voice), or a newer one. */
export async function adoptKeyset(
  ws: Workspace,
  keysetFile: string,
  organisation: string | undefined,
): Promise<string[]> {
  const io = workbenchIo(null);
  const folder = await CaseFolder.open(ws.cases, { create: true });
  await folderKeyset(folder, { keyset: keysetFile, organisation, now: ws.now?.() }, io);
  return io.lines;
}

export interface ImportResult {
  report: OpenReport;
  /** The bundle's outcome in words, or null when everything was fine. */
  problem: string | null;
  lines: string[];
}

export async function importBundle(
  ws: Workspace,
  bundle: string,
  onRecord?: (item: BundleItem) => void,
): Promise<ImportResult> {
  const io = workbenchIo(passphraseOf(ws));
  const report = await reviewOpen(
    { bundle, key: ws.key, cases: ws.cases, now: ws.now?.(), onRecord },
    io,
  );
  return { report, problem: openOutcome(report)?.message ?? null, lines: io.lines };
}

export async function signStatement(
  ws: Workspace,
  request: { kind: StatementKind; caseId: string; status?: string; text?: string },
): Promise<{ statementId: string; lines: string[] }> {
  if (request.kind !== 'reply' && request.text !== undefined) {
    throw usage('Only a reply carries a text.');
  }
  if (request.kind === 'reply' && (request.text ?? '').trim() === '') {
    throw usage('The reply is empty.');
  }
  const io = workbenchIo(passphraseOf(ws));
  const { statementId } = await reviewStatement(
    {
      kind: request.kind,
      caseId: request.caseId,
      status: request.status === '' ? undefined : request.status,
      text: request.text,
      key: ws.key,
      cases: ws.cases,
      ...(ws.now ? { now: ws.now() } : {}),
    },
    io,
  );
  return { statementId, lines: io.lines };
}

export interface OutboxLine {
  line: number;
  kind: 'status' | 'reply' | 'purge' | 'epoch-key' | 'invalid';
  case: string | null;
  date: string | null;
  status: string | null;
  problem: string | null;
}

/** What `review check-outbox` says of the whole file: its own line when it passes, its error when not. */
export interface OutboxCheck {
  passed: boolean;
  message: string;
}

async function checkOutbox(ws: Workspace, path: string): Promise<OutboxCheck> {
  const io = workbenchIo(null);
  try {
    await reviewCheckOutbox({ outbox: path, cases: ws.cases, now: ws.now?.() }, io);
    return { passed: true, message: io.lines.join(' ') };
  } catch (error) {
    if (!isCliError(error) && !isSealboxError(error)) throw error;
    return { passed: false, message: error.message };
  }
}

/**
 * The outbox as the page lists it: each line checked against the folder's
 * keyset, as the server will, and the whole file put through `review
 * check-outbox` (null while there is no outbox).
 */
export async function outboxView(
  ws: Workspace,
): Promise<{ path: string; lines: OutboxLine[]; check: OutboxCheck | null }> {
  const path = defaultOutbox(ws.cases);
  const folder = await CaseFolder.open(ws.cases, { create: false });
  const keyset = await folderKeyset(folder, { now: ws.now?.() }, workbenchIo(null));
  const check = (await exists(path)) ? await checkOutbox(ws, path) : null;
  const signedLines = await readOutboxIfAny(path).catch((error: unknown) => {
    // A line that is not JSON: the check says which; the table has nothing to list.
    if (check?.passed === false) return [];
    throw error;
  });
  const lines: OutboxLine[] = [];
  for (const [index, signed] of signedLines.entries()) {
    const base = { line: index + 1, case: null, date: null, status: null, problem: null };
    try {
      if ((signed as { format?: unknown } | null)?.format === EPOCH_KEY_FORMAT) {
        await verifyEpochKey(signed, keyset);
        lines.push({ ...base, kind: 'epoch-key' });
      } else {
        const s = await verifyStatement(signed, keyset);
        lines.push({
          ...base,
          kind: s.kind,
          case: caseName(s.caseId),
          date: s.date,
          status: s.status ?? null,
        });
      }
    } catch (error) {
      lines.push({ ...base, kind: 'invalid', problem: (error as Error).message });
    }
  }
  return { path, lines, check };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The figures of `review stats` for the cases received from `from` to `to` (days, both included). */
export async function figures(
  ws: Workspace,
  period: { from?: string | undefined; to?: string | undefined },
): Promise<Statistics> {
  for (const day of [period.from, period.to]) {
    if (day !== undefined && day !== '' && !DAY.test(day)) {
      throw usage(`"${day}" is not a date written as YYYY-MM-DD.`);
    }
  }
  const folder = await CaseFolder.open(ws.cases, { create: false });
  const records = (await folder.allCases()).filter(
    (r) => (!period.from || r.received >= period.from) && (!period.to || r.received <= period.to),
  );
  const stats = computeStatistics(records);
  if (period.from || period.to) stats.period = `${period.from || '…'} to ${period.to || '…'}`;
  return stats;
}

export { statisticsSvg };

export function statisticsCsv(stats: Statistics): string {
  const rows = [['table', 'label', 'cases'].map(csvCell).join(',')];
  for (const tally of stats.tallies) {
    for (const row of tally.rows)
      rows.push([tally.title, row.label, row.count].map(csvCell).join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}

export const STATUSES = CASE_STATUSES;
