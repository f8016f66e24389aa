// Opens the database: PostgreSQL through a `pg` pool when DATABASE_URL is set,
// otherwise an embedded PGlite database on disk under the data directory.
// The two drivers disagree on types; this is the one place that makes them
// agree (bytea → Uint8Array, int8 → number, date → 'YYYY-MM-DD').
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Database } from './tables.ts';

const OID = { bytea: 17, int8: 20, date: 1082 } as const;

/**
 * The database, or a transaction on it: every function of db/ takes one first.
 * The one name for it.
 */
export type Db = Kysely<Database>;

function int8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError('int8 value beyond 2^53');
  return n;
}

function pgTypes(): pg.CustomTypesConfig {
  const parseBytea = pg.types.getTypeParser(OID.bytea) as (text: string) => Buffer;
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
      if (oid === OID.int8) return int8;
      if (oid === OID.date) return (text: string) => text;
      if (oid === OID.bytea) {
        return (text: string) => {
          const b = parseBytea(text);
          return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
        };
      }
      return pg.types.getTypeParser(oid, format) as (text: string) => unknown;
    }) as pg.CustomTypesConfig['getTypeParser'],
  };
}

export function postgresDatabase(connectionString: string, max = 10): Db {
  const pool = new pg.Pool({ connectionString, max, types: pgTypes() });
  // An idle connection that breaks (PostgreSQL restarted, network cut) emits
  // 'error' on the pool; unheard, that event would end the process. The pool
  // drops the client and the next query connects again; requests meanwhile
  // fail and are answered as the database being unavailable.
  pool.on('error', () => undefined);
  // A client that is checked out when its connection breaks emits 'error' on
  // itself too (the failing query also rejects, and is answered 503).
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

// PGlite's own bytea handling turns every byte into a separate JavaScript
// string (Array.from(bytes).map(hex).join; 425 ms per MiB written, 144 ms per
// MiB read). Its protocol writer sends a Uint8Array parameter in binary
// format, as pg does with a Buffer, although the serializer type says string;
// results come back as hex text, decoded natively (14 and 12 ms per MiB).
const byteaToBinary = ((bytes: Uint8Array) => bytes) as unknown as (x: unknown) => string;

function byteaFromHex(text: string): Uint8Array {
  const b = Buffer.from(text.slice(2), 'hex');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export async function openPglite(dir: string): Promise<PGlite> {
  await mkdir(dir, { recursive: true });
  return PGlite.create(dir, {
    parsers: {
      [OID.int8]: (text: string) => int8(text),
      [OID.date]: (text: string) => text,
      [OID.bytea]: byteaFromHex,
    },
    serializers: { [OID.bytea]: byteaToBinary },
  });
}

export async function pgliteDatabase(dir: string): Promise<Db> {
  const client = await openPglite(dir);
  return new Kysely<Database>({ dialect: new PGliteDialect(client) });
}

export function pgliteDir(dataDir: string): string {
  return join(dataDir, 'pglite');
}

export async function openDatabase(options: {
  databaseUrl: string | undefined;
  dataDir: string;
}): Promise<Db> {
  return options.databaseUrl
    ? postgresDatabase(options.databaseUrl)
    : pgliteDatabase(pgliteDir(options.dataDir));
}

/** Throws unless the database answers a trivial query. */
export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
