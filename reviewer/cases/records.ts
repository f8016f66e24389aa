// What the case folder remembers, as JSON next to the plaintext it describes.
// `.sealbox/state.json` for the folder; `<case>/case.json` for each case.
import type { SignedKeyset } from '../../client-crypto/keyset.ts';
import type { CaseStatus } from '../../client-crypto/document.ts';
import type { ItemContent } from './staged-item.ts';

export const STATE_FORMAT = 'sealbox-cases-v1';
export const CASE_FORMAT = 'sealbox-case-v1';

export interface FolderState {
  format: typeof STATE_FORMAT;
  /** Organisation root public key (b64url) this folder trusts; pinned on first open. */
  organisation: string | null;
  /** The newest keyset seen in a bundle, verified against `organisation`. */
  keyset: SignedKeyset | null;
  keysetVersion: number;
  /** Every item already written, so re-opening a bundle adds only what is new. */
  opened: Record<string, { caseId: string; folder: string }>;
}

export interface AttachmentRecord {
  /** Name on disk, inside the item's attachments/ folder. */
  file: string;
  /** Name the submitter's device gave, for display only. */
  originalName: string;
  type: string;
  size: number;
}

export interface CaseItem {
  itemId: string;
  kind: 'submission' | 'followup';
  date: string;
  folder: string;
  attachments: AttachmentRecord[];
}

export interface StatementRecord {
  id: string;
  kind: 'status' | 'reply' | 'purge';
  date: string;
  status?: CaseStatus;
}

export interface CaseRecord {
  format: typeof CASE_FORMAT;
  caseId: string;
  received: string;
  lastActivity: string;
  locale: string;
  form: string;
  /** The submission's answers (follow-ups keep theirs in their own folders). */
  answers: Record<string, string | string[]>;
  /** The submitter's reply key (b64url X-Wing), needed to write a reply. */
  replyPublicKey: string;
  status: CaseStatus;
  items: CaseItem[];
  statements: StatementRecord[];
}

export function emptyState(): FolderState {
  return { format: STATE_FORMAT, organisation: null, keyset: null, keysetVersion: 0, opened: {} };
}

export function isFolderState(value: unknown): value is FolderState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v.format === STATE_FORMAT &&
    typeof v.opened === 'object' &&
    v.opened !== null &&
    typeof v.keysetVersion === 'number'
  );
}

export function isCaseRecord(value: unknown): value is CaseRecord {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.format === CASE_FORMAT && typeof v.caseId === 'string' && Array.isArray(v.items);
}

/** The record of a case that an item opens. */
export function newCaseRecord(item: ItemContent): CaseRecord {
  return {
    format: CASE_FORMAT,
    caseId: item.caseId,
    received: item.date,
    lastActivity: item.date,
    locale: item.document.locale,
    form: item.document.form,
    answers: {},
    replyPublicKey: item.document.replyPublicKey,
    status: 'received',
    items: [],
    statements: [],
  };
}

export function addToRecord(record: CaseRecord, item: ItemContent, caseItem: CaseItem): void {
  record.items.push(caseItem);
  if (item.date > record.lastActivity) record.lastActivity = item.date;
  // A follow-up that arrives before its submission (bundles opened out of
  // order) opens the case; the submission's answers then take over.
  if (item.kind === 'submission') {
    record.answers = item.document.answers;
    record.locale = item.document.locale;
    record.form = item.document.form;
    if (item.date < record.received) record.received = item.date;
  }
  record.replyPublicKey ||= item.document.replyPublicKey;
}
