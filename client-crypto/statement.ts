// Reviewer statements: a status change, a reply (which may set a status too),
// or a purge, signed with the reviewer's Ed25519 key over
// "sealbox/v2/statement\n" || payload. Every statement carries `sealed`: a
// reply envelope to the submitter's reply key that repeats the case id, the
// statement id, its kind and its status (and holds the reply text). The server
// stores statements but cannot read the reply, and cannot show one case's
// statement to another case's submitter: only the right reply key opens it,
// and what it opens must match.
import { fromBase64Url, isoDate, toBase64Url, utf8Encode } from './encoding.ts';
import {
  CASE_STATUSES,
  type CaseStatus,
  DOCUMENT_VERSION,
  type StatementKind,
  openReply,
  sealReply,
} from './document.ts';
import { SealboxError, fail } from './errors.ts';
import type { ReviewerIdentity } from './keys.ts';
import type { Keyset } from './keyset.ts';
import { type SignedObject, readSignedFields, signJson, verifySignedJson } from './signed.ts';
import { getSodium } from './sodium.ts';

export const STATEMENT_FORMAT = 'sealbox-statement-v2';
export const STATEMENT_SIGNATURE_LABEL = utf8Encode('sealbox/v2/statement\n');
export type { StatementKind } from './document.ts';

export interface Statement {
  v: 2;
  kind: StatementKind;
  id: string;
  caseId: string;
  date: string;
  keysetVersion: number;
  status?: CaseStatus;
  sealed: string;
}

export type SignedStatement = SignedObject<typeof STATEMENT_FORMAT>;

export interface StatementInput {
  kind: StatementKind;
  caseId: string;
  status?: CaseStatus;
  text?: string;
  /** Days between signs of life asked for (0 ends them); only in a reply. */
  checkin?: number;
  /** The desk the case is with, when the keyset has desks: the page seals follow-ups to it. */
  desk?: string;
  /** The submitter's reply key, from the case's submission. */
  replyPublicKey: Uint8Array;
  date?: Date;
}

function checkStatement(value: unknown): Statement {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('statement is not an object');
  const s = value as Record<string, unknown>;
  if (s.v !== 2) throw new SealboxError('VERSION_UNSUPPORTED', 'unknown statement version');
  if (s.kind !== 'status' && s.kind !== 'reply' && s.kind !== 'purge')
    fail('unknown statement kind');
  for (const f of ['id', 'caseId'] as const) {
    if (typeof s[f] !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(s[f]))
      fail(`statement ${f} is invalid`);
  }
  if (typeof s.date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s.date))
    fail('statement date is invalid');
  if (!Number.isSafeInteger(s.keysetVersion) || (s.keysetVersion as number) < 1)
    fail('statement keyset version is invalid');
  if (s.status !== undefined && !CASE_STATUSES.includes(s.status as CaseStatus))
    fail('unknown status');
  if (s.kind === 'status' && s.status === undefined) fail('status statement needs a status');
  if (s.kind === 'purge' && s.status !== undefined) fail('a purge carries no status');
  if (typeof s.sealed !== 'string') fail('statement needs its sealed part');
  fromBase64Url(s.sealed);
  return {
    v: 2,
    kind: s.kind,
    id: s.id as string,
    caseId: s.caseId as string,
    date: s.date,
    keysetVersion: s.keysetVersion as number,
    ...(s.status !== undefined ? { status: s.status as CaseStatus } : {}),
    sealed: s.sealed,
  };
}

export async function createStatement(
  input: StatementInput,
  identity: Pick<ReviewerIdentity, 'signPublicKey' | 'signSecretKey'>,
  keyset: Keyset,
): Promise<SignedStatement> {
  const sodium = await getSodium();
  const id = toBase64Url(sodium.randombytes_buf(16));
  if (input.kind === 'reply' && (input.text === undefined || input.text.trim() === '')) {
    throw new SealboxError('FORMAT_INVALID', 'a reply needs text');
  }
  if (input.checkin !== undefined && input.kind !== 'reply') {
    throw new SealboxError('FORMAT_INVALID', 'only a reply asks for check-ins');
  }
  if (input.desk !== undefined && !keyset.desks?.some((d) => d.id === input.desk)) {
    throw new SealboxError('FORMAT_INVALID', `the keyset has no desk "${input.desk}"`);
  }
  // What the submitter opens repeats the kind and status that are signed, so
  // the two sides always agree on them.
  const envelope = await sealReply(
    {
      v: DOCUMENT_VERSION,
      kind: 'reply',
      caseId: input.caseId,
      statementId: id,
      statement: input.kind,
      ...(input.status !== undefined ? { status: input.status } : {}),
      ...(input.kind === 'reply' ? { text: input.text } : {}),
      ...(input.checkin !== undefined ? { checkin: input.checkin } : {}),
      ...(input.desk !== undefined ? { desk: input.desk } : {}),
    },
    input.replyPublicKey,
    keyset.version,
  );
  const statement = checkStatement({
    v: 2,
    kind: input.kind,
    id,
    caseId: input.caseId,
    date: isoDate(input.date ?? new Date()),
    keysetVersion: keyset.version,
    ...(input.status !== undefined ? { status: input.status } : {}),
    sealed: toBase64Url(envelope),
  });
  return signJson(STATEMENT_FORMAT, STATEMENT_SIGNATURE_LABEL, statement, {
    publicKey: identity.signPublicKey,
    secretKey: identity.signSecretKey,
  });
}

/** Verifies a statement's signature against the reviewers of a keyset. */
export async function verifyStatement(
  signed: unknown,
  keyset: Keyset,
): Promise<Statement & { reviewer: string }> {
  const fields = readSignedFields(signed, STATEMENT_FORMAT, 'statement');
  const reviewer = keyset.reviewers.find((r) => r.signPublicKey === fields.signer);
  if (!reviewer) {
    throw new SealboxError(
      'STATEMENT_SIGNER_UNKNOWN',
      'statement is signed by a key that is not in the keyset',
    );
  }
  const parsed = await verifySignedJson(
    fields,
    STATEMENT_SIGNATURE_LABEL,
    fromBase64Url(reviewer.signPublicKey),
    'statement',
    'STATEMENT_SIGNATURE_INVALID',
  );
  return { ...checkStatement(parsed), reviewer: reviewer.name };
}

export interface SubmitterView {
  id: string;
  kind: StatementKind;
  status?: CaseStatus;
  text?: string;
  /** Days between signs of life the reviewers ask for (0: no more). */
  checkin?: number;
  /** The desk the case is with, as the sealed part names it. */
  desk?: string;
  date: string;
  reviewer: string;
}

/**
 * What a submitter's page shows for one statement, after checking the
 * signature against the (pinned) keyset and that its sealed part opens with
 * this receipt's reply key and names this case and this statement.
 */
export async function readStatementAsSubmitter(
  signed: unknown,
  keyset: Keyset,
  replyKeyPair: { publicKey: Uint8Array; secretKey: Uint8Array },
  caseId: string,
): Promise<SubmitterView> {
  const st = await verifyStatement(signed, keyset);
  const notForCase = () =>
    new SealboxError('STATEMENT_NOT_FOR_CASE', 'statement does not belong to this case');
  if (st.caseId !== caseId) throw notForCase();
  const reply = await openReply(fromBase64Url(st.sealed), replyKeyPair);
  if (
    !reply ||
    reply.caseId !== caseId ||
    reply.statementId !== st.id ||
    reply.statement !== st.kind ||
    reply.status !== st.status
  ) {
    throw notForCase();
  }
  return {
    id: st.id,
    kind: st.kind,
    ...(st.status !== undefined ? { status: st.status } : {}),
    ...(reply.text !== undefined ? { text: reply.text } : {}),
    ...(reply.checkin !== undefined && st.kind === 'reply' ? { checkin: reply.checkin } : {}),
    ...(reply.desk !== undefined ? { desk: reply.desk } : {}),
    date: st.date,
    reviewer: st.reviewer,
  };
}
