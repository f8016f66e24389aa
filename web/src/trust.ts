// Nothing is sealed before the keyset is verified against the pinned organisation
// root, and before each reviewer's current epoch key is verified against the
// keyset (root -> keyset -> reviewer identity -> epoch key), and before the
// page has checked itself against the organisation's signature (page-check.ts,
// run beside the keyset fetch). Any failure is reported by reason, and the page
// then seals nothing.
import {
  type Keyset,
  type SealingKeys,
  isSealboxError,
  sealingKeys,
  verifyKeyset,
} from '../../client-crypto/index.ts';
import { ApiError, api, apiOrigin } from './api.ts';
import { pinnedFingerprint } from './config.ts';
import { pageCheck } from './page-check.ts';

export type Trust =
  { ok: true; keyset: Keyset; fingerprint: string } | { ok: false; reason: string; retry: boolean };

/** Where a load failed: the keyset itself, or the reviewers' epoch keys under it. */
type Stage = 'keyset' | 'epochs';

function reasonFor(error: unknown, stage: Stage): { reason: string; retry: boolean } {
  if (error instanceof ApiError) return { reason: 'trust.unreachable', retry: true };
  // No current epoch key for a reviewer: the organisation has not published
  // this week's keys. Nothing is wrong with the page; it must wait.
  if (
    isSealboxError(error, 'EPOCH_MISSING') ||
    isSealboxError(error, 'EPOCH_EXPIRED') ||
    isSealboxError(error, 'EPOCH_NOT_YET_VALID')
  )
    return { reason: 'trust.no_epoch', retry: true };
  // An epoch key that does not verify (signed by another reviewer, of a
  // reviewer not in the keyset, malformed): the server is broken or hostile.
  if (stage === 'epochs') return { reason: 'trust.bad_epoch', retry: false };
  if (isSealboxError(error, 'KEYSET_EXPIRED')) return { reason: 'trust.expired', retry: false };
  if (isSealboxError(error, 'KEYSET_NOT_YET_VALID'))
    return { reason: 'trust.not_yet_valid', retry: false };
  return { reason: 'trust.bad_signature', retry: false };
}

let pending: Promise<Trust> | undefined;

async function load(): Promise<Trust> {
  const [page, trust] = await Promise.all([pageCheck(), loadKeyset()]);
  return page.ok ? trust : { ok: false, reason: page.reason, retry: page.retry };
}

async function loadKeyset(): Promise<Trust> {
  const pin = pinnedFingerprint();
  if (!pin.ok) return { ok: false, reason: pin.reason, retry: false };
  try {
    const signed = await api.keyset();
    const keyset = await verifyKeyset(signed, { fingerprint: pin.fingerprint });
    if (keyset.reviewers.length === 0)
      return { ok: false, reason: 'trust.no_reviewers', retry: false };
    return { ok: true, keyset, fingerprint: pin.fingerprint };
  } catch (error) {
    return { ok: false, ...reasonFor(error, 'keyset') };
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

/**
 * The organisation's desks are not those the page offered: the desk chosen is
 * gone, or desks came or went since the page was opened. Nothing is sealed;
 * the person chooses again from the current keyset.
 */
export class DesksChanged extends Error {
  constructor() {
    super('the desks of the keyset changed');
    this.name = 'DesksChanged';
  }
}

async function currentSealingKeys(
  keyset: Keyset,
  fetched: ReturnType<typeof api.epochs> | undefined,
): Promise<SealingKeys> {
  const { epochs } = await (fetched ?? api.epochs());
  return sealingKeys(keyset, Array.isArray(epochs) ? epochs : [], new Date());
}

/**
 * What the submit page needs before it offers the form: the verified keyset
 * and a verified, current epoch key for every reviewer, so that nobody writes
 * a report the page cannot seal. The status page does not ask for this:
 * replies are read with the keyset alone.
 */
export async function trustedForSealing(): Promise<Trust> {
  // Asked for beside the keyset, not after it: over Tor each round trip is
  // most of a second. They are verified only under the verified keyset. (The
  // saved page asks its own origins in turn, starting with the keyset: there,
  // the epochs come from whichever answered.)
  const epochs = apiOrigin() === null ? api.epochs() : undefined;
  epochs?.catch(() => undefined); // read below, or not at all if the keyset fails
  const trust = await trustedKeyset();
  if (!trust.ok) return trust;
  try {
    await currentSealingKeys(trust.keyset, epochs);
    return trust;
  } catch (error) {
    return { ok: false, ...reasonFor(error, 'epochs') };
  }
}

/**
 * The keys to seal to now: the verified keyset and every reviewer's current
 * epoch key, both fetched again for each write (a page may stay open across
 * the end of an epoch, or while a reviewer joins: a newer keyset's reviewer
 * is then not "a reviewer not in the keyset"), or a KeysetNotTrusted carrying
 * the reason.
 */
export async function requireSealingKeys(): Promise<SealingKeys> {
  return (await requireSealing()).keys;
}

/** The same, with the keyset they belong to (its desks decide how a document is sealed). */
export async function requireSealing(): Promise<{ keyset: Keyset; keys: SealingKeys }> {
  pending = undefined;
  const keyset = await requireTrustedKeyset();
  try {
    return { keyset, keys: await currentSealingKeys(keyset, undefined) };
  } catch (error) {
    const { reason, retry } = reasonFor(error, 'epochs');
    throw new KeysetNotTrusted(reason, retry);
  }
}

/** The verified keyset, or a KeysetNotTrusted carrying the reason. */
export async function requireTrustedKeyset(): Promise<Keyset> {
  const trust = await trustedKeyset();
  if (!trust.ok) throw new KeysetNotTrusted(trust.reason, trust.retry);
  return trust.keyset;
}
