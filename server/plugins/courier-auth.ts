// Courier authentication: every courier request carries an HTTP Message
// Signature (RFC 9421) made with an Ed25519 courier key that the current
// keyset lists. Covered: @method, @path, @query and, for requests with a body,
// Content-Digest (RFC 9530) over the exact body bytes; parameters created,
// keyid, alg, nonce and tag, in exactly one accepted header shape
// (courier-signature.ts). A signature is good for five minutes either side of
// `created` and only once: the digest of the courier's key and the nonce is
// stored with a unique key (db/courier-replays.ts), so several server
// instances agree that it is spent, however the headers were spelled.
//
// Registered inside the courier route group (fastify-plugin), so its hooks and
// its raw-body JSON parser apply to courier routes only.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ExpiredError, httpbis } from 'http-message-signatures';
import type { VerifyingKey } from 'http-message-signatures';
import type { CourierCard, Keyset } from '../../client-crypto/index.ts';
import {
  fingerprint,
  fromBase64Url,
  getSodium,
  isSealboxError,
  sameFingerprint,
  verifyKeyset,
} from '../../client-crypto/index.ts';
import type { Config } from '../config.ts';
import { spendCourierNonce } from '../db/courier-replays.ts';
import type { Db } from '../db/database.ts';
import { latestKeyset } from '../db/keysets.ts';
import { today } from '../db/dates.ts';
import { ApiError } from '../errors.ts';
import { courierSignatureShape } from './courier-signature.ts';

export const COURIER_SIGNATURE_TAG = 'sealbox-courier-v1';
export const COURIER_SIGNATURE_WINDOW_SECONDS = 300;
export const COURIER_SIGNATURE_PARAMS = ['created', 'keyid', 'alg', 'nonce', 'tag'];
export const COURIER_COVERED = ['@method', '@path', '@query'];
export const COURIER_COVERED_WITH_BODY = [...COURIER_COVERED, 'content-digest'];

export interface CourierIdentity {
  /** The courier's Ed25519 public key, base64url: its stable name on this server. */
  publicKey: string;
  name: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    courier?: CourierIdentity;
    rawBody?: Buffer;
  }
  interface FastifyContextConfig {
    /** PUT keyset only: with no keyset stored yet, the keyset in the body names the couriers. */
    courierBootstrap?: boolean;
  }
}

type CourierErrorCode =
  | 'COURIER_SIGNATURE_MISSING'
  | 'COURIER_SIGNATURE_INVALID'
  | 'COURIER_UNKNOWN'
  | 'COURIER_SIGNATURE_EXPIRED'
  | 'COURIER_REPLAY';

const unauthorised = (code: CourierErrorCode, message: string) => new ApiError(401, code, message);

/** The organisation root the server is configured with. */
export function organisationPin(config: Config): { publicKey?: Uint8Array; fingerprint?: string } {
  const { publicKey, fingerprint: print } = config.org;
  if (!publicKey && !print) {
    throw new ApiError(503, 'ORGANISATION_UNCONFIGURED', 'the organisation key is not configured');
  }
  return {
    ...(publicKey ? { publicKey: fromBase64Url(publicKey) } : {}),
    ...(print ? { fingerprint: print } : {}),
  };
}

/**
 * The latest stored keyset, verified against the organisation root. An
 * expired keyset still names its couriers: otherwise no courier could publish
 * the keyset that replaces it.
 */
export async function currentKeyset(db: Db, config: Config): Promise<Keyset | undefined> {
  const stored = await latestKeyset(db);
  if (!stored) return undefined;
  return verifyTolerantOfExpiry(JSON.parse(stored.signed), organisationPin(config));
}

async function verifyTolerantOfExpiry(
  signed: unknown,
  pin: ReturnType<typeof organisationPin>,
): Promise<Keyset> {
  try {
    return await verifyKeyset(signed, pin);
  } catch (error) {
    if (!isSealboxError(error, 'KEYSET_EXPIRED')) throw error;
    // The signature has verified by now; check it all again as of the last valid day.
    const payload = (signed as { payload: string }).payload;
    const { expires } = JSON.parse(new TextDecoder().decode(fromBase64Url(payload))) as {
      expires: string;
    };
    return verifyKeyset(signed, pin, { now: new Date(`${expires}T00:00:00Z`) });
  }
}

async function findCourier(keyset: Keyset, keyid: string): Promise<CourierCard | undefined> {
  for (const card of keyset.couriers) {
    if (card.publicKey === keyid) return card;
    if (sameFingerprint(keyid, await fingerprint(fromBase64Url(card.publicKey)))) return card;
  }
  return undefined;
}

/** Checks an RFC 9530 Content-Digest (sha-256 and/or sha-512) against the body. */
export function contentDigestMatches(header: string, body: Uint8Array): boolean {
  let checked = 0;
  for (const member of header.split(',')) {
    const match = /^\s*(sha-256|sha-512)\s*=\s*:([A-Za-z0-9+/=]*):\s*$/.exec(member);
    if (!match) continue;
    const algorithm = match[1] === 'sha-256' ? 'sha256' : 'sha512';
    const expected = createHash(algorithm).update(body).digest('base64');
    if (expected !== match[2]) return false;
    checked += 1;
  }
  return checked > 0;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

async function keysetFor(request: FastifyRequest, app: FastifyInstance): Promise<Keyset> {
  const { db, config } = app.sealbox;
  const keyset = await currentKeyset(db, config);
  if (keyset) return keyset;
  if (request.routeOptions.config.courierBootstrap) {
    try {
      return await verifyKeyset(request.body, organisationPin(config));
    } catch (error) {
      if (!isSealboxError(error)) throw error;
    }
  }
  throw unauthorised('COURIER_UNKNOWN', 'no keyset is published, so no courier is known');
}

async function authenticate(request: FastifyRequest, app: FastifyInstance): Promise<void> {
  const signature = headerText(request.headers['signature']);
  const signatureInput = headerText(request.headers['signature-input']);
  if (!signature || !signatureInput) {
    throw unauthorised('COURIER_SIGNATURE_MISSING', 'courier requests must be signed');
  }
  const hasBody = request.rawBody !== undefined;
  const shape = courierSignatureShape(signature, signatureInput, {
    components: hasBody ? COURIER_COVERED_WITH_BODY : COURIER_COVERED,
    parameters: COURIER_SIGNATURE_PARAMS,
    tag: COURIER_SIGNATURE_TAG,
  });
  if (!shape) {
    throw unauthorised(
      'COURIER_SIGNATURE_INVALID',
      'the signature headers must hold exactly one signature "sig" of the documented shape',
    );
  }
  const keyset = await keysetFor(request, app);
  const sodium = await getSodium();
  let courier: CourierCard | undefined;
  let unknown = false;
  let lookups = 0;
  const keyLookup = async (params: Record<string, unknown>): Promise<VerifyingKey | null> => {
    lookups += 1;
    if (params.tag !== COURIER_SIGNATURE_TAG || typeof params.keyid !== 'string') return null;
    courier = await findCourier(keyset, params.keyid);
    if (!courier) {
      unknown = true;
      return null;
    }
    const publicKey = fromBase64Url(courier.publicKey);
    return {
      id: params.keyid,
      algs: ['ed25519'],
      verify: (data, sig) =>
        Promise.resolve(
          sig.length === 64 && sodium.crypto_sign_verify_detached(sig, data, publicKey),
        ),
    };
  };
  const now = Math.floor(Date.now() / 1000);
  const headers = Object.fromEntries(
    Object.entries(request.headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, v]])),
  ) as Record<string, string | string[]>;
  let verified: boolean | null;
  try {
    verified = await httpbis.verifyMessage(
      {
        keyLookup,
        requiredParams: COURIER_SIGNATURE_PARAMS,
        requiredFields: hasBody ? COURIER_COVERED_WITH_BODY : COURIER_COVERED,
        maxAge: COURIER_SIGNATURE_WINDOW_SECONDS,
        notAfter: now + COURIER_SIGNATURE_WINDOW_SECONDS,
        tolerance: 0,
      },
      { method: request.method, url: new URL(request.url, 'http://courier.invalid'), headers },
    );
  } catch (error) {
    if (unknown) throw unauthorised('COURIER_UNKNOWN', 'this courier key is not in the keyset');
    if (error instanceof ExpiredError) {
      throw unauthorised(
        'COURIER_SIGNATURE_EXPIRED',
        'the signature is too old or dated in the future: check the clock of the courier machine',
      );
    }
    throw unauthorised('COURIER_SIGNATURE_INVALID', 'the request signature is not acceptable');
  }
  if (unknown) throw unauthorised('COURIER_UNKNOWN', 'this courier key is not in the keyset');
  // One signature per request, so that the courier it names is the one that signed.
  if (verified !== true || !courier || lookups !== 1) {
    throw unauthorised('COURIER_SIGNATURE_INVALID', 'the request signature does not verify');
  }
  if (hasBody) {
    const digest = headerText(request.headers['content-digest']);
    if (!digest || !contentDigestMatches(digest, request.rawBody!)) {
      throw unauthorised('COURIER_SIGNATURE_INVALID', 'the body does not match its Content-Digest');
    }
  }
  // Keyed on who signed and the nonce they chose: both are covered by the
  // signature, so no other spelling of the headers makes a fresh key.
  const replayKey = sodium.crypto_generichash(32, `${courier.publicKey}\n${shape.nonce}`, null);
  if (!(await spendCourierNonce(app.sealbox.db, replayKey, today()))) {
    throw unauthorised('COURIER_REPLAY', 'this signed request was already used');
  }
  request.courier = { publicKey: courier.publicKey, name: courier.name };
}

function courierAuth(app: FastifyInstance, _options: unknown, done: () => void): void {
  // The Content-Digest covers the exact bytes, so keep them next to the parsed body.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const raw = body as Buffer;
    request.rawBody = raw;
    try {
      done(null, JSON.parse(raw.toString('utf8')));
    } catch {
      done(new ApiError(400, 'JSON_INVALID', 'request body is not valid JSON'), undefined);
    }
  });
  // After parsing (the digest needs the body), before validation: a request
  // that is not a known courier's learns nothing about what the route accepts.
  app.addHook('preValidation', async (request) => {
    await authenticate(request, app);
  });
  done();
}

export default fp(courierAuth, { name: 'sealbox-courier-auth' });
