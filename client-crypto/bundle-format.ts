// The bundle: what the courier carries from the server to the air-gapped
// reviewers. A framed sequence of records (docs/protocol-courier.md, "Bundle"):
//
//   record = u8 type || u32be metaLength || meta (UTF-8 JSON)
//            || u64be bodyLength || body || BLAKE2b-256(all record bytes before it)
//
// The first record is `start`, the last is `end`, whose digest covers every
// byte before it. Every record carries its own checksum so that a reader can
// report one damaged item and go on; the end record catches truncation and
// removed records. Checksums detect damage, they do not authenticate: the
// envelopes and attachment streams inside are authenticated by their own AEAD.
//
// This file holds the format: constants, record framing and the checks of
// each record's meta. bundle-encoder.ts writes bundles, bundle-reader.ts
// reads them; bodies can be GiB (attachment ciphertext), so both stream them.
import { utf8Encode } from './encoding.ts';
import { SealboxError, fail } from './errors.ts';

export const BUNDLE_FORMAT = 'sealbox-bundle-v1';
export const BUNDLE_RECORD_TYPES = {
  start: 1,
  submission: 2,
  attachment: 3,
  followup: 4,
  end: 5,
} as const;
export const DIGEST_BYTES = 32;
export const MAX_META_BYTES = 1 << 20;
/** How much of a record body the reader takes at a time (not the attachment stream's chunk size). */
export const BODY_PIECE_BYTES = 64 * 1024;
export const DEFAULT_MAX_ENVELOPE_BYTES = 64 * 1024 * 1024;
/** The highest effort level a submission record may name (the server's schema allows no more). */
export const MAX_EFFORT_LEVEL = 64;

export interface BundleStart {
  format: typeof BUNDLE_FORMAT;
  keysetVersion: number;
  after: number;
  created: string;
}
export interface BundleUpload {
  id: string;
  size: number;
  digest: string;
}
export interface BundleSubmission {
  id: string;
  seq: number;
  received: string;
  keysetVersion: number;
  uploads: BundleUpload[];
  /**
   * The effort level the case's proof of work was paid at (0 to MAX_EFFORT_LEVEL).
   * Optional: bundles made before servers kept it have none.
   */
  effort?: number;
}
export interface BundleAttachment {
  /** The case. */
  submissionId: string;
  /** Present when the attachment belongs to a follow-up rather than to the submission. */
  followupId?: string;
  uploadId: string;
  size: number;
  digest: string;
}
export interface BundleFollowup {
  id: string;
  submissionId: string;
  seq: number;
  received: string;
  uploads: BundleUpload[];
}
export interface BundleEnd {
  cursor: number;
  count: number;
  digest: string;
}

/** Bytes as they arrive: a stream's chunks, or an array of buffers. */
export type ByteChunks = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export type BundleItem =
  | { type: 'start'; meta: BundleStart }
  | { type: 'submission'; meta: BundleSubmission; envelope: Uint8Array }
  | { type: 'followup'; meta: BundleFollowup; envelope: Uint8Array }
  /** `body` must be consumed before the next item; its bytes are provisional until it ends without throwing. */
  | { type: 'attachment'; meta: BundleAttachment; body: AsyncIterable<Uint8Array> }
  | { type: 'damaged'; index: number; recordType: number; id?: string; error: SealboxError }
  | { type: 'end'; meta: BundleEnd };

export type RecordName = keyof typeof BUNDLE_RECORD_TYPES;

/** The name of a record type byte, or undefined when the type is unknown. */
export function recordName(type: number): RecordName | undefined {
  return (Object.keys(BUNDLE_RECORD_TYPES) as RecordName[]).find(
    (n) => BUNDLE_RECORD_TYPES[n] === type,
  );
}

// ---- meta validation (hand-written: client-crypto carries no schema library)

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const ID = /^[A-Za-z0-9_-]{1,128}$/;
const DIGEST = /^[A-Za-z0-9_-]{43}$/;

function checkKeys(meta: Record<string, unknown>, keys: readonly string[], what: string): void {
  const extra = Object.keys(meta).filter((k) => !keys.includes(k));
  if (extra.length > 0) fail(`${what}: unexpected field ${extra[0]}`);
}
function count(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    fail(`${what} must be a non-negative integer`);
  return v;
}
function text(v: unknown, pattern: RegExp, what: string): string {
  if (typeof v !== 'string' || !pattern.test(v)) fail(`${what} is malformed`);
  return v;
}

function checkUpload(v: unknown): BundleUpload {
  if (!isObject(v)) fail('upload must be an object');
  checkKeys(v, ['id', 'size', 'digest'], 'upload');
  return {
    id: text(v.id, ID, 'upload id'),
    size: count(v.size, 'upload size'),
    digest: text(v.digest, DIGEST, 'upload digest'),
  };
}

export const metaCheckers = {
  start(m: Record<string, unknown>): BundleStart {
    checkKeys(m, ['format', 'keysetVersion', 'after', 'created'], 'start');
    if (m.format !== BUNDLE_FORMAT)
      throw new SealboxError('VERSION_UNSUPPORTED', 'not a sealbox-bundle-v1 bundle');
    return {
      format: BUNDLE_FORMAT,
      keysetVersion: count(m.keysetVersion, 'keysetVersion'),
      after: count(m.after, 'after'),
      created: text(m.created, DATE, 'created'),
    };
  },
  submission(m: Record<string, unknown>): BundleSubmission {
    checkKeys(m, ['id', 'seq', 'received', 'keysetVersion', 'uploads', 'effort'], 'submission');
    if (!Array.isArray(m.uploads)) fail('uploads must be a list');
    if (m.effort !== undefined && count(m.effort, 'effort') > MAX_EFFORT_LEVEL) {
      fail(`effort must be at most ${MAX_EFFORT_LEVEL}`);
    }
    return {
      id: text(m.id, ID, 'submission id'),
      seq: count(m.seq, 'seq'),
      received: text(m.received, DATE, 'received'),
      keysetVersion: count(m.keysetVersion, 'keysetVersion'),
      uploads: m.uploads.map(checkUpload),
      // Last, and only when present: a bundle without it is byte for byte as before.
      ...(m.effort === undefined ? {} : { effort: m.effort as number }),
    };
  },
  attachment(m: Record<string, unknown>): BundleAttachment {
    checkKeys(m, ['submissionId', 'followupId', 'uploadId', 'size', 'digest'], 'attachment');
    return {
      submissionId: text(m.submissionId, ID, 'submissionId'),
      ...(m.followupId === undefined ? {} : { followupId: text(m.followupId, ID, 'followupId') }),
      uploadId: text(m.uploadId, ID, 'uploadId'),
      size: count(m.size, 'size'),
      digest: text(m.digest, DIGEST, 'digest'),
    };
  },
  followup(m: Record<string, unknown>): BundleFollowup {
    checkKeys(m, ['id', 'submissionId', 'seq', 'received', 'uploads'], 'followup');
    if (!Array.isArray(m.uploads)) fail('uploads must be a list');
    return {
      id: text(m.id, ID, 'followup id'),
      submissionId: text(m.submissionId, ID, 'submissionId'),
      seq: count(m.seq, 'seq'),
      received: text(m.received, DATE, 'received'),
      uploads: m.uploads.map(checkUpload),
    };
  },
  end(m: Record<string, unknown>): BundleEnd {
    checkKeys(m, ['cursor', 'count', 'digest'], 'end');
    return {
      cursor: count(m.cursor, 'cursor'),
      count: count(m.count, 'count'),
      digest: text(m.digest, DIGEST, 'digest'),
    };
  },
};

// Serialise with a fixed key order so that a record's bytes are a function of its fields.
export function encodeMeta(name: RecordName, meta: object): Uint8Array {
  const checked = metaCheckers[name](JSON.parse(JSON.stringify(meta)) as Record<string, unknown>);
  return utf8Encode(JSON.stringify(checked));
}

export function recordHeader(type: number, meta: Uint8Array, bodyLength: number): Uint8Array {
  const out = new Uint8Array(1 + 4 + meta.length + 8);
  const view = new DataView(out.buffer);
  out[0] = type;
  view.setUint32(1, meta.length);
  out.set(meta, 5);
  view.setUint32(5 + meta.length, Math.floor(bodyLength / 2 ** 32));
  view.setUint32(9 + meta.length, bodyLength >>> 0);
  return out;
}

/** The record an attachment belongs to: its follow-up, or else its submission. */
export function attachmentOwner(meta: BundleAttachment): string {
  return meta.followupId ?? meta.submissionId;
}
