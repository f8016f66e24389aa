// Reviewers' epoch keys as the courier published them: the signed text as
// received, named by the recipient id of the stanzas sealed to it, with the
// reviewer, epoch number and dates of its verified payload for queries. Rows
// are only ever added; a reviewer's epoch number names one key for good.
import type { Db } from './database.ts';
import type { StoredEpochKey } from './tables.ts';

export interface NewEpochKey {
  recipientId: string;
  reviewer: string;
  epoch: number;
  starts: string;
  ends: string;
  signed: string;
}

/**
 * Stores a verified epoch key; false when its recipient id, or its reviewer
 * and epoch number, is stored already (the caller compares, with
 * `storedEpochKeyLike`, whether it is the same key).
 */
export async function insertEpochKey(db: Db, key: NewEpochKey): Promise<boolean> {
  const inserted = await db
    .insertInto('epoch_keys')
    .values({
      recipient_id: key.recipientId,
      reviewer: key.reviewer,
      epoch: key.epoch,
      starts: key.starts,
      ends: key.ends,
      signed: key.signed,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('recipient_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** The stored keys that share the recipient id, or the reviewer and epoch number, of `key`. */
export async function storedEpochKeysLike(db: Db, key: NewEpochKey): Promise<StoredEpochKey[]> {
  return db
    .selectFrom('epoch_keys')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('recipient_id', '=', key.recipientId),
        eb.and([eb('reviewer', '=', key.reviewer), eb('epoch', '=', key.epoch)]),
      ]),
    )
    .execute();
}

/** The stored keys with these recipient ids (the stanzas of one envelope). */
export async function epochKeysByRecipientIds(
  db: Db,
  recipientIds: readonly string[],
): Promise<StoredEpochKey[]> {
  if (recipientIds.length === 0) return [];
  return db
    .selectFrom('epoch_keys')
    .selectAll()
    .where('recipient_id', 'in', [...recipientIds])
    .execute();
}

/**
 * The keys of `reviewers` whose days meet [from, until]: starts on or before
 * `until` and ends on or after `from`, by reviewer and epoch number.
 */
export async function epochKeysBetween(
  db: Db,
  reviewers: readonly string[],
  from: string,
  until: string,
): Promise<StoredEpochKey[]> {
  if (reviewers.length === 0) return [];
  return db
    .selectFrom('epoch_keys')
    .selectAll()
    .where('reviewer', 'in', [...reviewers])
    .where('starts', '<=', until)
    .where('ends', '>=', from)
    .orderBy('reviewer')
    .orderBy('epoch')
    .execute();
}

/** The last day after the last epoch of each of `reviewers` (absent: no key at all). */
export async function lastEpochEnds(
  db: Db,
  reviewers: readonly string[],
): Promise<Map<string, string>> {
  if (reviewers.length === 0) return new Map();
  const rows = await db
    .selectFrom('epoch_keys')
    .select((eb) => ['reviewer', eb.fn.max('ends').as('last')])
    .where('reviewer', 'in', [...reviewers])
    .groupBy('reviewer')
    .execute();
  return new Map(rows.map((r) => [r.reviewer, String(r.last)]));
}
