// Requests to the workbench: same origin only, each with the secret from the
// address's fragment in a header (never a cookie).
export const SECRET = location.hash.slice(1);
export const SECRET_HEADER = 'x-sealbox-workbench';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(path, {
    ...init,
    credentials: 'omit',
    headers: { [SECRET_HEADER]: SECRET, ...(init.headers ?? {}) },
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as {
      error?: { code: string; message: string };
    } | null;
    throw new ApiError(
      body?.error?.code ?? 'UNEXPECTED',
      body?.error?.message ?? response.statusText,
    );
  }
  return (await response.json()) as T;
}

export async function apiBlob(path: string): Promise<Blob> {
  const response = await fetch(path, { headers: { [SECRET_HEADER]: SECRET } });
  if (!response.ok) throw new ApiError('FILE', response.statusText);
  return response.blob();
}

export function postJson<T>(path: string, value: unknown): Promise<T> {
  return api<T>(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(value),
  });
}

/** Saves a file fetched with the secret: the browser's download, never opened. */
export async function saveCopy(path: string, name: string): Promise<void> {
  const url = URL.createObjectURL(await apiBlob(path));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
