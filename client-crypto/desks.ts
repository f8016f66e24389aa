// Desks: groups of reviewers an organisation defines in its signed keyset.
// A submission or follow-up to a desk is sealed so that only the desk's
// reviewers, and those of every `always` desk, can open it; yet it has a
// stanza for every reviewer of the keyset, named as usual, so the server (who
// checks every stanza against the stored epoch keys) cannot tell which desk
// the person chose: the stanzas of the others are decoys (docs/protocol.md,
// "Desks").
import { concatBytes, fromBase64Url } from './encoding.ts';
import { SealboxError, fail } from './errors.ts';
import { type ReviewerCard, checkName, fingerprint } from './keys.ts';

export const MAX_DESKS = 16;
export const MAX_DESK_NAMES = 16;
export const MAX_DESK_REVIEWERS = 64;
export const DESK_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
const LANGUAGE_TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;
const CANONICAL_FINGERPRINT = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){7}$/;

export interface Desk {
  id: string;
  /** Language tag → the desk's name in that language. */
  names: Record<string, string>;
  /** Fingerprints of the desk's reviewers (over kemPublicKey || signPublicKey). */
  reviewers: string[];
  /** Receives every desk envelope, whatever the person chose. */
  always?: boolean;
}

/** The fingerprint a desk lists for a reviewer: over kemPublicKey || signPublicKey. */
export async function reviewerFingerprint(card: ReviewerCard): Promise<string> {
  return fingerprint(
    concatBytes(fromBase64Url(card.kemPublicKey), fromBase64Url(card.signPublicKey)),
  );
}

export function checkDeskId(value: unknown): string {
  if (typeof value !== 'string' || !DESK_ID.test(value))
    fail('a desk id is 1 to 40 characters of a-z, 0-9 and -, not starting with -');
  return value;
}

function checkDesk(value: unknown, members: ReadonlySet<string>): Desk {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('a desk must be an object');
  const d = value as Record<string, unknown>;
  const id = checkDeskId(d.id);
  if (typeof d.names !== 'object' || d.names === null || Array.isArray(d.names))
    fail(`desk ${id}: names must be an object of language → name`);
  const entries = Object.entries(d.names as Record<string, unknown>);
  if (entries.length < 1 || entries.length > MAX_DESK_NAMES)
    fail(`desk ${id}: 1 to ${MAX_DESK_NAMES} names`);
  const names: Record<string, string> = {};
  for (const [tag, name] of entries) {
    if (tag.length > 35 || !LANGUAGE_TAG.test(tag))
      fail(`desk ${id}: "${tag.slice(0, 35)}" is not a language tag`);
    names[tag] = checkName(name);
  }
  if (
    !Array.isArray(d.reviewers) ||
    d.reviewers.length < 1 ||
    d.reviewers.length > MAX_DESK_REVIEWERS
  )
    fail(`desk ${id}: 1 to ${MAX_DESK_REVIEWERS} reviewers`);
  const reviewers: string[] = [];
  for (const r of d.reviewers as unknown[]) {
    if (typeof r !== 'string' || !CANONICAL_FINGERPRINT.test(r))
      fail(`desk ${id}: a reviewer is a fingerprint written XXXX-XXXX-… in upper case`);
    if (!members.has(r)) fail(`desk ${id}: reviewer ${r} is not in the keyset`);
    if (reviewers.includes(r)) fail(`desk ${id}: reviewer ${r} is listed twice`);
    reviewers.push(r);
  }
  if (d.always !== undefined && typeof d.always !== 'boolean')
    fail(`desk ${id}: always must be true or false`);
  return { id, names, reviewers, ...(d.always === true ? { always: true } : {}) };
}

/** Checks a keyset's `desks` against its reviewer cards; FORMAT_INVALID otherwise. */
export async function checkDesks(value: unknown, reviewers: ReviewerCard[]): Promise<Desk[]> {
  if (!Array.isArray(value) || value.length < 1 || value.length > MAX_DESKS)
    fail(`a keyset lists 1 to ${MAX_DESKS} desks`);
  const members = new Set(await Promise.all(reviewers.map(reviewerFingerprint)));
  const desks = value.map((d) => checkDesk(d, members));
  const ids = new Set(desks.map((d) => d.id));
  if (ids.size !== desks.length) fail('two desks have the same id');
  if (desks.every((d) => d.always)) fail('every desk is always included: none to choose');
  return desks;
}

/**
 * For each reviewer of the keyset, in keyset order: whether it is a member of
 * the desk `deskId` or of an `always` desk.
 */
export async function deskMembers(
  keyset: { reviewers: ReviewerCard[]; desks?: Desk[] },
  deskId: string,
): Promise<boolean[]> {
  const desk = keyset.desks?.find((d) => d.id === deskId);
  if (!desk) throw new SealboxError('FORMAT_INVALID', `the keyset has no desk "${deskId}"`);
  const chosen = new Set(
    (keyset.desks ?? []).filter((d) => d === desk || d.always).flatMap((d) => d.reviewers),
  );
  return Promise.all(
    keyset.reviewers.map(async (card) => chosen.has(await reviewerFingerprint(card))),
  );
}
