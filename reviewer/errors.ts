// Errors of the command line itself (bad arguments, missing files, a case folder
// in a bad state). Crypto failures arrive as client-crypto's SealboxError; both
// carry a stable code (both extend CodedError), and reviewer/exit-codes.ts turns
// either into an exit code.
import { CodedError, codedErrorGuard } from '../client-crypto/index.ts';

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
  | 'EPOCH_ERASED'
  | 'ITEMS_SET_ASIDE'
  | 'PAGE_CHANGED'
  | 'PAGE_OTHER_ORGANISATION'
  | 'PAGE_NOT_PINNED'
  | 'DESK_UNKNOWN'
  | 'HANDOVER_REFUSED'
  | 'HANDOVER_TAMPERED';

export class CliError extends CodedError<CliErrorCode> {
  constructor(code: CliErrorCode, message: string) {
    super(code, message);
    this.name = 'CliError';
  }
}

export const isCliError = codedErrorGuard(CliError);

export function usage(message: string): CliError {
  return new CliError('USAGE', message);
}
