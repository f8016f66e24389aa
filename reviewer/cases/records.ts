// What the case folder remembers, as JSON next to the plaintext it describes.
// `.sealbox/state.json` for the folder; `<case>/case.json` for each case.
import type { SignedKeyset } from '../../client-crypto/keyset.ts';
import type { CaseStatus, SealedDocument } from '../../client-crypto/document.ts';

/** One decrypted item, as review open hands it to the case folder. */
export interface ItemContent {
  itemId: string;
  /**
   * The key it is recorded under as opened: its id, or `id.digest` when other
   * content was opened under that id before (both are kept, neither replaces
   * the other).
   */
  openedAs: string;
  caseId: string;
  kind: 'submission' | 'followup';
  /** Date the server received the item (YYYY-MM-DD); never a time. */
  date: string;
  document: SealedDocument;
  /** The author key whose signature over the document verified (b64url). */
  author: string;
  /** BLAKE2b-256 of the envelope (b64url). */
  digest: string;
  /** Set when the item is kept apart from its case: why, in words. */
  flag?: string;
  /** The number of the epoch key that opened it (0: the identity key, before epoch keys). */
  epoch?: number;
  /** A submission's proof-of-work effort level, as the bundle tells it (absent in older bundles). */
  effort?: number;
  /** What the author sealed (author key || signature || document), kept so the case can be handed over. */
  authored?: Uint8Array;
  /** The keyset's names of the desk the document names, by language. */
  deskNames?: Record<string, string>;
  /** Set for a submission that came in a handover file: the desk it is with now, and how it came. */
  handedOver?: { desk: CaseDesk; handover: HandoverRecord };
}

export const STATE_FORMAT = 'sealbox-cases-v1';
export const CASE_FORMAT = 'sealbox-case-v1';

export interface FolderState {
  format: typeof STATE_FORMAT;
  /** Organisation root public key (b64url) this folder trusts; pinned on first open. */
  organisation: string | null;
  /** The newest keyset seen in a bundle, verified against `organisation`. */
  keyset: SignedKeyset | null;
  keysetVersion: number;
  /**
   * Every item already written, so re-opening a bundle adds only what is new;
   * `digest` (BLAKE2b-256 of its envelope, b64url) tells a repeat from an
   * item that comes again under the same id with other content.
   */
  opened: Record<string, OpenedItem>;
  /**
   * The bundles opened completely, as cursor spans: the first, once there is
   * one, reaches back to cursor 0 without a gap (cases/coverage.ts). Absent
   * in folders made before epoch keys.
   */
  bundles?: BundleSpan[];
  /** Items opened but waiting for their case (follow-ups), by id: the epoch that opened each. */
  waiting?: Record<string, number>;
  /** Keys whose secret was erased (public information), so that items sealed to them are named. */
  erased?: ErasedKey[];
  /** Days after an epoch's end before its secret may be erased (`reviewer epochs --grace`). */
  graceDays?: number;
}

export interface OpenedItem {
  caseId: string;
  folder: string;
  /** Absent for items opened by an older version of the tool. */
  digest?: string;
  /** The epoch whose key opened it (0: the identity key); absent before epoch keys. */
  epoch?: number;
}

/** Items after `after` up to and including `cursor`, in a bundle made on `created` (the server's date). */
export interface BundleSpan {
  after: number;
  cursor: number;
  created: string;
}

export interface ErasedKey {
  /** Epoch number; 0 for the identity X-Wing key (items sealed before epoch keys). */
  epoch: number;
  /** The stanza id that items sealed to it carry (b64url). */
  recipientId: string;
  /** The day it was erased. */
  erasedOn: string;
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
  /** BLAKE2b-256 of the item's envelope (b64url). */
  digest?: string;
  /** Why the item was set aside instead of becoming part of the case, in words. */
  flag?: string;
  /** Set when it is recorded as opened under another key than its id (see ItemContent). */
  openedAs?: string;
}

/** The key an item of a case is recorded under as opened. */
export function openedKey(item: CaseItem): string {
  return item.openedAs ?? item.itemId;
}

export interface StatementRecord {
  id: string;
  kind: 'status' | 'reply' | 'purge';
  /** Days between signs of life that a reply asked for (0: no more check-ins). */
  checkinEvery?: number;
  date: string;
  status?: CaseStatus;
  /** A reply's text, so that the reviewer can read again what was sent. */
  text?: string;
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
  /**
   * The author key (b64url Ed25519) that signed the case's submission: every
   * follow-up must be signed by it.
   */
  authorPublicKey: string;
  status: CaseStatus;
  items: CaseItem[];
  statements: StatementRecord[];
  /** The check-ins asked for (review checkin), absent when none are. */
  checkin?: CheckinRequest;
  /**
   * The day a follow-up asked for help now (a check-in answered "help"),
   * until the reviewer next writes to the person.
   */
  helpRequested?: string;
  /** A short summary the reviewer wrote for reporting (review summary). */
  summary?: string;
  /** The name to print with the summary: only ever set where consent is "yes". */
  summaryName?: string;
  /**
   * The effort level the submission's proof of work was paid at, as the server
   * recorded it (absent for cases from before it did): with `received`, what
   * tells a burst (cases/bursts.ts).
   */
  effort?: number;
  /** The day the reviewer set the case aside as part of a burst (review set-aside). */
  setAside?: string;
  /**
   * The desk the case is with: the one its submission was sealed to, or the
   * one it was handed to (review handover). Absent for cases sealed to every
   * reviewer. Every statement's reply document names it.
   */
  desk?: CaseDesk;
  /** Each time the case was handed from one desk to another, oldest first. */
  handovers?: HandoverRecord[];
}

export interface CaseDesk {
  id: string;
  /** The desk's names from the keyset, by language (shown, never trusted). */
  names: Record<string, string>;
}

export interface HandoverRecord {
  date: string;
  /** Desk ids; `from` is absent when the case came to no desk. */
  from?: string;
  to: string;
  /** How the person agreed to the case going to the other desk, as the reviewer recorded it. */
  consent: string;
}

/** The desk's name for people: in `language` if the keyset gives one, else English, else its id. */
export function deskName(desk: CaseDesk, language = 'en'): string {
  return desk.names[language] ?? desk.names.en ?? Object.values(desk.names)[0] ?? desk.id;
}

/** The file, in an item's folder, that keeps what the author sealed (see ItemContent.authored). */
export const AUTHORED_FILE = 'sealed-by-author.bin';

export interface CheckinRequest {
  /** Days between two signs of life. */
  every: number;
  /** The day the reviewer asked. */
  since: string;
}

/** What a follow-up answers to a check-in (answers.checkin), see docs/protocol.md. */
export const CHECKIN_ANSWER = 'checkin';

export function emptyState(): FolderState {
  return { format: STATE_FORMAT, organisation: null, keyset: null, keysetVersion: 0, opened: {} };
}

export function isFolderState(value: unknown): value is FolderState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const optional = (key: string, check: (x: unknown) => boolean) =>
    v[key] === undefined || check(v[key]);
  const record = (x: unknown) => typeof x === 'object' && x !== null && !Array.isArray(x);
  return (
    v.format === STATE_FORMAT &&
    typeof v.opened === 'object' &&
    v.opened !== null &&
    typeof v.keysetVersion === 'number' &&
    optional('bundles', Array.isArray) &&
    optional('waiting', record) &&
    optional('erased', Array.isArray) &&
    optional('graceDays', Number.isSafeInteger)
  );
}

export function isCaseRecord(value: unknown): value is CaseRecord {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.format === CASE_FORMAT && typeof v.caseId === 'string' && Array.isArray(v.items);
}

/** The record of the case that a submission opens. */
export function newCaseRecord(item: ItemContent): CaseRecord {
  const { document } = item;
  if (document.kind !== 'submission') {
    throw new TypeError('only a submission opens a case');
  }
  return {
    format: CASE_FORMAT,
    caseId: item.caseId,
    received: item.date,
    lastActivity: item.date,
    locale: document.locale,
    form: document.form,
    answers: document.answers,
    replyPublicKey: document.replyPublicKey,
    authorPublicKey: item.author,
    status: 'received',
    items: [],
    statements: [],
    ...(item.effort === undefined ? {} : { effort: item.effort }),
    ...(document.desk === undefined
      ? {}
      : { desk: { id: document.desk, names: item.deskNames ?? {} } }),
    ...(item.handedOver
      ? { desk: item.handedOver.desk, handovers: [item.handedOver.handover] }
      : {}),
  };
}

/**
 * Adds an item to its case. What the case is (answers, reply key, author key)
 * comes from its first submission only: an item that was set aside (a second
 * submission, a repeated id) changes nothing but the list of items.
 */
export function addToRecord(record: CaseRecord, item: ItemContent, caseItem: CaseItem): void {
  record.items.push(caseItem);
  if (item.date > record.lastActivity) record.lastActivity = item.date;
  // Only the case's own author can ask for help: a set-aside item is not theirs.
  if (
    !caseItem.flag &&
    item.document.kind === 'followup' &&
    item.document.answers[CHECKIN_ANSWER] === 'help' &&
    !(record.helpRequested && record.helpRequested > item.date)
  ) {
    record.helpRequested = item.date;
  }
}
