// The courier's side of the courier API: every request signed with the
// courier key (HTTP Message Signatures, RFC 9421, Ed25519) over @method,
// @path, @query and, with a body, its Content-Digest (RFC 9530). This file
// and the commands next to it are the only code of the sealbox tool that
// opens a network connection.
import { createHash, randomBytes } from 'node:crypto';
import { httpbis } from 'http-message-signatures';
import type { SigningKeyPair } from '../../client-crypto/index.ts';
import { getSodium, toBase64Url } from '../../client-crypto/index.ts';
import { CourierError } from './errors.ts';

export { CourierError } from './errors.ts';

export const COURIER_SIGNATURE_TAG = 'sealbox-courier-v1';

export interface CourierClient {
  server: URL;
  key: SigningKeyPair;
}

export function courierClient(server: string, key: SigningKeyPair): CourierClient {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new CourierError('SERVER_UNREACHABLE', `"${server}" is not a web address.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CourierError('SERVER_UNREACHABLE', `"${server}" is not an http(s) address.`);
  }
  return { server: url, key };
}

export interface SignedRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: Uint8Array<ArrayBuffer>;
}

/** Builds and signs a request; exported so that tests can replay or alter one. */
export async function signRequest(
  client: CourierClient,
  method: string,
  path: string,
  json?: unknown,
  options: { created?: Date; keyid?: string; nonce?: string } = {},
): Promise<SignedRequest> {
  const url = new URL(path.replace(/^\//, ''), withSlash(client.server));
  const headers: Record<string, string> = {};
  let body: Uint8Array<ArrayBuffer> | undefined;
  if (json !== undefined) {
    body = new TextEncoder().encode(JSON.stringify(json));
    headers['content-type'] = 'application/json';
    headers['content-digest'] = `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
  }
  const sodium = await getSodium();
  const signed = await httpbis.signMessage(
    {
      key: {
        id: options.keyid ?? toBase64Url(client.key.publicKey),
        alg: 'ed25519',
        sign: (data) =>
          Promise.resolve(Buffer.from(sodium.crypto_sign_detached(data, client.key.secretKey))),
      },
      fields: body
        ? ['@method', '@path', '@query', 'content-digest']
        : ['@method', '@path', '@query'],
      params: ['created', 'keyid', 'alg', 'nonce', 'tag'],
      paramValues: {
        nonce: options.nonce ?? toBase64Url(randomBytes(16)),
        tag: COURIER_SIGNATURE_TAG,
        ...(options.created ? { created: options.created } : {}),
      },
    },
    { method, url, headers },
  );
  return {
    url,
    method,
    headers: signed.headers,
    ...(body ? { body } : {}),
  };
}

function withSlash(url: URL): URL {
  return url.pathname.endsWith('/') ? url : new URL(`${url.href}/`);
}

export async function send(request: SignedRequest, signal?: AbortSignal): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body ? { body: request.body } : {}),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new CourierError(
      'SERVER_UNREACHABLE',
      `Cannot reach ${request.url.origin}: ${(error as Error).cause ? String((error as Error).cause) : String(error)}`,
    );
  }
  if (!response.ok) throw await refusal(response);
  return response;
}

async function refusal(response: Response): Promise<CourierError> {
  let code = `HTTP_${response.status}`;
  let message = response.statusText;
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
  } catch {
    // not one of our error bodies (a proxy in between, perhaps)
  }
  const kind = response.status === 401 ? 'COURIER_REJECTED' : 'SERVER_REFUSED';
  return new CourierError(kind, `The server refused: ${message} (${code}).`, code, response.status);
}

/** Signs and sends a request with a JSON body (or none) and returns the JSON answer. */
export async function call<T>(
  client: CourierClient,
  method: string,
  path: string,
  json?: unknown,
): Promise<T> {
  const response = await send(await signRequest(client, method, path, json));
  return (await response.json()) as T;
}
