// Test scaffolding: a fresh, migrated database per test, and `build(t)` for an
// app on it. PostgreSQL (DATABASE_URL set): a new database per test, dropped in
// teardown. PGlite: a fresh data dir costs seconds and ~750 MiB, so one
// migrated template is made per migrations version (under a lock, since tap
// runs files in parallel) and copied per test.
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdir, readFile, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../server/db/database.ts';
import { pgliteDatabase, postgresDatabase } from '../server/db/database.ts';
import { migrateToLatest, migrationFolder } from '../server/db/migrate.ts';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export const onPostgres = Boolean(process.env.DATABASE_URL);

async function migrationsDigest(): Promise<string> {
  const hash = createHash('sha256');
  for (const name of (await readdir(migrationFolder)).sort()) {
    hash.update(name).update(await readFile(join(migrationFolder, name)));
  }
  return hash.digest('hex').slice(0, 16);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function pgliteTemplate(): Promise<string> {
  const template = join(tmpdir(), `sealbox-pglite-template-${await migrationsDigest()}`);
  const lock = `${template}.lock`;
  for (;;) {
    if (await exists(template)) return template;
    try {
      await mkdir(lock);
    } catch {
      // Someone else is building it; a lock older than two minutes is stale.
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > 120_000) await rmdir(lock).catch(() => undefined);
      await sleep(200);
      continue;
    }
    try {
      const building = `${template}.building-${process.pid}`;
      await rm(building, { recursive: true, force: true });
      const db = await pgliteDatabase(building);
      await migrateToLatest(db);
      await db.destroy();
      await rename(building, template);
    } finally {
      await rmdir(lock).catch(() => undefined);
    }
  }
}

/** A fresh migrated database that lives until the end of the test. */
export async function testDatabase(t: Teardown): Promise<Db> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const name = `sealbox_t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const dbUrl = new URL(url);
    dbUrl.pathname = `/${name}`;
    const db = postgresDatabase(dbUrl.toString(), 4);
    t.teardown(async () => {
      await db.destroy();
      const a = new pg.Client({ connectionString: url });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    });
    await migrateToLatest(db);
    return db;
  }
  const template = await pgliteTemplate();
  const dir = join(tmpdir(), `sealbox-pglite-${randomBytes(6).toString('hex')}`);
  await cp(template, dir, { recursive: true });
  const db = await pgliteDatabase(dir);
  t.teardown(async () => {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });
  return db;
}

/** The connection string of a test database that two app instances can share. */
export { postgresDatabase };
