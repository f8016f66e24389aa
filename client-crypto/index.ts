// The whole public surface of the sealing library. Browser and Node alike:
// Uint8Array only, no I/O, libsodium as the only cryptography.
export { SealboxError, isSealboxError, type SealboxErrorCode } from './errors.ts';
export {
  toBase64Url,
  fromBase64Url,
  utf8Encode,
  utf8Decode,
  concatBytes,
  isoDate,
} from './encoding.ts';
export { getSodium } from './sodium.ts';
export { padme, documentPaddedLength, attachmentPaddedLength } from './padding.ts';
export {
  type SigningKeyPair,
  type ReviewerIdentity,
  type CourierKey,
  type ReviewerCard,
  type CourierCard,
  generateOrganisationKey,
  generateReviewerIdentity,
  generateCourierKey,
  reviewerIdentityFromSecrets,
  reviewerCard,
  courierCard,
  parseReviewerCard,
  parseCourierCard,
  fingerprint,
  sameFingerprint,
} from './keys.ts';
export {
  type Keyset,
  type SignedKeyset,
  type KeysetPin,
  signKeyset,
  verifyKeyset,
} from './keyset.ts';
export { type ReceiptKeys, generateReceipt, parseReceipt, deriveReceiptKeys } from './receipt.ts';
export {
  type EnvelopeHeader,
  type EnvelopeKind,
  parseEnvelopeHeader,
  sealEnvelope,
  openEnvelope,
} from './envelope.ts';
export {
  type AttachmentManifestEntry,
  type SealedDocument,
  type SubmissionDocument,
  type FollowupDocument,
  type OpenedDocument,
  type ReplyDocument,
  type CaseStatus,
  CASE_STATUSES,
  DOCUMENT_VERSION,
  checkDocument,
  sealDocument,
  openDocument,
  checkAuthor,
  sealReply,
  openReply,
} from './document.ts';
export {
  type EncryptedAttachment,
  CHUNK_BYTES,
  encryptAttachment,
  decryptAttachment,
  attachmentCiphertextSize,
  rechunk,
} from './attachment-stream.ts';
export {
  type Statement,
  type SignedStatement,
  type StatementKind,
  type StatementInput,
  type SubmitterView,
  createStatement,
  verifyStatement,
  readStatementAsSubmitter,
} from './statement.ts';
export {
  type KeyFile,
  type KeyFileKind,
  type KeyFileCost,
  DEFAULT_KEYFILE_COST,
  lockKeyFile,
  unlockKeyFile,
} from './keyfile.ts';
export {
  type BundleStart,
  type BundleUpload,
  type BundleSubmission,
  type BundleAttachment,
  type BundleFollowup,
  type BundleEnd,
  type BundleItem,
  type ByteChunks,
  type BundleScan,
  type ReadBundleOptions,
  BUNDLE_FORMAT,
  BUNDLE_RECORD_TYPES,
  BundleEncoder,
  readBundle,
  scanBundle,
} from './bundle.ts';
