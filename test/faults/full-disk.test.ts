// A full data disk under PGlite. A small tmpfs holds the data directory and
// uploads of random bytes (incompressible, like ciphertext) fill it.
//
// 1. The free-space guard (plugins/storage.ts) refuses writes with 503
//    STORAGE_FULL before the volume is full: every request is answered, reads
//    go on, and once space returns the same server accepts writes again with
//    nothing lost, also after a restart.
// 2. With the guard off, PGlite hits the full disk and its process stops
//    answering (PGlite does not return an error there). The watchdog ends the
//    stuck process; once space returns the restarted server finds every case
//    stored before intact.
// 3. PostgreSQL: the upload parts table moved to a tablespace on a small
//    tmpfs; PostgreSQL's own disk-full error (53100) is answered 503
//    STORAGE_FULL, and the service goes on.
// Needs root for mount.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { fromBase64Url, getSodium, toBase64Url, verifyKeyset } from '../../client-crypto/index.ts';
import type { Keyset, SignedKeyset } from '../../client-crypto/index.ts';
import { Submitter, sendFollowup, submitCase } from '../audit/submitter.ts';
import { sql } from 'kysely';
import pg from 'pg';
import type { AddressInfo } from 'node:net';
import { build, pgliteTemplate, seedKeyset, testPostgres } from '../helper.ts';
import type { Teardown } from '../helper.ts';
import { startServer } from './server-process.ts';

const MiB = 1024 * 1024;
const PART = 2 * MiB;

function cannotMount(): string | false {
  if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs';
  if (process.env.DATABASE_URL) return 'PGlite only';
  return false;
}

function cannotMountForPostgres(): string | false {
  if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs';
  if (!process.env.DATABASE_URL) return 'PostgreSQL only';
  const host = new URL(process.env.DATABASE_URL).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host))
    return 'needs PostgreSQL on this machine (a tablespace on a local tmpfs)';
  return false;
}

/** A tmpfs of `size` MiB holding a fresh PGlite database. */
async function smallDisk(t: Teardown, size: number): Promise<string> {
  const mnt = join(tmpdir(), `sealbox-fulldisk-${process.pid}-${size}`);
  await mkdir(mnt, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}m`, 'tmpfs', mnt]);
  t.teardown(async () => {
    execFileSync('umount', ['-l', mnt]);
    await rm(mnt, { recursive: true, force: true });
  });
  await cp(await pgliteTemplate(), join(mnt, 'pglite'), { recursive: true });
  return mnt;
}

/**
 * A server on a small disk with one case stored before the disk fills.
 * `restart` kills the process (whatever state it is in) and starts it again.
 */
async function serverOnSmallDisk(t: Teardown, sizeMiB: number, extra: Record<string, string>) {
  const mnt = await smallDisk(t, sizeMiB);
  const env = { SEALBOX_DATA_DIR: mnt, SEALBOX_UPLOAD_PART_MAX_BYTES: String(PART), ...extra };
  const it = { server: await startServer(env), client: undefined as unknown as Submitter };
  t.teardown(async () => {
    it.server.child.kill('SIGKILL');
    await it.server.exited;
  });
  it.client = new Submitter(it.server.url);
  const keyset = await keysetOf(it.client);
  const before = await submitCase(it.client, keyset, {
    answers: {},
    message: 'before the disk filled',
  });
  const restart = async () => {
    it.server.child.kill('SIGKILL');
    await it.server.exited;
    it.server = await startServer(env);
    it.client = new Submitter(it.server.url);
  };
  return { mnt, it, keyset, before, restart };
}

const grow = (mnt: string) => execFileSync('mount', ['-o', 'remount,size=512m', mnt]);

async function keysetOf(client: Submitter): Promise<Keyset> {
  const signed = await client.json<SignedKeyset>('GET', '/v1/keyset');
  return verifyKeyset(signed, { publicKey: fromBase64Url(signed.signer) });
}

async function statusOf(client: Submitter, lookupToken: string): Promise<string> {
  return (await client.json<{ status: string }>('POST', '/v1/status', { lookupToken })).status;
}

t.test(
  'the free-space guard refuses writes before the disk is full',
  { skip: cannotMount() },
  async (t) => {
    const { mnt, it, keyset, before, restart } = await serverOnSmallDisk(t, 128, {
      SEALBOX_MIN_FREE_BYTES: String(40 * MiB),
    });
    const client = () => it.client;

    const parts = Array.from({ length: 40 }, () => new Uint8Array(randomBytes(PART)));
    const { uploadId } = await client().json<{ uploadId: string }>(
      'POST',
      '/v1/uploads',
      { challenge: await client().proof(), size: parts.length * PART, partSize: PART },
      201,
    );
    const put = (n: number) =>
      client().request('PUT', `/v1/uploads/${uploadId}/parts/${n}`, undefined, parts[n]);
    let refusedAt = -1;
    for (let n = 0; n < parts.length; n++) {
      const res = await put(n);
      if (res.status === 204) continue;
      refusedAt = n;
      t.equal(res.status, 503, 'refused with 503');
      t.equal(res.headers.get('retry-after'), '300', 'with a time to come back');
      t.match(await res.json(), { error: { code: 'STORAGE_FULL', message: /nothing was stored/ } });
      break;
    }
    t.ok(refusedAt > 0, `the guard refused part ${refusedAt} of ${parts.length}`);

    // Still answering: reads work, other writes get the same clear refusal.
    t.equal((await client().request('GET', '/healthz')).status, 200, 'health answers');
    t.equal(await statusOf(client(), before.lookupToken), 'received', 'reads go on');
    const refused = await submitCase(client(), keyset, { answers: {}, message: 'while full' }).then(
      () => 'stored',
      (e: unknown) => String(e),
    );
    t.match(refused, /503/, 'a submission is refused while the disk is full');
    const followup = await sendFollowup(client(), keyset, before, 'while full').then(
      () => 'stored',
      (e: unknown) => String(e),
    );
    t.match(followup, /503/, 'so is a follow-up');

    // Space returns: the same process takes the rest of the upload.
    grow(mnt);
    for (let n = refusedAt; n < parts.length; n++) t.equal((await put(n)).status, 204, `part ${n}`);
    const sodium = await getSodium();
    const state = sodium.crypto_generichash_init(null, 32);
    for (const p of parts) sodium.crypto_generichash_update(state, p);
    const digest = toBase64Url(sodium.crypto_generichash_final(state, 32));
    const finished = await client().request('POST', `/v1/uploads/${uploadId}/finish`, { digest });
    t.equal(finished.status, 200, 'the upload finishes with the right digest');
    const after = await submitCase(client(), keyset, {
      answers: {},
      message: 'after space returned',
    });

    await restart();
    t.equal(
      await statusOf(client(), before.lookupToken),
      'received',
      'the first case survives a restart',
    );
    t.equal(
      await statusOf(client(), after.lookupToken),
      'received',
      'so does the one stored after',
    );
  },
);

t.test(
  'past the guard: the watchdog ends the stuck process and nothing is lost',
  { skip: cannotMount() },
  async (t) => {
    const { mnt, it, keyset, before, restart } = await serverOnSmallDisk(t, 64, {
      SEALBOX_MIN_FREE_BYTES: '0',
      SEALBOX_WATCHDOG_SECONDS: '5',
    });
    const client = () => it.client;
    const server = () => it.server;
    const count = 64;
    const { uploadId } = await client().json<{ uploadId: string }>(
      'POST',
      '/v1/uploads',
      { challenge: await client().proof(), size: count * PART, partSize: PART },
      201,
    );
    // PGlite either reports the full disk (SQLSTATE 53100, answered 503
    // STORAGE_FULL) or gets stuck; the watchdog ends a stuck process, which
    // the client sees as a dropped connection.
    const put = (n: number) =>
      client()
        .request(
          'PUT',
          `/v1/uploads/${uploadId}/parts/${n}`,
          undefined,
          new Uint8Array(randomBytes(PART)),
        )
        .catch(() => undefined);
    let stored = 0;
    let outcome: 'refused' | 'killed' | undefined;
    const statuses: number[] = [];
    for (let n = 0; n < count && !outcome; n++) {
      const res = await put(n);
      if (!res) outcome = 'killed';
      else if (res.status === 204) stored++;
      else {
        statuses.push(res.status);
        t.match(await res.json(), { error: { code: 'STORAGE_FULL' } }, 'the database said so');
        outcome = 'refused';
      }
    }
    t.ok(outcome, `the disk filled after ${stored} parts: ${outcome}`);
    if (outcome === 'refused') {
      // More writes while full: each refused, or the process gets stuck and ends.
      for (let i = 0; i < 3; i++) {
        const res = await put(stored);
        if (!res) break;
        statuses.push(res.status);
      }
      server().child.kill('SIGKILL'); // and a crash while the disk is full
    }
    t.notOk(statuses.includes(500), `no internal errors: ${JSON.stringify(statuses)}`);
    t.equal(await server().exited, null, 'the process did not exit by itself');
    t.equal(server().child.signalCode, 'SIGKILL');
    if (outcome === 'killed')
      t.match(server().output(), /event loop has not run for 5 s/, 'the watchdog said why');

    grow(mnt);
    await restart();
    t.equal(
      await statusOf(client(), before.lookupToken),
      'received',
      'the case stored before is intact',
    );
    const after = await submitCase(client(), keyset, {
      answers: {},
      message: 'after space returned',
    });
    t.equal(await statusOf(client(), after.lookupToken), 'received', 'writes work again');
  },
);

t.test(
  'PostgreSQL: a full disk is answered 503 STORAGE_FULL',
  { skip: cannotMountForPostgres() },
  async (t) => {
    const tag = randomBytes(4).toString('hex');
    const dir = join(tmpdir(), `sealbox-pgspace-${tag}`);
    await mkdir(dir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dir]);
    execFileSync('chown', ['postgres:postgres', dir]);
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    const space = `sealbox_small_${tag}`;
    await admin.query(`create tablespace ${space} location '${dir}'`);
    const { db } = await testPostgres(t);
    await sql.raw(`alter table upload_parts set tablespace ${space}`).execute(db);
    const seeded = await seedKeyset(db);
    const { app } = await build(t, {
      db,
      env: {
        SEALBOX_ORG_PUBLIC_KEY: toBase64Url(seeded.org.publicKey),
        SEALBOX_UPLOAD_PART_MAX_BYTES: String(PART),
      },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const client = new Submitter(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
    try {
      const before = await submitCase(client, seeded.keyset, { answers: {}, message: 'before' });
      const count = 16;
      const { uploadId } = await client.json<{ uploadId: string }>(
        'POST',
        '/v1/uploads',
        { challenge: await client.proof(), size: count * PART, partSize: PART },
        201,
      );
      let refused: number | undefined;
      for (let n = 0; n < count && refused === undefined; n++) {
        const res = await client.request(
          'PUT',
          `/v1/uploads/${uploadId}/parts/${n}`,
          undefined,
          new Uint8Array(randomBytes(PART)),
        );
        if (res.status === 204) continue;
        refused = n;
        t.equal(res.status, 503);
        t.match(await res.json(), {
          error: { code: 'STORAGE_FULL', message: /nothing was stored/ },
        });
      }
      t.ok(refused !== undefined && refused > 0, `refused at part ${refused}`);
      t.equal((await client.request('GET', '/readyz')).status, 200, 'the database still answers');
      t.equal(await statusOf(client, before.lookupToken), 'received', 'reads go on');
      const after = await submitCase(client, seeded.keyset, { answers: {}, message: 'after' });
      t.equal(await statusOf(client, after.lookupToken), 'received', 'writes elsewhere go on');
    } finally {
      // The test database is dropped afterwards; the table goes now, so that
      // its tablespace can.
      await sql.raw(`drop table upload_parts cascade`).execute(db);
      await admin.query(`drop tablespace ${space}`);
      await admin.end();
      execFileSync('umount', ['-l', dir]);
      await rm(dir, { recursive: true, force: true });
    }
  },
);
