// Errors of the command line itself (bad arguments, missing files, a case folder
// in a bad state). Crypto failures arrive as client-crypto's SealboxError; both
// carry a stable code, and reviewer/exit-codes.ts turns either into an exit code.
export type CliErrorCode =
  | 'USAGE'
  | 'FILE_MISSING'
  | 'FILE_INVALID'
  | 'FILE_EXISTS'
  | 'PASSPHRASE_MISSING'
  | 'PASSPHRASE_WEAK'
  | 'CASES_FOLDER_INVALID'
  | 'ORGANISATION_NOT_PINNED'
  | 'CASE_UNKNOWN'
  | 'BUNDLE_OTHER_KEYSET'
  | 'BUNDLE_TAMPERED'
  | 'BUNDLE_TRUNCATED'
  | 'NOTHING_FOR_THIS_KEY'
  | 'ITEMS_SET_ASIDE';

export class CliError extends Error {
  readonly code: CliErrorCode;

  constructor(code: CliErrorCode, message: string) {
    super(message);
    this.name = 'CliError';
    this.code = code;
  }
}

export function isCliError(value: unknown, code?: CliErrorCode): value is CliError {
  return value instanceof CliError && (code === undefined || value.code === code);
}

export function usage(message: string): CliError {
  return new CliError('USAGE', message);
}
