import type { Db } from './database.ts';
import { today } from './dates.ts';

// Keyset versions known to be published, per database handle. A keyset is
// never deleted, so a version once seen stays valid for good and needs no
// expiry; a version not seen yet is always read again before anyone is
// refused, so a keyset published by another instance (or another process on
// the same database) is accepted at once, with no window of refusals.
const publishedVersions = new WeakMap<Db, Set<number>>();

function remember(db: Db, version: number): void {
  let known = publishedVersions.get(db);
  if (!known) publishedVersions.set(db, (known = new Set()));
  known.add(version);
}

export interface StoredKeyset {
  version: number;
  signed: string;
  storedOn: string;
}

export async function latestKeyset(db: Db): Promise<StoredKeyset | undefined> {
  const row = await db
    .selectFrom('keysets')
    .selectAll()
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && { version: row.version, signed: row.signed, storedOn: row.stored_on };
}

/**
 * Whether this server ever published the keyset `version`: from memory once
 * seen, otherwise from the database.
 */
export async function isPublishedKeyset(db: Db, version: number): Promise<boolean> {
  if (publishedVersions.get(db)?.has(version)) return true;
  const found = await db
    .selectFrom('keysets')
    .select('version')
    .where('version', '=', version)
    .executeTakeFirst();
  if (found) remember(db, version);
  return found !== undefined;
}

/**
 * Stores an already verified keyset. Returns false when its version is not
 * higher than every stored one (the caller answers KEYSET_VERSION_NOT_NEWER).
 */
export async function storeKeyset(db: Db, version: number, signed: string): Promise<boolean> {
  const stored = await db.transaction().execute(async (trx) => {
    const top = await trx
      .selectFrom('keysets')
      .select((eb) => eb.fn.max('version').as('max'))
      .executeTakeFirst();
    if (top?.max != null && Number(top.max) >= version) return false;
    const inserted = await trx
      .insertInto('keysets')
      .values({ version, signed, stored_on: today() })
      .onConflict((oc) => oc.column('version').doNothing())
      .returning('version')
      .executeTakeFirst();
    return inserted !== undefined;
  });
  if (stored) remember(db, version);
  return stored;
}
