// Reads the protocol test vectors (one scenario per JSON file, see
// docs/protocol.md "Test vectors"). The library, the server and the reviewer
// tool all run the same files.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const VECTORS_DIR = dirname(fileURLToPath(import.meta.url));

interface VectorBase {
  /** File name without ".json". */
  name: string;
  description: string;
  /** The scenario's outcome in words: "success", "tampered payload", … */
  expect: string;
  /** The error code a reader must raise; absent when the operation succeeds (or returns "not for me"). */
  error?: string;
}

export interface FingerprintVector extends VectorBase {
  kind: 'fingerprint';
  publicKey: string;
  fingerprint: string;
}

export interface KeysetVector extends VectorBase {
  kind: 'keyset';
  signed: unknown;
  pin: { publicKey?: string; fingerprint?: string };
  now: string;
  newerThan?: number;
  keyset?: unknown;
}

export interface ReceiptVector extends VectorBase {
  kind: 'receipt';
  input: string;
  canonical?: string;
  master?: string;
  lookupToken?: string;
  lookupTokenHex?: string;
  replySeed?: string;
  replyPublicKey?: string;
  authorSeed?: string;
  authorPublicKey?: string;
}

export interface EnvelopeVector extends VectorBase {
  kind: 'envelope';
  /** "reviewer": open as a submission or follow-up; "submitter": open as a reply. */
  open: 'reviewer' | 'submitter';
  /**
   * The X-Wing secret keys (32-byte seeds) the reader holds, in the order it
   * tries them: a reviewer's epoch keys not yet erased (and its identity key
   * during the migration); for a submitter the reply key, and its receipt.
   */
  recipient: { kemSecretKeys: string[]; receipt?: string };
  envelope: string;
  /** For a follow-up: the author key (b64url Ed25519) that signed its case's submission. */
  caseAuthor?: string;
  header?: unknown;
  document?: unknown;
  /** For a submitter's document: the author key whose signature verified. */
  author?: string;
  /** For a reviewer: the X-Wing public key (b64url) of the held key that opened it. */
  openedWith?: string;
}

export interface EpochKeyVector extends VectorBase {
  kind: 'epoch-key';
  organisationPublicKey: string;
  /** The signed keyset the reader trusts (verified against the organisation key on `now`). */
  keyset: unknown;
  now: string;
  /** Signed epoch keys, as GET /v1/epochs serves them. */
  epochKeys: unknown[];
  /** On success: the key to seal to for each reviewer, in keyset order. */
  sealTo?: { reviewerName: string; epoch: number; kemPublicKey: string; recipientId: string }[];
}

export interface StreamVector extends VectorBase {
  kind: 'stream';
  key: string;
  size: number;
  digest: string;
  /** Absent in the vectors written before sha256-segments: blake2b-256. */
  digestAlgorithm?: 'sha256-segments' | 'blake2b-256';
  ciphertext: string;
  plaintext?: string;
}

export interface StatementVector extends VectorBase {
  kind: 'statement';
  organisationPublicKey: string;
  keyset: unknown;
  now: string;
  statement: unknown;
  /** With a receipt the vector is read as the submitter's page reads it, for `caseId`. */
  receipt?: string;
  caseId?: string;
  verified?: unknown;
  submitterView?: unknown;
}

export interface KeyFileVector extends VectorBase {
  kind: 'keyfile';
  file: unknown;
  passphrase: string;
  fileKind?: string;
  secret?: string;
  /** For a reviewer's version 2 secret: what it holds (docs/protocol.md, "Reviewer key file"). */
  reviewerSecrets?: {
    version: 2;
    signPublicKey: string;
    identityPublicKey: string;
    identitySeed: string | null;
    epochs: { epoch: number; starts: string; ends: string; seed: string; publicKey: string }[];
  };
}

/** What a bundle reader yields, in order; a damaged record carries its error's code. */
export type BundleVectorItem =
  | { type: 'start' | 'end'; meta: unknown }
  | { type: 'submission' | 'followup'; meta: unknown; envelope: string }
  | { type: 'attachment'; meta: unknown; body: string }
  | { type: 'damaged'; index: number; recordType: number; id?: string; code: string };

export interface BundleVector extends VectorBase {
  kind: 'bundle';
  bundle: string;
  /**
   * Everything the reader yields, attachment bodies read whole. When the last
   * item is the end record, reading completes and `error` is the code of the
   * damaged record; otherwise the reader then throws `error`.
   */
  items: BundleVectorItem[];
}

export interface CourierSignatureVector extends VectorBase {
  kind: 'courier-signature';
  /** The courier's Ed25519 public key (b64url), named by `keyid`. */
  publicKey: string;
  /** Header names in lower case; `body` is the exact UTF-8 body. */
  request: { method: string; url: string; headers: Record<string, string>; body?: string };
  signatureBase?: string;
  /** The 64-byte signature (b64url) that the Signature header carries. */
  signature?: string;
}

export type Vector =
  | FingerprintVector
  | KeysetVector
  | EpochKeyVector
  | ReceiptVector
  | EnvelopeVector
  | StreamVector
  | StatementVector
  | KeyFileVector
  | BundleVector
  | CourierSignatureVector;

/** Every vector, sorted by name; pass a kind to get only those. */
export function loadVectors(): Vector[];
export function loadVectors<K extends Vector['kind']>(kind: K): Extract<Vector, { kind: K }>[];
export function loadVectors(kind?: Vector['kind']): Vector[] {
  return readdirSync(VECTORS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({
      ...(JSON.parse(readFileSync(join(VECTORS_DIR, f), 'utf8')) as Omit<Vector, 'name'>),
      name: f.slice(0, -'.json'.length),
    }) as Vector)
    .filter((v) => kind === undefined || v.kind === kind);
}
