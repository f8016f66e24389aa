// A database the audits can inspect from outside: they need its name (for
// pg_dump) or its data directory (to read every file PGlite wrote), which the
// general test helper keeps to itself.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import type { Db } from '../../server/db/database.ts';
import { openPglite, postgresDatabase } from '../../server/db/database.ts';
import { migrateToLatest } from '../../server/db/migrate.ts';
import type { Database } from '../../server/db/tables.ts';
import { emptyPostgres, pgliteTemplate } from '../helper.ts';

const exec = promisify(execFile);

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface AuditDatabase {
  db: Db;
  /** Every byte the database keeps: a pg_dump, or PGlite's files and its dumpDataDir. */
  contents(): Promise<Buffer[]>;
  /** Closes the connection (PGlite flushes); contents() still works after. */
  close(): Promise<void>;
}

async function filesUnder(dir: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(await readFile(join(entry.parentPath, entry.name)));
  }
  return out;
}

export async function auditDatabase(t: Teardown): Promise<AuditDatabase> {
  const url = process.env.DATABASE_URL;
  if (url) {
    let closed = false;
    const close = async () => {
      if (!closed) await db.destroy();
      closed = true;
    };
    const { name, url: dbUrl } = await emptyPostgres(t, 'sealbox_audit', close);
    const db = postgresDatabase(dbUrl.toString(), 4);
    await migrateToLatest(db);
    return {
      db,
      close,
      async contents() {
        const { stdout } = await exec(
          'pg_dump',
          [
            '-h',
            dbUrl.hostname,
            '-p',
            dbUrl.port || '5432',
            '-U',
            dbUrl.username || 'postgres',
            name,
          ],
          { maxBuffer: 512 * 1024 * 1024, encoding: 'buffer' },
        );
        if (stdout.length < 1000) throw new Error('pg_dump wrote almost nothing');
        return [stdout];
      },
    };
  }
  const dir = join(tmpdir(), `sealbox-audit-${randomBytes(6).toString('hex')}`);
  await cp(await pgliteTemplate(), dir, { recursive: true });
  const client: PGlite = await openPglite(dir);
  const db = new Kysely<Database>({ dialect: new PGliteDialect(client) });
  let dump: Buffer | undefined;
  let closed = false;
  const close = async () => {
    if (closed) return;
    const tarball = await client.dumpDataDir('none');
    dump = Buffer.from(await tarball.arrayBuffer());
    await db.destroy();
    closed = true;
  };
  t.teardown(async () => {
    await close();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    db,
    close,
    async contents() {
      await close();
      const files = await filesUnder(dir);
      if (files.length < 100) throw new Error('the PGlite data directory is almost empty');
      return [...files, dump!];
    },
  };
}
