import type { Db } from './database.ts';
import { today } from './dates.ts';

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

export async function keysetByVersion(db: Db, version: number): Promise<StoredKeyset | undefined> {
  const row = await db
    .selectFrom('keysets')
    .selectAll()
    .where('version', '=', version)
    .executeTakeFirst();
  return row && { version: row.version, signed: row.signed, storedOn: row.stored_on };
}

/**
 * Stores an already verified keyset. Returns false when its version is not
 * higher than every stored one (the caller answers KEYSET_VERSION_NOT_NEWER).
 */
export async function storeKeyset(db: Db, version: number, signed: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
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
}
