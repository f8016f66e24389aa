// Someone who seizes the server's disk reads the database's write-ahead log:
// every commit record carries its commit time to the microsecond. After a
// burst of anonymous writes, the log must hold only window-aligned commit
// times, one per window, never one per submission; on PGlite the purge must
// then leave no commit record (and no case id) of the burst in pg_wal, and
// the data directory's file times must be window times too.
import { randomBytes } from 'node:crypto';
import { cp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import t, { type Test } from 'tap';
import {} from '../../client-crypto/index.ts';
import type { Db } from '../../server/db/database.ts';
import { pgliteDatabase, postgresDatabase } from '../../server/db/database.ts';
import { migrateToLatest } from '../../server/db/migrate.ts';
import { purgeWal } from '../../server/db/wal.ts';
import { cannotRunPrivatePostgres, privatePostgres } from '../faults/private-postgres.ts';
import type { Teardown, TestKeyset } from '../helper.ts';
import { build, onPostgres, pgliteTemplate, sampleSubmission, seedKeyset } from '../helper.ts';
import type { FastifyInstance } from 'fastify';
import type { Commit } from './wal.ts';
import { readCommits, waldumpCommits } from './wal.ts';

const WINDOW_MS = 1_000;
/** How late after its boundary a window may commit (timer delay, the batch's own work). */
const SLACK_MS = WINDOW_MS / 2;
const BURST = 12;
const PG_BIN = '/usr/lib/postgresql/15/bin';

interface Store {
  db: Db;
  walDir: string;
  dataDir: string;
}

async function pgliteStore(t: Teardown): Promise<Store> {
  const dir = join(tmpdir(), `sealbox-seizure-${randomBytes(6).toString('hex')}`);
  await cp(await pgliteTemplate(), dir, { recursive: true });
  const db = await pgliteDatabase(dir);
  t.teardown(async () => {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });
  return { db, walDir: join(dir, 'pg_wal'), dataDir: dir };
}

/** A cluster of the test's own: the shared server's log holds everyone's traffic. */
async function postgresStore(t: Teardown): Promise<Store> {
  const server = await privatePostgres(t);
  const db = postgresDatabase(server.url, 4);
  t.teardown(() => db.destroy());
  // Autovacuum would commit at times of its own choosing.
  await sql`alter system set autovacuum = off`.execute(db);
  await sql`select pg_reload_conf()`.execute(db);
  await migrateToLatest(db);
  const { rows } = await sql<{ data_directory: string }>`show data_directory`.execute(db);
  const dataDir = rows[0]!.data_directory;
  return { db, walDir: join(dataDir, 'pg_wal'), dataDir };
}

async function insertLsn(db: Db): Promise<string> {
  const { rows } = await sql<{
    lsn: string;
  }>`select pg_current_wal_insert_lsn()::text as lsn`.execute(db);
  return rows[0]!.lsn;
}

async function submitBurst(app: FastifyInstance, made: TestKeyset): Promise<void> {
  const bodies = [];
  for (let i = 0; i < BURST; i++) bodies.push(await sampleSubmission(app, made));
  const answers = await Promise.all(
    bodies.map((payload) => app.inject({ method: 'POST', url: '/v1/submissions', payload })),
  );
  for (const res of answers) if (res.statusCode !== 201) throw new Error(res.body);
}

const offset = (time: number) => ((time % WINDOW_MS) + WINDOW_MS) % WINDOW_MS;

function checkAligned(
  t: Test,
  commits: Commit[],
  started: number,
  ended: number,
  submissions: number,
): void {
  const burst = commits.filter((c) => c.time >= started - 1 && c.time <= ended + 1);
  t.equal(burst.length, commits.length, 'no commit outside the bursts');
  t.ok(commits.length > 0, 'the log holds the burst’s commits (the reader sees them)');
  const windows = Math.floor(ended / WINDOW_MS) - Math.floor(started / WINDOW_MS) + 1;
  t.ok(
    commits.length <= windows,
    `${commits.length} commits for ${submissions} submissions in ${windows} windows: one per window at most`,
  );
  const late = commits.filter((c) => offset(c.time) >= SLACK_MS);
  t.same(
    late.map((c) => new Date(c.time).toISOString()),
    [],
    `every commit time lies within ${SLACK_MS} ms after a ${WINDOW_MS} ms boundary`,
  );
}

t.test(
  'a seizer of the disk reads only window times from the write-ahead log',
  { skip: onPostgres && cannotRunPrivatePostgres() },
  async (t) => {
    const store = onPostgres ? await postgresStore(t) : await pgliteStore(t);
    const made = await seedKeyset(store.db);
    const { app } = await build(t, {
      db: store.db,
      env: { SEALBOX_COMMIT_WINDOW_MS: String(WINDOW_MS) },
    });

    const startLsn = await insertLsn(store.db);
    const started = Date.now();
    await submitBurst(app, made);
    // A second, later burst: windows stay windows across the log.
    await submitBurst(app, made);
    const ended = Date.now();
    const { rows } = await sql<{ case_id: string }>`select case_id from submissions`.execute(
      store.db,
    );
    t.equal(rows.length, 2 * BURST, 'every submission was stored');

    const commits = onPostgres
      ? await waldumpCommits(PG_BIN, store.walDir, startLsn)
      : (await readCommits(store.walDir)).filter((c) => c.time >= started - 1);
    checkAligned(t, commits, started, ended, rows.length);
    if (onPostgres) {
      const read = (await readCommits(store.walDir)).filter((c) => c.time >= started - 1);
      t.same(read, commits, 'the reader used for PGlite finds what pg_waldump finds');
    }

    // PostgreSQL's own checkpointer, WAL writer and background writer write
    // files and drop segments on their own schedule (docs/operations.md).
    const pgliteOnly = onPostgres && 'PGlite only: PostgreSQL governs its own WAL and file writes';

    await t.test(
      'file times in the data directory are window times',
      { skip: pgliteOnly },
      async (t) => {
        // Between checkpoints PGlite writes only the WAL segment, at commits;
        // data files, pg_xact and pg_control change at checkpoints and close.
        const late: string[] = [];
        const walk = async (dir: string): Promise<void> => {
          for (const entry of await readdir(dir, { withFileTypes: true })) {
            const path = join(dir, entry.name);
            if (entry.isDirectory()) {
              await walk(path);
              continue;
            }
            const { mtimeMs } = await stat(path);
            if (mtimeMs >= started && mtimeMs <= ended && offset(mtimeMs) >= SLACK_MS) {
              late.push(`${path.slice(store.dataDir.length)} ${new Date(mtimeMs).toISOString()}`);
            }
          }
        };
        await walk(store.dataDir);
        t.same(late, [], 'no file written during the bursts at a time outside a window boundary');
      },
    );
    await t.test(
      'the purge leaves no commit and no case of the burst in pg_wal',
      { skip: pgliteOnly },
      async (t) => {
        const walText = async () => {
          const names = await readdir(store.walDir);
          const files = names.filter((n) => /^[0-9A-F]{24}$/.test(n));
          return Buffer.concat(
            await Promise.all(files.map((n) => readFile(join(store.walDir, n)))),
          );
        };
        const before = await walText();
        t.ok(
          rows.some((r) => before.includes(r.case_id)),
          'before the purge, case ids sit in the log',
        );
        await purgeWal(store.db);
        const after = await walText();
        t.same(
          rows.filter((r) => after.includes(r.case_id)).map((r) => r.case_id),
          [],
          'no case id in the log',
        );
        const left = (await readCommits(store.walDir)).filter((c) => c.time >= started - 1);
        t.same(left, [], 'no commit record of the burst in the log');
      },
    );
  },
);
