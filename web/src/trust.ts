// Nothing is sealed before the keyset is verified against the pinned organisation
// root. Any failure is reported by reason, and the page then seals nothing.
import { type Keyset, isSealboxError, verifyKeyset } from '../../client-crypto/index.ts';
import { ApiError, api } from './api.ts';
import { pinnedFingerprint } from './config.ts';

export type Trust =
  { ok: true; keyset: Keyset; fingerprint: string } | { ok: false; reason: string; retry: boolean };

function reasonFor(error: unknown): { reason: string; retry: boolean } {
  if (error instanceof ApiError) return { reason: 'trust.unreachable', retry: true };
  if (isSealboxError(error, 'KEYSET_EXPIRED')) return { reason: 'trust.expired', retry: false };
  if (isSealboxError(error, 'KEYSET_NOT_YET_VALID'))
    return { reason: 'trust.not_yet_valid', retry: false };
  return { reason: 'trust.bad_signature', retry: false };
}

let pending: Promise<Trust> | undefined;

async function load(): Promise<Trust> {
  const pin = pinnedFingerprint();
  if (!pin.ok)
    return {
      ok: false,
      reason: pin.reason === 'missing' ? 'trust.no_pin' : 'trust.pin_conflict',
      retry: false,
    };
  try {
    const signed = await api.keyset();
    const keyset = await verifyKeyset(signed, { fingerprint: pin.fingerprint });
    if (keyset.reviewers.length === 0)
      return { ok: false, reason: 'trust.no_reviewers', retry: false };
    return { ok: true, keyset, fingerprint: pin.fingerprint };
  } catch (error) {
    return { ok: false, ...reasonFor(error) };
  }
}

/** The verified keyset, loaded once per page; a failed load may be tried again. */
export function trustedKeyset(): Promise<Trust> {
  pending ??= load().then((trust) => {
    if (!trust.ok) pending = undefined;
    return trust;
  });
  return pending;
}

/**
 * The keyset could not be trusted. Its own error, not a network one: the person
 * must read that this page will not seal, not "try again later".
 */
export class KeysetNotTrusted extends Error {
  constructor(
    readonly reason: string,
    readonly retry: boolean,
  ) {
    super(reason);
    this.name = 'KeysetNotTrusted';
  }
}

/** The verified keyset, or a KeysetNotTrusted carrying the reason. */
export async function requireTrustedKeyset(): Promise<Keyset> {
  const trust = await trustedKeyset();
  if (!trust.ok) throw new KeysetNotTrusted(trust.reason, trust.retry);
  return trust.keyset;
}
