// What goes inside envelopes: the submitter's documents (a submission or a
// follow-up), each signed with the receipt's author key, and the reviewers'
// reply document. All are UTF-8 JSON, checked field by field on the way in and
// on the way out.
//
// The author key is what makes a case the submitter's alone: its public half
// travels only inside the sealed submission (the server never sees it), and a
// reviewer accepts a follow-up only if it is signed by the key that signed the
// case's submission. Neither the server nor the courier, who can seal anything
// to the reviewers' public keys, can write in the submitter's name.
import { type DigestAlgorithm, isDigestAlgorithm } from './attachment-digest.ts';
import { concatBytes, fromBase64Url, utf8Encode } from './encoding.ts';
import type { SealingKeys } from './epoch.ts';
import { checkDeskId, deskMembers } from './desks.ts';
import {
  type EnvelopeHeader,
  type KemKeyPair,
  DESK_ENVELOPE_VERSION,
  openEnvelope,
  sealEnvelope,
} from './envelope.ts';
import type { Keyset } from './keyset.ts';
import { SealboxError, fail } from './errors.ts';
import { XWING_PUBLIC_KEY_BYTES } from './keys.ts';
import { parseJsonBytes } from './signed.ts';
import { getSodium } from './sodium.ts';

export const DOCUMENT_VERSION = 2;
export const DOCUMENT_SIGNATURE_LABEL = utf8Encode('sealbox/v2/document\n');
/** Author public key (32) and signature (64) before a submitter's document. */
const AUTHORED_PREFIX_BYTES = 96;
export const MAX_ATTACHMENTS = 100;
export const MAX_TEXT = 200_000;

export interface AttachmentManifestEntry {
  uploadId: string;
  name: string;
  type: string;
  size: number;
  key: string;
  digest: string;
  /** How `digest` was computed; absent in manifests written before sha256-segments: blake2b-256. */
  digestAlgorithm?: DigestAlgorithm;
}

interface DocumentCommon {
  v: 2;
  locale: string;
  form: string;
  answers: Record<string, string | string[]>;
  message: string;
  attachments: AttachmentManifestEntry[];
  /** The desk it was sealed to, when the keyset has desks. */
  desk?: string;
}

/** The first document of a case: it names the key that replies are sealed to. */
export interface SubmissionDocument extends DocumentCommon {
  kind: 'submission';
  replyPublicKey: string;
}

/** Every later word from the submitter: replies go to the submission's reply key. */
export interface FollowupDocument extends DocumentCommon {
  kind: 'followup';
}

export type SealedDocument = SubmissionDocument | FollowupDocument;

export type CaseStatus = 'received' | 'in_review' | 'needs_information' | 'referred' | 'closed';
export const CASE_STATUSES: readonly CaseStatus[] = [
  'received',
  'in_review',
  'needs_information',
  'referred',
  'closed',
];

export type StatementKind = 'status' | 'reply' | 'purge';

export interface ReplyDocument {
  v: 2;
  kind: 'reply';
  caseId: string;
  statementId: string;
  /** The kind of the statement that carries it: a server cannot pass one kind off as another. */
  statement: StatementKind;
  status?: CaseStatus;
  text?: string;
  /**
   * A reply may ask for a sign of life every `checkin` days (1 to 365), or end
   * such check-ins (0). Sealed, so the server cannot tell a check-in request
   * from any other reply.
   */
  checkin?: number;
  /** The desk the case is with: the page seals follow-ups to it. */
  desk?: string;
}

export const MAX_CHECKIN_DAYS = 365;

function text(value: unknown, what: string, max = MAX_TEXT): string {
  if (typeof value !== 'string' || value.length > max)
    fail(`${what} must be text of at most ${max} characters`);
  return value;
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(`${what} must be an object`);
  return value as Record<string, unknown>;
}

function checkAttachment(value: unknown): AttachmentManifestEntry {
  const a = record(value, 'attachment');
  if (!Number.isSafeInteger(a.size) || (a.size as number) < 0)
    fail('attachment size must be a whole number');
  if (fromBase64Url(text(a.key, 'attachment key')).length !== 32)
    fail('attachment key must be 32 bytes');
  if (fromBase64Url(text(a.digest, 'attachment digest')).length !== 32)
    fail('attachment digest must be 32 bytes');
  if (a.digestAlgorithm !== undefined && !isDigestAlgorithm(a.digestAlgorithm))
    fail('attachment digest algorithm is not one this reader knows');
  return {
    uploadId: text(a.uploadId, 'upload id', 100),
    name: text(a.name, 'attachment name', 1000),
    type: text(a.type, 'attachment type', 200),
    size: a.size as number,
    key: a.key as string,
    digest: a.digest as string,
    ...(a.digestAlgorithm === undefined ? {} : { digestAlgorithm: a.digestAlgorithm }),
  };
}

export function checkDocument(value: unknown): SealedDocument {
  const d = record(value, 'document');
  if (d.v !== DOCUMENT_VERSION)
    throw new SealboxError('VERSION_UNSUPPORTED', 'unknown document version');
  if (d.kind !== 'submission' && d.kind !== 'followup')
    fail('document kind must be submission or followup');
  const answers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(record(d.answers, 'answers'))) {
    answers[text(k, 'answer id', 100)] = Array.isArray(v)
      ? v.map((x) => text(x, `answer ${k}`, 10_000))
      : text(v, `answer ${k}`, 10_000);
  }
  if (!Array.isArray(d.attachments) || d.attachments.length > MAX_ATTACHMENTS) {
    fail(`a document lists at most ${MAX_ATTACHMENTS} attachments`);
  }
  const common: DocumentCommon = {
    v: DOCUMENT_VERSION,
    locale: text(d.locale, 'locale', 35),
    form: text(d.form, 'form id', 100),
    answers,
    message: text(d.message, 'message'),
    attachments: d.attachments.map(checkAttachment),
    ...(d.desk !== undefined ? { desk: checkDeskId(d.desk) } : {}),
  };
  if (d.kind === 'followup') {
    if (d.replyPublicKey !== undefined) fail('a follow-up carries no reply key');
    return { ...common, kind: 'followup' };
  }
  if (fromBase64Url(text(d.replyPublicKey, 'reply key')).length !== XWING_PUBLIC_KEY_BYTES) {
    fail('reply key has the wrong length');
  }
  return { ...common, kind: 'submission', replyPublicKey: d.replyPublicKey as string };
}

export function checkReplyDocument(value: unknown): ReplyDocument {
  const d = record(value, 'reply');
  if (d.v !== DOCUMENT_VERSION || d.kind !== 'reply') fail('not a reply document');
  if (d.statement !== 'status' && d.statement !== 'reply' && d.statement !== 'purge')
    fail('unknown statement kind');
  if (d.status !== undefined && !CASE_STATUSES.includes(d.status as CaseStatus))
    fail('unknown status');
  return {
    v: DOCUMENT_VERSION,
    kind: 'reply',
    caseId: text(d.caseId, 'case id', 100),
    statementId: text(d.statementId, 'statement id', 100),
    statement: d.statement,
    ...(d.status !== undefined ? { status: d.status as CaseStatus } : {}),
    ...(d.text !== undefined ? { text: text(d.text, 'reply text') } : {}),
    ...(d.checkin !== undefined ? { checkin: checkinDays(d.checkin) } : {}),
    ...(d.desk !== undefined ? { desk: checkDeskId(d.desk) } : {}),
  };
}

function checkinDays(value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) > MAX_CHECKIN_DAYS)
    fail(`check-in days must be a whole number from 0 to ${MAX_CHECKIN_DAYS}`);
  return value as number;
}

/**
 * Seals a submission or follow-up to the current epoch key of every reviewer
 * (`sealingKeys`), signed with the receipt's author key
 * (`ReceiptKeys.authorKeyPair`). The sealed plaintext is author public key
 * (32) || signature (64) || document.
 */
export async function sealDocument(
  document: SealedDocument,
  keys: SealingKeys,
  author: { publicKey: Uint8Array; secretKey: Uint8Array },
): Promise<Uint8Array> {
  if (document.desk !== undefined)
    throw new RangeError('a document to a desk is sealed with sealDocumentToDesk');
  return sealEnvelope(
    document.kind,
    keys.keysetVersion,
    keys.recipients.map((r) => ({ publicKey: r.publicKey })),
    await authored(document, author),
  );
}

/**
 * Seals a submission or follow-up to the desk its `desk` field names: a
 * version 3 envelope with a stanza for every reviewer of `keys` (keyset
 * order), real for the members of the desk and of every `always` desk, decoys
 * for the others (docs/protocol.md, "Desks").
 */
export async function sealDocumentToDesk(
  document: SealedDocument,
  keys: SealingKeys,
  keyset: Keyset,
  author: { publicKey: Uint8Array; secretKey: Uint8Array },
): Promise<Uint8Array> {
  if (document.desk === undefined) throw new RangeError('the document names no desk');
  if (keys.keysetVersion !== keyset.version || keys.recipients.length !== keyset.reviewers.length)
    throw new RangeError('the sealing keys are not those of this keyset');
  const members = await deskMembers(keyset, document.desk);
  return sealEnvelope(
    document.kind,
    keys.keysetVersion,
    keys.recipients.map((r, i) => ({ publicKey: r.publicKey, decoy: !members[i] })),
    await authored(document, author),
    DESK_ENVELOPE_VERSION,
  );
}

/** author public key (32) || Sign(author, "sealbox/v2/document\n" || D) || D */
async function authored(
  document: SealedDocument,
  author: { publicKey: Uint8Array; secretKey: Uint8Array },
): Promise<Uint8Array> {
  const sodium = await getSodium();
  const bytes = utf8Encode(JSON.stringify(checkDocument(document)));
  const signature = sodium.crypto_sign_detached(
    concatBytes(DOCUMENT_SIGNATURE_LABEL, bytes),
    author.secretKey,
  );
  return concatBytes(author.publicKey, signature, bytes);
}

export interface OpenedDocument {
  header: EnvelopeHeader;
  document: SealedDocument;
  /** The author key (Ed25519 public, 32 bytes) whose signature over the document verified. */
  author: Uint8Array;
  /** The X-Wing public key that opened it (an epoch key, or a legacy identity key). */
  openedWith: Uint8Array;
  /** The authored plaintext as sealed: author key || signature || document, kept for a handover. */
  authored: Uint8Array;
}

/**
 * Opens a submission or follow-up with a reviewer's X-Wing keys (its epoch
 * keys not yet erased) and verifies its author signature; null if it is not
 * for these keys. Whether the author is the case's own is for `checkAuthor`,
 * against the case's submission.
 */
export async function openDocument(
  envelope: Uint8Array,
  keys: readonly KemKeyPair[],
): Promise<OpenedDocument | null> {
  const sodium = await getSodium();
  const opened = await openEnvelope(envelope, keys);
  if (!opened) return null;
  if (opened.header.kind === 'reply') fail('a reply envelope is not a submission');
  const { plaintext } = opened;
  if (plaintext.length < AUTHORED_PREFIX_BYTES) fail('sealed document is too short');
  const author = plaintext.slice(0, 32);
  const signature = plaintext.subarray(32, AUTHORED_PREFIX_BYTES);
  const bytes = plaintext.subarray(AUTHORED_PREFIX_BYTES);
  if (
    !sodium.crypto_sign_verify_detached(
      signature,
      concatBytes(DOCUMENT_SIGNATURE_LABEL, bytes),
      author,
    )
  ) {
    throw new SealboxError('DOCUMENT_SIGNATURE_INVALID', 'document signature does not verify');
  }
  const document = checkDocument(parseJsonBytes(bytes, 'sealed document'));
  if (document.kind !== opened.header.kind) {
    throw new SealboxError('ENVELOPE_TAMPERED', 'document kind does not match its header');
  }
  return {
    header: opened.header,
    document,
    author,
    openedWith: opened.key.publicKey,
    authored: plaintext.slice(),
  };
}

/**
 * Hands an authored plaintext (author key || signature || document, as
 * `openDocument` returned it) to another desk: sealed again, unchanged, as a
 * version 3 envelope of the same kind to the members of `deskId`, decoys for
 * the others (docs/protocol.md, "Handing a case to another desk"). The
 * signature is checked first: a handover never carries what the author did
 * not sign.
 */
export async function resealToDesk(
  authored: Uint8Array,
  keys: SealingKeys,
  keyset: Keyset,
  deskId: string,
): Promise<Uint8Array> {
  const sodium = await getSodium();
  if (authored.length < AUTHORED_PREFIX_BYTES) fail('sealed document is too short');
  const bytes = authored.subarray(AUTHORED_PREFIX_BYTES);
  if (
    !sodium.crypto_sign_verify_detached(
      authored.subarray(32, AUTHORED_PREFIX_BYTES),
      concatBytes(DOCUMENT_SIGNATURE_LABEL, bytes),
      authored.subarray(0, 32),
    )
  ) {
    throw new SealboxError('DOCUMENT_SIGNATURE_INVALID', 'document signature does not verify');
  }
  const document = checkDocument(parseJsonBytes(bytes, 'sealed document'));
  if (keys.keysetVersion !== keyset.version || keys.recipients.length !== keyset.reviewers.length)
    throw new RangeError('the sealing keys are not those of this keyset');
  const members = await deskMembers(keyset, deskId);
  return sealEnvelope(
    document.kind,
    keys.keysetVersion,
    keys.recipients.map((r, i) => ({ publicKey: r.publicKey, decoy: !members[i] })),
    authored,
    DESK_ENVELOPE_VERSION,
  );
}

/**
 * Refuses a document whose author is not the one that signed the case's
 * submission: whoever else sealed it (the server, the courier, anyone with the
 * reviewers' public keys) did not hold the receipt.
 */
export async function checkAuthor(opened: OpenedDocument, caseAuthor: Uint8Array): Promise<void> {
  const sodium = await getSodium();
  if (caseAuthor.length !== 32 || !sodium.memcmp(opened.author, caseAuthor)) {
    throw new SealboxError(
      'DOCUMENT_NOT_BY_AUTHOR',
      "document is not signed by the author of the case's submission",
    );
  }
}

/** Seals a reply document to the submitter's reply key, as an anonymous recipient. */
export async function sealReply(
  reply: ReplyDocument,
  replyPublicKey: Uint8Array,
  keysetVersion: number,
): Promise<Uint8Array> {
  const doc = checkReplyDocument(reply);
  return sealEnvelope(
    'reply',
    keysetVersion,
    [{ publicKey: replyPublicKey, anonymous: true }],
    utf8Encode(JSON.stringify(doc)),
  );
}

export async function openReply(
  envelope: Uint8Array,
  replyKeyPair: { publicKey: Uint8Array; secretKey: Uint8Array },
): Promise<ReplyDocument | null> {
  const opened = await openEnvelope(envelope, replyKeyPair);
  if (!opened) return null;
  if (opened.header.kind !== 'reply') fail('not a reply envelope');
  return checkReplyDocument(parseJsonBytes(opened.plaintext, 'reply document'));
}
