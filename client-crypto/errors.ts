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
  | 'EPOCH_SIGNATURE_INVALID'
  | 'EPOCH_REVIEWER_UNKNOWN'
  | 'EPOCH_EXPIRED'
  | 'EPOCH_NOT_YET_VALID'
  | 'EPOCH_MISSING'
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
  | 'PAGE_SIGNATURE_INVALID'
  | 'KEYFILE_PASSPHRASE'
  | 'KEYFILE_UNSUPPORTED';

/**
 * An error with a stable code: callers narrow on `code`, never on the message.
 * The library's SealboxError and the reviewer tool's CliError both extend it.
 */
export class CodedError<C extends string> extends Error {
  readonly code: C;

  constructor(code: C, message: string) {
    super(message);
    this.code = code;
  }
}

/** A guard for one CodedError class, optionally for one of its codes. */
export function codedErrorGuard<C extends string, E extends CodedError<C>>(
  errorClass: new (code: C, message: string) => E,
): (value: unknown, code?: C) => value is E {
  return (value: unknown, code?: C): value is E =>
    value instanceof errorClass && (code === undefined || value.code === code);
}

export class SealboxError extends CodedError<SealboxErrorCode> {
  constructor(code: SealboxErrorCode, message: string) {
    super(code, message);
    this.name = 'SealboxError';
  }
}

export const isSealboxError = codedErrorGuard(SealboxError);

/** Throws FORMAT_INVALID: the input is well encoded but not as the protocol specifies. */
export function fail(message: string): never {
  throw new SealboxError('FORMAT_INVALID', message);
}
