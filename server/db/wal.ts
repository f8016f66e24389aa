// The embedded database's write-ahead log keeps every commit record, with its
// commit time, until a checkpoint lets the segment go; PGlite runs no
// checkpointer of its own, so without this it would keep them until the
// server stops. The purge closes the current segment, checkpoints, and has the
// old segments deleted rather than renamed for reuse (a recycled segment keeps
// its old records until they are overwritten). Commit windows
// (db/commit-window.ts) make each time coarse; the purge makes it short-lived.
//
// PostgreSQL's own checkpointer does this on its schedule, under its own
// settings (`wal_recycle`, `checkpoint_timeout`: see docs/operations.md).
import { sql } from 'kysely';
import type { Db } from './database.ts';

export const WAL_PURGE_INTERVAL_MS = 60_000;

/** PGlite only: drops every WAL segment but a fresh one. Needs the superuser (PGlite's only user). */
export async function purgeWal(db: Db): Promise<void> {
  // Session settings: PGlite's one session is also its checkpointer.
  await sql`set wal_recycle = off`.execute(db);
  await sql`set wal_init_zero = off`.execute(db);
  await sql`select pg_switch_wal()`.execute(db);
  await sql`checkpoint`.execute(db);
}
