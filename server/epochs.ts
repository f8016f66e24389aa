// What the server makes of the reviewers' epoch keys: which reviewers count
// (those of the latest keyset), how many days of keys each has left, and
// whether an envelope is sealed to a current epoch key of every one of them.
// The keys themselves were verified when the courier published them
// (routes/courier-epochs.ts); the latest keyset when it was stored.
import type { EpochKey, SignedEpochKey } from '../client-crypto/index.ts';
import {
  acceptsSealedTo,
  envelopeRecipientIds,
  epochRecipientId,
  fromBase64Url,
  toBase64Url,
} from '../client-crypto/index.ts';
import type { Db } from './db/database.ts';
import { addDays } from './db/dates.ts';
import type { NewEpochKey } from './db/epochs.ts';
import { epochKeysBetween, epochKeysByRecipientIds, lastEpochEnds } from './db/epochs.ts';
import { latestKeyset } from './db/keysets.ts';
import type { StoredEpochKey } from './db/tables.ts';
import { ApiError } from './errors.ts';

const DAY_MS = 86_400_000;

export interface KeysetReviewer {
  name: string;
  /** The reviewer's Ed25519 signing key, base64url: what an epoch key names. */
  signPublicKey: string;
}

export interface EpochCoverage {
  name: string;
  /** The first day after the reviewer's last epoch key; null with no key at all. */
  lastEnds: string | null;
  /** Days from today that the reviewer's keys cover without a gap (0: no current key). */
  daysLeft: number;
}

function payloadOf(signed: string): unknown {
  const { payload } = JSON.parse(signed) as { payload: string };
  return JSON.parse(new TextDecoder().decode(fromBase64Url(payload)));
}

/** The reviewers of the latest stored keyset; undefined when none is stored. */
export async function keysetReviewers(db: Db): Promise<KeysetReviewer[] | undefined> {
  const stored = await latestKeyset(db);
  if (!stored) return undefined;
  const keyset = payloadOf(stored.signed) as { reviewers: KeysetReviewer[] };
  return keyset.reviewers.map(({ name, signPublicKey }) => ({ name, signPublicKey }));
}

/**
 * The row for an epoch key whose chain verified: named by the recipient id of
 * its stanzas, with only the four signed fields kept, so that the same key
 * is stored as the same text however it arrived.
 */
export async function epochKeyRow(key: EpochKey, signed: SignedEpochKey): Promise<NewEpochKey> {
  const { format, payload, signature, signer } = signed;
  return {
    recipientId: await epochRecipientId(key),
    reviewer: key.reviewer,
    epoch: key.epoch,
    starts: key.starts,
    ends: key.ends,
    signed: JSON.stringify({ format, payload, signature, signer }),
  };
}

/** The epoch key a stored row was made from. */
export function epochKeyOf(row: StoredEpochKey): EpochKey {
  return payloadOf(row.signed) as EpochKey;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);
}

/**
 * For every reviewer of the latest keyset, how long its epoch keys last:
 * the days from `today` covered by one key after another with no gap. A
 * reviewer with 0 days has no current key, and the page refuses to seal.
 */
export async function epochCoverage(db: Db, today: string): Promise<EpochCoverage[]> {
  const reviewers = (await keysetReviewers(db)) ?? [];
  const keys = reviewers.map((r) => r.signPublicKey);
  const [rows, last] = await Promise.all([
    epochKeysBetween(db, keys, addDays(today, 1), '9999-12-31'),
    lastEpochEnds(db, keys),
  ]);
  return reviewers.map((reviewer) => {
    const own = rows.filter((r) => r.reviewer === reviewer.signPublicKey);
    let coveredUntil = today;
    for (let moved = true; moved;) {
      moved = false;
      for (const key of own) {
        if (key.starts <= coveredUntil && key.ends > coveredUntil) {
          coveredUntil = key.ends;
          moved = true;
        }
      }
    }
    return {
      name: reviewer.name,
      lastEnds: last.get(reviewer.signPublicKey) ?? null,
      daysLeft: daysBetween(today, coveredUntil),
    };
  });
}

/** The weakest reviewer: the fewest days left (undefined with no reviewer). */
export function weakest(coverage: readonly EpochCoverage[]): EpochCoverage | undefined {
  return [...coverage].sort((a, b) => a.daysLeft - b.daysLeft)[0];
}

const notCurrent = (message: string) =>
  new ApiError(
    409,
    'EPOCH_NOT_CURRENT',
    `${message}: fetch GET /v1/epochs again and seal to the current epoch keys`,
  );

/**
 * Refuses (409 EPOCH_NOT_CURRENT) an envelope that is not sealed to exactly
 * one current epoch key of every reviewer of the latest keyset: every stanza
 * must name a stored epoch key of such a reviewer that the server still
 * accepts on `today` (acceptsSealedTo), no reviewer twice, none left out. An
 * identity key (as before epoch keys), an ended epoch or the key of a removed
 * reviewer would leave someone unable to open it, or keep open to a seized
 * laptop what forward secrecy should have closed.
 */
export async function checkSealedToCurrentEpochs(
  db: Db,
  envelope: Uint8Array,
  today: string,
): Promise<void> {
  const reviewers = (await keysetReviewers(db)) ?? [];
  const ids = envelopeRecipientIds(envelope).map(toBase64Url);
  const rows = await epochKeysByRecipientIds(db, ids);
  const covered = new Set<string>();
  for (const [index, id] of ids.entries()) {
    const stanza = `stanza ${index + 1}`;
    const row = rows.find((r) => r.recipient_id === id);
    if (!row) throw notCurrent(`${stanza} is not sealed to a published epoch key`);
    const reviewer = reviewers.find((r) => r.signPublicKey === row.reviewer);
    if (!reviewer) {
      throw notCurrent(`${stanza} is sealed to a reviewer who is not in the current keyset`);
    }
    if (!acceptsSealedTo(epochKeyOf(row), today)) {
      throw notCurrent(
        `${stanza} is sealed to epoch ${row.epoch} of reviewer "${reviewer.name}", ` +
          `which ran from ${row.starts} to ${row.ends} and is not accepted on ${today}`,
      );
    }
    if (covered.has(reviewer.signPublicKey)) {
      throw notCurrent(`${stanza} seals to reviewer "${reviewer.name}" a second time`);
    }
    covered.add(reviewer.signPublicKey);
  }
  const missing = reviewers.filter((r) => !covered.has(r.signPublicKey));
  if (missing.length > 0) {
    const names = missing.map((r) => `"${r.name}"`).join(', ');
    throw notCurrent(`the envelope is not sealed to reviewer ${names}`);
  }
}
