// The page's only network code: same-origin calls to /v1, no credentials, no
// referrer, no cache. Secrets (the lookup token) travel in bodies, never in URLs.
// The shapes follow the server's routes and their zod schemas (server/routes/),
// which the server publishes as an OpenAPI document at /openapi.json.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A failure worth retrying: the network dropped, or the server was briefly overloaded. */
export function isTransient(error: unknown): boolean {
  if (error instanceof ApiError)
    return (
      error.status === 0 || error.status === 503 || error.status === 429 || error.status >= 502
    );
  return error instanceof TypeError;
}

/** The server no longer (or not yet) takes items sealed to the epoch keys the page used. */
export function isEpochNotCurrent(error: unknown): boolean {
  return error instanceof ApiError && error.status === 409 && error.code === 'EPOCH_NOT_CURRENT';
}

const BASE: RequestInit = {
  credentials: 'omit',
  cache: 'no-store',
  referrerPolicy: 'no-referrer',
  mode: 'same-origin',
};

async function call<T>(
  method: string,
  path: string,
  body?: BodyInit,
  contentType?: string,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      ...BASE,
      method,
      ...(body !== undefined ? { body } : {}),
      headers: contentType ? { 'content-type': contentType } : {},
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'the server could not be reached');
  }
  const text = await response.text().catch(() => '');
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    throw new ApiError(
      response.status,
      typeof error?.code === 'string' ? error.code : `HTTP_${response.status}`,
      typeof error?.message === 'string' ? error.message : response.statusText,
    );
  }
  return parsed as T;
}

const json = <T>(method: string, path: string, value: unknown) =>
  call<T>(method, path, JSON.stringify(value), 'application/json');

export interface Challenge {
  parameters: Record<string, unknown> & { algorithm: string };
  signature?: string;
}
/** A solved challenge as the server takes it back (the `challenge` field of a write). */
export interface Proof {
  challenge: Challenge;
  solution: { counter: number; derivedKey: string; time?: number };
}
export interface UploadState {
  uploadId: string;
  size: number;
  partSize: number;
  partCount: number;
  /** Numbers of the parts the server holds. */
  received: number[];
  finished: boolean;
}
export interface StatusAnswer {
  caseId: string;
  status: string;
  statusDate: string;
  received: string;
  statements: unknown[];
}
export interface SealedWrite {
  challenge: Proof;
  lookupToken: string;
  envelope: string;
  uploads: string[];
}

const upload = (id: string) => `/v1/uploads/${encodeURIComponent(id)}`;

export const api = {
  keyset: () => call<unknown>('GET', '/v1/keyset'),
  epochs: () => call<{ epochs?: unknown }>('GET', '/v1/epochs'),
  challenge: () => call<Challenge>('GET', '/v1/challenge'),
  createUpload: (challenge: Proof, size: number, partSize: number) =>
    json<UploadState>('POST', '/v1/uploads', { challenge, size, partSize }),
  putPart: (id: string, part: number, bytes: Uint8Array) =>
    call<unknown>(
      'PUT',
      `${upload(id)}/parts/${part}`,
      bytes as BodyInit,
      'application/octet-stream',
    ),
  uploadState: (id: string) => call<UploadState>('GET', upload(id)),
  finishUpload: (id: string, digest: string) =>
    json<UploadState>('POST', `${upload(id)}/finish`, { digest }),
  submit: (body: SealedWrite) => json<{ received: string }>('POST', '/v1/submissions', body),
  status: (lookupToken: string) => json<StatusAnswer>('POST', '/v1/status', { lookupToken }),
  followup: (body: SealedWrite) => json<{ received: string }>('POST', '/v1/followups', body),
};
