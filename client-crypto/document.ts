// What goes inside envelopes: the submitter's document (a submission or a
// follow-up) and the reviewers' reply document. Both are UTF-8 JSON, checked
// field by field on the way in and on the way out.
import { fromBase64Url, utf8Decode, utf8Encode } from './encoding.ts';
import { type EnvelopeHeader, openEnvelopeBytes, sealEnvelope } from './envelope.ts';
import { SealboxError } from './errors.ts';
import { XWING_PUBLIC_KEY_BYTES } from './keys.ts';
import type { Keyset } from './keyset.ts';

export const MAX_ATTACHMENTS = 100;
export const MAX_TEXT = 200_000;

export interface AttachmentManifestEntry {
  uploadId: string;
  name: string;
  type: string;
  size: number;
  key: string;
  digest: string;
}

export interface SealedDocument {
  v: 1;
  kind: 'submission' | 'followup';
  locale: string;
  form: string;
  answers: Record<string, string | string[]>;
  message: string;
  attachments: AttachmentManifestEntry[];
  replyPublicKey: string;
}

export type CaseStatus = 'received' | 'in_review' | 'needs_information' | 'referred' | 'closed';
export const CASE_STATUSES: readonly CaseStatus[] = [
  'received',
  'in_review',
  'needs_information',
  'referred',
  'closed',
];

export interface ReplyDocument {
  v: 1;
  kind: 'reply';
  caseId: string;
  statementId: string;
  status?: CaseStatus;
  text?: string;
}

function fail(message: string): never {
  throw new SealboxError('FORMAT_INVALID', message);
}

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
  return {
    uploadId: text(a.uploadId, 'upload id', 100),
    name: text(a.name, 'attachment name', 1000),
    type: text(a.type, 'attachment type', 200),
    size: a.size as number,
    key: a.key as string,
    digest: a.digest as string,
  };
}

export function checkDocument(value: unknown): SealedDocument {
  const d = record(value, 'document');
  if (d.v !== 1) throw new SealboxError('VERSION_UNSUPPORTED', 'unknown document version');
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
  if (fromBase64Url(text(d.replyPublicKey, 'reply key')).length !== XWING_PUBLIC_KEY_BYTES) {
    fail('reply key has the wrong length');
  }
  return {
    v: 1,
    kind: d.kind,
    locale: text(d.locale, 'locale', 35),
    form: text(d.form, 'form id', 100),
    answers,
    message: text(d.message, 'message'),
    attachments: d.attachments.map(checkAttachment),
    replyPublicKey: d.replyPublicKey as string,
  };
}

export function checkReplyDocument(value: unknown): ReplyDocument {
  const d = record(value, 'reply');
  if (d.v !== 1 || d.kind !== 'reply') fail('not a reply document');
  if (d.status !== undefined && !CASE_STATUSES.includes(d.status as CaseStatus))
    fail('unknown status');
  return {
    v: 1,
    kind: 'reply',
    caseId: text(d.caseId, 'case id', 100),
    statementId: text(d.statementId, 'statement id', 100),
    ...(d.status !== undefined ? { status: d.status as CaseStatus } : {}),
    ...(d.text !== undefined ? { text: text(d.text, 'reply text') } : {}),
  };
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(utf8Decode(bytes));
  } catch {
    throw new SealboxError('FORMAT_INVALID', 'sealed document is not JSON');
  }
}

/** Seals a submission or follow-up to every reviewer of the keyset. */
export async function sealDocument(document: SealedDocument, keyset: Keyset): Promise<Uint8Array> {
  const doc = checkDocument(document);
  const recipients = keyset.reviewers.map((r) => ({ publicKey: fromBase64Url(r.kemPublicKey) }));
  return sealEnvelope(doc.kind, keyset.version, recipients, utf8Encode(JSON.stringify(doc)));
}

/** Opens a submission or follow-up with a reviewer's X-Wing key; null if not for this reviewer. */
export async function openEnvelope(
  envelope: Uint8Array,
  identity: { kemPublicKey: Uint8Array; kemSecretKey: Uint8Array },
): Promise<{ header: EnvelopeHeader; document: SealedDocument } | null> {
  const opened = await openEnvelopeBytes(envelope, {
    publicKey: identity.kemPublicKey,
    secretKey: identity.kemSecretKey,
  });
  if (!opened) return null;
  if (opened.header.kind === 'reply') fail('a reply envelope is not a submission');
  const document = checkDocument(parseJson(opened.plaintext));
  if (document.kind !== opened.header.kind) {
    throw new SealboxError('ENVELOPE_TAMPERED', 'document kind does not match its header');
  }
  return { header: opened.header, document };
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
  const opened = await openEnvelopeBytes(envelope, replyKeyPair);
  if (!opened) return null;
  if (opened.header.kind !== 'reply') fail('not a reply envelope');
  return checkReplyDocument(parseJson(opened.plaintext));
}
