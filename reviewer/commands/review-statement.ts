// review status / reply / purge: signed statements about one case, appended to
// the outbox that the courier carries to the server. Each seals its word (the
// reply text, the status a status change or a reply sets, the purge) to the
// submitter's reply key, kept in the case folder when the case was opened.
import { readFile } from 'node:fs/promises';
import {
  type CaseStatus,
  type StatementKind,
  CASE_STATUSES,
  EPOCH_KEY_FORMAT,
  SealboxError,
  createStatement,
  fromBase64Url,
  verifyEpochKey,
  verifyStatement,
} from '../../client-crypto/index.ts';
import { CaseFolder } from '../cases/case-folder.ts';
import { writeIndexes } from '../cases/indexes.ts';
import { caseName } from '../cases/safe-name.ts';
import { CliError, usage } from '../errors.ts';
import type { CommandIo } from '../io.ts';
import { keyOptions } from '../io.ts';
import { loadReviewerKey } from '../keys.ts';
import { appendToOutbox, defaultOutbox, readOutbox } from '../outbox.ts';
import { terminalField } from '../terminal-text.ts';
import { folderKeyset, isMember } from '../trust.ts';

export interface StatementOptions {
  kind: StatementKind;
  caseId: string;
  status?: string | undefined;
  /** Reply text, read from this file; without it, from standard input. */
  textFile?: string | undefined;
  text?: string | undefined;
  /** A reply that asks for a sign of life every so many days (0 ends the check-ins). */
  checkin?: number | undefined;
  key: string;
  cases: string;
  outbox?: string | undefined;
  passphraseFile?: string | undefined;
  now?: Date;
}

function checkStatus(status: string | undefined, required: boolean): CaseStatus | undefined {
  if (status === undefined) {
    if (required) throw usage(`Give the new status: one of ${CASE_STATUSES.join(', ')}.`);
    return undefined;
  }
  if (!CASE_STATUSES.includes(status as CaseStatus)) {
    throw usage(`"${status}" is not a status. Use one of ${CASE_STATUSES.join(', ')}.`);
  }
  return status as CaseStatus;
}

/**
 * What a check-in request says when the reviewer writes nothing: plain words
 * that mean nothing to someone reading over the person's shoulder.
 */
export function checkinText(every: number): string {
  return every > 0
    ? `When you can, please confirm on this page about every ${every} days.`
    : 'You no longer need to confirm on this page.';
}

async function replyText(options: StatementOptions, io: CommandIo): Promise<string> {
  let text = options.text;
  if (text === undefined && options.textFile === undefined && options.checkin !== undefined) {
    return checkinText(options.checkin);
  }
  if (text === undefined && options.textFile !== undefined) {
    text = await readFile(options.textFile, 'utf8').catch(() => {
      throw new CliError('FILE_MISSING', `Cannot read the reply text file ${options.textFile}.`);
    });
  }
  if (text === undefined) {
    if (io.stdin.isTTY) io.print('Type the reply, then press Ctrl-D on a new line:');
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
  }
  if (text.trim() === '') throw usage('The reply is empty.');
  return text;
}

export async function reviewStatement(
  options: StatementOptions,
  io: CommandIo,
): Promise<{ statementId: string; outbox: string }> {
  const status = checkStatus(options.status, options.kind === 'status');
  if (options.kind === 'purge' && status !== undefined) throw usage('A purge carries no status.');
  if (options.checkin !== undefined && options.kind !== 'reply') {
    throw usage('Only a reply asks for check-ins.');
  }
  const folder = await CaseFolder.open(options.cases, { create: false });
  const record = await folder.findCase(options.caseId);
  const keyset = await folderKeyset(folder, { now: options.now }, io);
  const text = options.kind === 'reply' ? await replyText(options, io) : undefined;
  const { secrets: identity } = await loadReviewerKey(
    options.key,
    keyOptions(io, options.passphraseFile),
  );
  if (!isMember(keyset, identity)) {
    throw new SealboxError(
      'STATEMENT_SIGNER_UNKNOWN',
      `Your key is not in keyset version ${keyset.version}; the server would refuse this statement.`,
    );
  }
  // The person's page seals follow-ups to the desk a reply names; a desk the
  // keyset no longer has is left out, and the page asks the person again.
  const desk =
    record.desk && keyset.desks?.some((d) => d.id === record.desk!.id) ? record.desk.id : undefined;
  if (record.desk && desk === undefined) {
    io.print(
      `Note: desk ${terminalField(record.desk.id)} is not in keyset version ${keyset.version}; this statement names no desk, and the person will be asked to choose one again.`,
    );
  }
  const signed = await createStatement(
    {
      ...(desk !== undefined ? { desk } : {}),
      kind: options.kind,
      caseId: record.caseId,
      ...(status !== undefined ? { status } : {}),
      ...(text !== undefined ? { text } : {}),
      ...(options.checkin !== undefined ? { checkin: options.checkin } : {}),
      replyPublicKey: fromBase64Url(record.replyPublicKey),
      ...(options.now ? { date: options.now } : {}),
    },
    identity,
    keyset,
  );
  const statement = await verifyStatement(signed, keyset);
  const outbox = options.outbox ?? defaultOutbox(options.cases);
  await appendToOutbox(outbox, signed);
  record.statements.push({
    id: statement.id,
    kind: statement.kind,
    date: statement.date,
    ...(status !== undefined ? { status } : {}),
    ...(text !== undefined ? { text } : {}),
    ...(options.checkin !== undefined ? { checkinEvery: options.checkin } : {}),
  });
  if (status !== undefined) record.status = status;
  if (options.checkin !== undefined) {
    if (options.checkin > 0) record.checkin = { every: options.checkin, since: statement.date };
    else delete record.checkin;
  }
  // Writing to the person answers their call for help; the mark goes.
  if (options.kind === 'reply') delete record.helpRequested;
  await folder.writeCase(record);
  await writeIndexes(folder, [record.caseId]);
  const what =
    options.checkin !== undefined
      ? `check-in request (${options.checkin ? `every ${options.checkin} days` : 'stop'})`
      : { status: `status "${status}"`, reply: 'reply', purge: 'purge request' }[options.kind];
  io.print(`Signed ${what} for case ${caseName(record.caseId)} added to ${outbox}.`);
  io.print('Carry the outbox file to the courier computer to send it.');
  return { statementId: statement.id, outbox };
}

/** Checks every statement and epoch key of an outbox against the case folder's keyset, as the server will. */
export async function reviewCheckOutbox(
  options: { outbox: string; cases: string; now?: Date },
  io: CommandIo,
): Promise<number> {
  const folder = await CaseFolder.open(options.cases, { create: false });
  const keyset = await folderKeyset(folder, { now: options.now }, io);
  const lines = await readOutbox(options.outbox);
  let epochKeys = 0;
  for (const [index, signed] of lines.entries()) {
    const isEpochKey = (signed as { format?: unknown } | null)?.format === EPOCH_KEY_FORMAT;
    try {
      if (isEpochKey) await verifyEpochKey(signed, keyset);
      else await verifyStatement(signed, keyset);
      if (isEpochKey) epochKeys += 1;
    } catch (error) {
      if (error instanceof Error)
        error.message = `Line ${index + 1} of ${options.outbox}: ${error.message}`;
      throw error;
    }
  }
  io.print(
    `All ${lines.length - epochKeys} statement(s) and ${epochKeys} epoch key(s) in ${options.outbox} verify against keyset version ${keyset.version}.`,
  );
  return lines.length;
}
