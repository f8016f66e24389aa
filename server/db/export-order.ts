// Export cursor safety. Submissions and follow-ups take their `seq` from one
// sequence, but transactions can commit out of sequence order: a reader that
// saw seq 12 could later miss an 11 that committed after it. Writers hold a
// shared advisory lock from before they draw a seq until they commit; the
// exporter takes the same lock exclusively, so when it reads, every seq drawn
// so far is committed and every later one will be higher.
import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import type { Db } from './database.ts';
import type { Database } from './tables.ts';

const EXPORT_ORDER_LOCK = 0x5ea1b0; // arbitrary, stable, ours

/**
 * The writers' shared lock as an SQL expression, for a statement that takes
 * it before it draws a seq (db/admission.ts): the lock lasts until the
 * statement's transaction commits, as holdExportOrder's does.
 */
export const exportOrderShared = sql`pg_advisory_xact_lock_shared(${sql.lit(EXPORT_ORDER_LOCK)})`;

/** Call first inside a transaction that inserts submissions or follow-ups. */
export async function holdExportOrder(trx: Transaction<Database>): Promise<void> {
  await sql`select ${exportOrderShared}`.execute(trx);
}

/** Runs `read` when no writer holds a seq that is not yet committed. */
export async function withSettledExportOrder<T>(
  db: Db,
  read: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${EXPORT_ORDER_LOCK})`.execute(trx);
    return read(trx);
  });
}
