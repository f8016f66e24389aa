// The API's errors: an HTTP status and a stable code that clients narrow on.
// Messages are short, written for the person at the other end, and never
// carry internals, input values or secrets.
export type ApiErrorCode =
  | 'BODY_MISSING'
  | 'BODY_TOO_LARGE'
  | 'CASE_CLOSED'
  | 'CASE_NOT_FOUND'
  | 'CHALLENGE_EXPIRED'
  | 'CHALLENGE_INVALID'
  | 'CHALLENGE_SPENT'
  | 'DAILY_LIMIT'
  | 'DATABASE_UNAVAILABLE'
  | 'EFFORT_TOO_LOW'
  | 'ENCODING_INVALID'
  | 'ENVELOPE_INVALID'
  | 'ENVELOPE_KIND'
  | 'EPOCH_CONFLICT'
  | 'EPOCH_EXPIRED'
  | 'EPOCH_NOT_CURRENT'
  | 'FOLLOWUP_LIMIT'
  | 'HEADERS_TOO_LARGE'
  | 'INTERNAL'
  | 'JSON_INVALID'
  | 'KEYSET_MISSING'
  | 'KEYSET_UNKNOWN'
  | 'LOOKUP_TOKEN_TAKEN'
  | 'METHOD_NOT_ALLOWED'
  | 'NOT_FOUND'
  | 'OVERLOADED'
  | 'RATE_LIMITED'
  | 'REQUEST_INVALID'
  | 'REQUEST_TIMEOUT'
  | 'STORAGE_FULL'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UPLOAD_CAPACITY'
  | 'UPLOAD_DIGEST_MISMATCH'
  | 'UPLOAD_FINISHED'
  | 'UPLOAD_INCOMPLETE'
  | 'UPLOAD_NOT_CLAIMABLE'
  | 'UPLOAD_NOT_FOUND'
  | 'UPLOAD_PART_OUT_OF_RANGE'
  | 'UPLOAD_PART_SIZE'
  | 'UPLOAD_TOO_LARGE'
  | 'URL_INVALID'
  | 'URL_TOO_LONG'
  | 'VALIDATION_FAILED'
  | (string & {}); // room for codes added by other route groups (courier)

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode,
    message: string,
    /** What a client needs to act on the refusal (EFFORT_TOO_LOW: the minimum level). */
    readonly detail?: ErrorDetail,
  ) {
    super(message);
  }
}

export interface ErrorDetail {
  minimumLevel?: number;
}

export interface ErrorBody {
  error: { code: string; message: string } & ErrorDetail;
}

export function errorBody(code: string, message: string, detail?: ErrorDetail): ErrorBody {
  return { error: { code, message, ...detail } };
}
