// One error class with a stable code: callers narrow on `code`, never on the
// message text. Security-relevant failures each have their own code.
export type SealboxErrorCode =
  | 'ENCODING_INVALID'
  | 'FORMAT_INVALID'
  | 'VERSION_UNSUPPORTED'
  | 'KEY_INVALID'
  | 'KEYSET_SIGNATURE_INVALID'
  | 'KEYSET_EXPIRED'
  | 'KEYSET_NOT_YET_VALID'
  | 'KEYSET_VERSION_NOT_NEWER'
  | 'KEYSET_ROOT_MISMATCH'
  | 'ENVELOPE_TAMPERED'
  | 'STREAM_TRUNCATED'
  | 'STREAM_TAMPERED'
  | 'DIGEST_MISMATCH'
  | 'DOCUMENT_SIGNATURE_INVALID'
  | 'DOCUMENT_NOT_BY_AUTHOR'
  | 'RECEIPT_FORMAT'
  | 'RECEIPT_CHECKSUM'
  | 'STATEMENT_SIGNATURE_INVALID'
  | 'STATEMENT_SIGNER_UNKNOWN'
  | 'STATEMENT_NOT_FOR_CASE'
  | 'KEYFILE_PASSPHRASE'
  | 'KEYFILE_UNSUPPORTED';

export class SealboxError extends Error {
  readonly code: SealboxErrorCode;

  constructor(code: SealboxErrorCode, message: string) {
    super(message);
    this.name = 'SealboxError';
    this.code = code;
  }
}

export function isSealboxError(value: unknown, code?: SealboxErrorCode): value is SealboxError {
  return value instanceof SealboxError && (code === undefined || value.code === code);
}
