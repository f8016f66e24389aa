// The whole public surface of the sealing library. Browser and Node alike:
// Uint8Array only, no I/O, libsodium as the only cryptography. Everything else
// in client-crypto/ is internal; a name is exported here only when code outside
// the library uses it.

// ---- The API a client needs: verify the keyset, make a receipt, seal a
// report and its files, read the organisation's statements about its case.
export { SealboxError, isSealboxError, type SealboxErrorCode } from './errors.ts';
export { toBase64Url, fromBase64Url } from './encoding.ts';
export { type Keyset, type SignedKeyset, verifyKeyset } from './keyset.ts';
export { type Desk, checkDesks, deskMembers, reviewerFingerprint } from './desks.ts';
export { type EpochKey, type SignedEpochKey, type SealingKeys, sealingKeys } from './epoch.ts';
export { fingerprint } from './keys.ts';
export {
  type PageSignature,
  type SignedPageSignature,
  PAGE_SIGNATURE_FORMAT,
  PAGE_SIGNATURE_PATH,
  PAGE_SIGNATURE_FILE,
  signPage,
  verifyPageSignature,
} from './page-signature.ts';
export { type ReceiptKeys, generateReceipt, parseReceipt, deriveReceiptKeys } from './receipt.ts';
export {
  type AttachmentManifestEntry,
  type SealedDocument,
  type CaseStatus,
  CASE_STATUSES,
  DOCUMENT_VERSION,
  MAX_CHECKIN_DAYS,
  sealDocument,
  sealDocumentToDesk,
} from './document.ts';
export { type EncryptedAttachment, encryptAttachment, rechunk } from './attachment-stream.ts';
export {
  type DigestAlgorithm,
  DIGEST_ALGORITHMS,
  DEFAULT_DIGEST_ALGORITHM,
  LEGACY_DIGEST_ALGORITHM,
} from './attachment-digest.ts';
export { type SignedStatement, type SubmitterView, readStatementAsSubmitter } from './statement.ts';

// ---- For the reviewer tool and the server: keys and cards, keysets, opening
// documents, statements, key files and the courier's bundle.
export { CodedError, codedErrorGuard } from './errors.ts';
export { concatBytes, isoDate } from './encoding.ts';
export { getSodium } from './sodium.ts';
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
  sameFingerprint,
} from './keys.ts';
export { signKeyset } from './keyset.ts';
export {
  type VerifiedEpochKey,
  EPOCH_KEY_FORMAT,
  EPOCH_ACCEPT_DAYS,
  DEFAULT_EPOCH_DAYS,
  MAX_EPOCH_DAYS,
  addDays,
  generateEpochKey,
  verifyEpochKey,
  usableForSealing,
  acceptsSealedTo,
  currentEpochKey,
  epochRecipientId,
} from './epoch.ts';
export {
  type EnvelopeHeader,
  type EnvelopeKind,
  type EnvelopeVersion,
  DESK_ENVELOPE_VERSION,
  type KemKeyPair,
  parseEnvelopeHeader,
  envelopeRecipientIds,
} from './envelope.ts';
export { type OpenedDocument, openDocument, checkAuthor, resealToDesk } from './document.ts';
export { decryptAttachment } from './attachment-stream.ts';
export {
  type Statement,
  type StatementKind,
  createStatement,
  verifyStatement,
} from './statement.ts';
export {
  type EpochSecret,
  type ReviewerSecrets,
  MAX_HELD_EPOCHS,
  encodeReviewerSecrets,
  decodeReviewerSecrets,
  epochKeyPair,
  reviewerKeyRing,
  secretsOfIdentity,
} from './reviewer-secrets.ts';
export {
  type KeyFileKind,
  type KeyFileCost,
  DEFAULT_KEYFILE_COST,
  lockKeyFile,
  unlockKeyFile,
} from './keyfile.ts';
export {
  type BundleItem,
  type BundleUpload,
  BUNDLE_FORMAT,
  BUNDLE_RECORD_TYPES,
} from './bundle-format.ts';
export { BundleEncoder } from './bundle-encoder.ts';
export { readBundle, scanBundle } from './bundle-reader.ts';

// ---- Building blocks for tests, the test vectors and the spec reader.
export { utf8Encode } from './encoding.ts';
export { padme } from './padding.ts';
export { sealEnvelope } from './envelope.ts';
export { type SubmissionDocument, type ReplyDocument, sealReply, openReply } from './document.ts';
export { CHUNK_BYTES, attachmentCiphertextSize } from './attachment-stream.ts';
export {
  ATTACHMENT_DIGEST_LABEL,
  DIGEST_SEGMENT_BYTES,
  attachmentDigest,
} from './attachment-digest.ts';
export { type BundleStart } from './bundle-format.ts';
