// The page's only network code: calls to /v1, no credentials, no referrer, no
// cache. Secrets (the lookup token) travel in bodies, never in URLs. The served
// page calls its own origin (relative URLs). The saved page (web/build-saved.ts)
// has the organisation's API origins baked in, in the order to try (an onion
// address, then a clearnet one): the first that answers GET /v1/keyset is used
// until the keyset is fetched again, before the next write.
// The shapes follow the server's routes and their zod schemas (server/routes/),
// which the server publishes as an OpenAPI document at /openapi.json.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** With 429 EFFORT_TOO_LOW: the level a new case needs now. */
    readonly minimumLevel?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A new case's proof was below the level the service asks for now (it was not spent). */
export function isEffortTooLow(error: unknown): error is ApiError & { minimumLevel: number } {
  return (
    error instanceof ApiError &&
    error.code === 'EFFORT_TOO_LOW' &&
    typeof error.minimumLevel === 'number'
  );
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
};

/**
 * The API origins baked into a saved page, in the order to try; empty for the served
 * page (and where no build defined them: the module run by Node in tests).
 */
const ORIGINS: readonly string[] =
  typeof __SEALBOX_API_ORIGINS__ === 'undefined' ? [] : __SEALBOX_API_ORIGINS__;
/** How long an origin that is not the last may take to answer before the next is tried. */
const PROBE_MS = 45_000;

let origin = ORIGINS[0] ?? '';
const originListeners: ((origin: string) => void)[] = [];

/** The API origin in use (null: the page's own origin, as served). */
export function apiOrigin(): string | null {
  return ORIGINS.length ? origin : null;
}

/** Called with the origin each time one answers GET /v1/keyset first. */
export function onApiOrigin(listener: (origin: string) => void): void {
  originListeners.push(listener);
}

async function call<T>(
  method: string,
  path: string,
  body?: BodyInit,
  contentType?: string,
  options: { origin?: string; timeoutMs?: number } = {},
): Promise<T> {
  const base = options.origin ?? (ORIGINS.length ? origin : '');
  const timeout =
    options.timeoutMs && typeof AbortSignal.timeout === 'function'
      ? { signal: AbortSignal.timeout(options.timeoutMs) }
      : {};
  let response: Response;
  try {
    response = await fetch(base + path, {
      ...BASE,
      // Same-origin only for the served page; the saved page reads CORS answers.
      mode: base ? 'cors' : 'same-origin',
      ...timeout,
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
    const error = (
      parsed as
        { error?: { code?: unknown; message?: unknown; minimumLevel?: unknown } } | undefined
    )?.error;
    throw new ApiError(
      response.status,
      typeof error?.code === 'string' ? error.code : `HTTP_${response.status}`,
      typeof error?.message === 'string' ? error.message : response.statusText,
      Number.isInteger(error?.minimumLevel) ? (error!.minimumLevel as number) : undefined,
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
/** What the service asks of a new case now (GET /v1/challenge, `load`). */
export interface Load {
  minimumLevel: number;
  topLevel: number;
  busy: boolean;
}
/** GET /v1/challenge's answer: the challenge, its level and work, and the load. */
export interface ChallengeAnswer extends Challenge {
  level?: number;
  /** The secret counter's range at this level (older servers send none). */
  difficulty?: number;
  load?: Load;
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

/** The keyset from the first API origin that answers, which is then used for everything else. */
async function keysetFromFirstAnswering(): Promise<unknown> {
  let failure: unknown;
  for (const [index, candidate] of ORIGINS.entries()) {
    const last = index === ORIGINS.length - 1;
    try {
      const keyset = await call<unknown>('GET', '/v1/keyset', undefined, undefined, {
        origin: candidate,
        ...(last ? {} : { timeoutMs: PROBE_MS }),
      });
      origin = candidate;
      for (const listener of originListeners) listener(origin);
      return keyset;
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}

export const api = {
  keyset: () => (ORIGINS.length ? keysetFromFirstAnswering() : call<unknown>('GET', '/v1/keyset')),
  epochs: () => call<{ epochs?: unknown }>('GET', '/v1/epochs'),
  challenge: (level = 0) =>
    call<ChallengeAnswer>('GET', level ? `/v1/challenge?level=${level}` : '/v1/challenge'),
  /** With `lookupToken`, a follow-up's file: the case's token lets it go at the base level. */
  createUpload: (challenge: Proof, size: number, partSize: number, lookupToken?: string) =>
    json<UploadState>('POST', '/v1/uploads', {
      challenge,
      size,
      partSize,
      ...(lookupToken ? { lookupToken } : {}),
    }),
  putPart: (id: string, part: number, bytes: Uint8Array) =>
    call<unknown>(
      'PUT',
      `${upload(id)}/parts/${part}`,
      bytes as BodyInit,
      'application/octet-stream',
    ),
  uploadState: (id: string) => call<UploadState>('GET', upload(id)),
  finishUpload: (id: string, digest: string, digestAlgorithm: string) =>
    json<UploadState>('POST', `${upload(id)}/finish`, { digest, digestAlgorithm }),
  submit: (body: SealedWrite) => json<{ received: string }>('POST', '/v1/submissions', body),
  status: (lookupToken: string) => json<StatusAnswer>('POST', '/v1/status', { lookupToken }),
  followup: (body: SealedWrite) => json<{ received: string }>('POST', '/v1/followups', body),
};
