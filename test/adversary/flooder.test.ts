// A flooder who pays nothing must not lock out those who pay. Unpaid writes
// (no proof, a forged proof, a replayed proof, a finish or part for an upload
// that does not exist, an unsigned courier call) are answered without taking
// a token from the shared write or part bucket; uploads declared but never sent hold
// no capacity; and what is left unfinished is dropped after
// SEALBOX_UPLOAD_EXPIRY_HOURS, not the retention period. A flooder who pays
// raises the price of a new case on every instance, past the soft cap only
// the top level gets in, and follow-ups and status checks stay open.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import {
  deriveReceiptKeys,
  generateReceipt,
  getSodium,
  sealDocument,
  toBase64Url,
} from '../../client-crypto/index.ts';
import type { ReceiptKeys } from '../../client-crypto/index.ts';
import type { Db } from '../../server/db/database.ts';
import { publishLevel } from '../../server/db/effort-levels.ts';
import { runMaintenance } from '../../server/maintenance.ts';
import { createUpload, getUpload } from '../../server/db/uploads.ts';
import {
  build,
  onPostgres,
  postgresDatabase,
  sampleDocument,
  sampleSubmission,
  seedKeyset,
  solvedChallenge,
  testDatabase,
  testPostgres,
} from '../helper.ts';
import type { Teardown } from '../helper.ts';

type ErrorJson = { error: { code: string } };
type Proof = { challenge: { signature: string } };
const KiB = 1024;
const HOUR = 3_600_000;

t.test('a burst of unpaid writes leaves the write bucket to paid ones', async (t) => {
  const db = await testDatabase(t);
  const seeded = await seedKeyset(db);
  // Two writes a minute: the first refill is thirty seconds away.
  const { app } = await build(t, { db, env: { SEALBOX_WRITES_PER_MINUTE: '2' } });
  const burst = async (
    name: string,
    status: number,
    code: string,
    send: () => Promise<{ statusCode: number; json<T>(): T }>,
  ) => {
    for (let i = 0; i < 40; i++) {
      const res = await send();
      if (res.statusCode !== status || res.json<ErrorJson>().error.code !== code) {
        t.fail(`${name}: ${res.statusCode} ${res.json<ErrorJson>().error.code}`);
        return;
      }
    }
    t.pass(`${name}: 40 × ${status} ${code}`);
  };

  await burst('empty body', 400, 'VALIDATION_FAILED', () =>
    app.inject({ method: 'POST', url: '/v1/submissions', payload: {} }),
  );
  const forged = (await solvedChallenge(app)) as Proof;
  forged.challenge.signature = forged.challenge.signature.replace(/^./, (c) =>
    c === '0' ? '1' : '0',
  );
  await burst('forged proof', 400, 'CHALLENGE_INVALID', () =>
    app.inject({
      method: 'POST',
      url: '/v1/uploads',
      payload: { challenge: forged, size: 10, partSize: 65_536 },
    }),
  );
  await burst('finish of no upload', 404, 'UPLOAD_NOT_FOUND', () =>
    app.inject({
      method: 'POST',
      url: `/v1/uploads/${'A'.repeat(22)}/finish`,
      payload: { digest: 'A'.repeat(43) },
    }),
  );
  await burst('unsigned courier call', 401, 'COURIER_SIGNATURE_MISSING', () =>
    app.inject({ method: 'POST', url: '/v1/courier/ack', payload: { cursor: 0 } }),
  );

  // A solved proof pays for one write; replaying it takes no second token.
  const paidOnce = await solvedChallenge(app);
  const upload = () =>
    app.inject({
      method: 'POST',
      url: '/v1/uploads',
      payload: { challenge: paidOnce, size: 10, partSize: 65_536 },
    });
  t.equal((await upload()).statusCode, 201, 'the first use of a proof');
  await burst('replayed proof', 409, 'CHALLENGE_SPENT', upload);

  const paid = await app.inject({
    method: 'POST',
    url: '/v1/submissions',
    payload: await sampleSubmission(app, seeded),
  });
  t.equal(paid.statusCode, 201, 'a paid submission after the flood is taken');

  const upload2 = async () =>
    app.inject({
      method: 'POST',
      url: '/v1/uploads',
      payload: { challenge: await solvedChallenge(app), size: 10, partSize: 65_536 },
    });
  t.equal((await upload2()).statusCode, 201, 'new cases have their own bucket');
  const third = await upload2();
  t.equal(third.statusCode, 429, 'paid writes are still limited');
  t.equal(third.json<ErrorJson>().error.code, 'RATE_LIMITED');
});

t.test('parts for uploads that do not exist leave the part bucket to real ones', async (t) => {
  // Three reads and three parts a minute: one read for the challenge, three real parts.
  const { app } = await build(t, { env: { SEALBOX_READS_PER_MINUTE: '3' } });
  const created = await app.inject({
    method: 'POST',
    url: '/v1/uploads',
    payload: { challenge: await solvedChallenge(app), size: 3 * 65_536, partSize: 65_536 },
  });
  const { uploadId } = created.json<{ uploadId: string }>();
  const put = (id: string, part: number) =>
    app.inject({
      method: 'PUT',
      url: `/v1/uploads/${id}/parts/${part}`,
      headers: { 'content-type': 'application/octet-stream' },
      payload: Buffer.alloc(65_536, part),
    });
  const refused = [];
  for (let i = 0; i < 40; i++) refused.push((await put('B'.repeat(22), 0)).statusCode);
  t.same(refused, Array(40).fill(404), '40 parts for no upload: 404, no token');
  for (const n of [0, 1, 2]) t.equal((await put(uploadId, n)).statusCode, 204, `real part ${n}`);
  t.equal((await put(uploadId, 0)).statusCode, 429, 'real parts are still limited');
});

t.test('uploads declared but never sent hold no capacity', async (t) => {
  const { app, db, config } = await build(t, {
    env: {
      SEALBOX_UPLOAD_MAX_BYTES: String(1024 * KiB),
      SEALBOX_UPLOAD_PART_MAX_BYTES: String(512 * KiB),
      SEALBOX_UPLOAD_PENDING_MAX_BYTES: String(1024 * KiB),
      SEALBOX_UPLOAD_EXPIRY_HOURS: '2',
    },
  });
  const sodium = await getSodium();
  const create = async (size: number, partSize = 512 * KiB) =>
    app.inject({
      method: 'POST',
      url: '/v1/uploads',
      payload: { challenge: await solvedChallenge(app), size, partSize },
    });
  const put = (id: string, part: number, body: Uint8Array) =>
    app.inject({
      method: 'PUT',
      url: `/v1/uploads/${id}/parts/${part}`,
      headers: { 'content-type': 'application/octet-stream' },
      payload: Buffer.from(body),
    });
  const idOf = (res: { json<T>(): T }) => res.json<{ uploadId: string }>().uploadId;

  const declared = [];
  for (let i = 0; i < 25; i++) declared.push((await create(1024 * KiB)).statusCode);
  t.same(declared, Array(25).fill(201), '25 uploads of the whole cap, zero bytes sent');

  const file = sodium.randombytes_buf(150 * KiB);
  const real = await create(file.length, 64 * KiB);
  t.equal(real.statusCode, 201, 'a real attachment can still start');
  const id = idOf(real);
  for (const n of [0, 1, 2]) {
    const res = await put(id, n, file.subarray(n * 64 * KiB, (n + 1) * 64 * KiB));
    t.equal(res.statusCode, 204, `part ${n}`);
  }
  const finished = await app.inject({
    method: 'POST',
    url: `/v1/uploads/${id}/finish`,
    payload: { digest: toBase64Url(sodium.crypto_generichash(32, file, null)) },
  });
  t.equal(finished.statusCode, 200, 'and finish');

  // The cap still holds, on the bytes stored: 150 KiB + 512 KiB fit, one more 512 KiB does not.
  const a = idOf(await create(512 * KiB));
  const b = idOf(await create(512 * KiB));
  t.equal((await put(a, 0, new Uint8Array(512 * KiB))).statusCode, 204);
  const over = await put(b, 0, new Uint8Array(512 * KiB));
  t.equal(over.statusCode, 503, 'a part past the cap on stored bytes');
  t.equal(over.json<ErrorJson>().error.code, 'UPLOAD_CAPACITY');
  t.equal((await put(a, 0, new Uint8Array(512 * KiB))).statusCode, 204, 'replacing a part fits');
  const full = await create(512 * KiB);
  t.equal(full.json<ErrorJson>().error.code, 'UPLOAD_CAPACITY', 'stored bytes fill the cap');

  await t.test('unfinished uploads expire after SEALBOX_UPLOAD_EXPIRY_HOURS', async (t) => {
    const now = Date.now();
    const early = await runMaintenance(db, config, new Date(now + 2 * HOUR - 60_000));
    t.equal(early.uploadsForgotten, 0, 'nothing goes before two hours');
    t.ok(await getUpload(db, a), 'the half-sent upload is still there');
    // Only the date is stored: the upload counts as begun at the end of its day.
    const late = await runMaintenance(db, config, new Date(now + 26 * HOUR + 60_000));
    t.equal(late.uploadsForgotten, 28, 'every upload no case claimed, finished or not');
    t.notOk(await getUpload(db, a));
    t.equal((await create(512 * KiB)).statusCode, 201, 'the capacity is free again');
  });
});

t.test('the expiry is reckoned from the stored date alone', async (t) => {
  const db = await testDatabase(t);
  await createUpload(db, { id: 'd', size: 1, partSize: 1, partCount: 1, created: '2026-06-29' });
  const config = { retentionDays: 30, upload: { expiryHours: 24 } };
  // Begun at the latest at the end of 2026-06-29: 24 hours later is 2026-07-01T00:00Z.
  const kept = await runMaintenance(db, config, new Date('2026-06-30T23:59:00Z'));
  t.equal(kept.uploadsForgotten, 0, 'kept until 24 hours after the end of its day');
  const gone = await runMaintenance(db, config, new Date('2026-07-01T00:00:00Z'));
  t.equal(gone.uploadsForgotten, 1, 'dropped from then on');
});

// A flooder who pays: the price of a new case follows load. Levels are cheap
// here (base difficulty 20, top level 3) and the window short.
type Body = Awaited<ReturnType<typeof sampleSubmission>>;
type LoadJson = { minimumLevel: number; topLevel: number; busy: boolean };

async function spentCount(db: Db): Promise<number> {
  const row = await db
    .selectFrom('spent_challenges')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const post = (app: FastifyInstance, url: string, payload: unknown) =>
  app.inject({ method: 'POST', url, payload: payload as object });

/** A follow-up from the holder of `keys`, sealed to `seeded`'s reviewers, with a fresh level-0 proof. */
async function sendFollowup(
  app: FastifyInstance,
  seeded: Awaited<ReturnType<typeof seedKeyset>>,
  keys: ReceiptKeys,
) {
  return post(app, '/v1/followups', {
    challenge: await solvedChallenge(app),
    lookupToken: toBase64Url(keys.lookupToken),
    envelope: toBase64Url(
      await sealDocument(sampleDocument('followup', keys), seeded.sealing, keys.authorKeyPair),
    ),
  });
}

const loadOf = async (app: FastifyInstance) =>
  (await app.inject({ method: 'GET', url: '/v1/challenge' })).json<{ load: LoadJson }>().load;

/** Two instances on one database: on PostgreSQL each with a pool of its own. */
async function twoInstances(t: Teardown, env: Record<string, string>) {
  const { db, url } = onPostgres ? await testPostgres(t) : { db: await testDatabase(t), url: '' };
  const second = url ? postgresDatabase(url, 4) : db;
  if (url) t.teardown(() => second.destroy());
  const seeded = await seedKeyset(db);
  const a = (await build(t, { db, env })).app;
  const b = (await build(t, { db: second, env })).app;
  return { db, seeded, a, b };
}

t.test('a flood at the base level raises the price on every instance', async (t) => {
  const { db, seeded, a, b } = await twoInstances(t, {
    SEALBOX_POW_TOP_LEVEL: '3',
    SEALBOX_POW_WINDOW_SECONDS: '6',
    SEALBOX_POW_BUSY_ADMISSIONS: '2',
    SEALBOX_WRITES_PER_MINUTE: '1000',
  });
  t.same(await loadOf(b), { minimumLevel: 0, topLevel: 3, busy: false }, 'quiet at first');

  // Bodies made first, so the flood fits well inside the window.
  const flood: Body[] = [];
  for (let i = 0; i < 4; i++) flood.push(await sampleSubmission(a, seeded));
  const answers = [];
  for (const body of flood) answers.push((await post(a, '/v1/submissions', body)).statusCode);
  t.same(answers, [201, 201, 429, 429], 'two cases in the window raise A to level 1');
  await a.sealbox.load.refresh();
  await b.sealbox.load.refresh();
  t.same(await loadOf(b), { minimumLevel: 1, topLevel: 3, busy: true }, 'B asks level 1 too');

  const spentBefore = await spentCount(db);
  const low = await sampleSubmission(b, seeded);
  const refused = await post(b, '/v1/submissions', low);
  t.equal(refused.statusCode, 429);
  t.same(refused.json<ErrorJson & { error: { minimumLevel: number } }>().error.minimumLevel, 1);
  t.equal(await spentCount(db), spentBefore, 'the refused proof was not spent');
  const paid = { ...(await sampleSubmission(b, seeded)), challenge: await solvedChallenge(b, 1) };
  t.equal((await post(b, '/v1/submissions', paid)).statusCode, 201, 'level 1 gets in on B');

  // The flood stops: within a window and a refresh, every instance is back at 0.
  await sleep(6_500);
  await a.sealbox.load.refresh();
  await b.sealbox.load.refresh();
  t.same(await loadOf(a), { minimumLevel: 0, topLevel: 3, busy: false }, 'A falls back');
  t.same(await loadOf(b), { minimumLevel: 0, topLevel: 3, busy: false }, 'B falls back');
  const rows = await db.selectFrom('effort_levels').selectAll().execute();
  t.same(rows, [], 'no level left published');
  t.equal(
    (await post(b, '/v1/submissions', low)).statusCode,
    201,
    'the proof refused during the flood is still good: it cost nothing',
  );

  // An instance that stopped without withdrawing its level: its heartbeat no
  // longer moves, and after three refreshes (0.3 s each here) it is forgotten.
  await publishLevel(db, 'stopped-instance', 3);
  await b.sealbox.load.refresh();
  t.equal((await loadOf(b)).minimumLevel, 3, 'a level published by another instance counts');
  await sleep(1_200);
  await b.sealbox.load.refresh();
  t.equal((await loadOf(b)).minimumLevel, 0, 'until its heartbeat has stood still too long');
  t.same(await db.selectFrom('effort_levels').selectAll().execute(), [], 'and it is gone');
});

t.test('past the soft cap only the top level gets in, up to the hard cap', async (t) => {
  const { db, seeded, a, b } = await twoInstances(t, {
    SEALBOX_POW_TOP_LEVEL: '3',
    SEALBOX_SUBMISSIONS_PER_DAY: '4',
    SEALBOX_SUBMISSIONS_HARD_PER_DAY: '6',
    // The rate level stays out of the way: only the day's fill counts here.
    SEALBOX_POW_BUSY_ADMISSIONS: '1000',
    SEALBOX_WRITES_PER_MINUTE: '1000',
    SEALBOX_FOLLOWUPS_PER_CASE_PER_DAY: '2',
  });
  const keys = await deriveReceiptKeys(await generateReceipt());
  const at = async (app: FastifyInstance, level: number, k?: ReceiptKeys) => ({
    ...(await sampleSubmission(app, seeded, k)),
    challenge: await solvedChallenge(app, level),
  });
  const send = async (app: FastifyInstance, level: number, k?: ReceiptKeys) => {
    const res = await post(app, '/v1/submissions', await at(app, level, k));
    const error =
      res.statusCode === 201
        ? undefined
        : res.json<ErrorJson & { error: { minimumLevel?: number } }>().error;
    return [res.statusCode, error?.code, error?.minimumLevel];
  };

  t.same(await send(a, 0, keys), [201, undefined, undefined], 'case 1 at level 0');
  t.same(await send(a, 0), [201, undefined, undefined], 'case 2: half the soft cap');
  t.same(await send(a, 0), [201, undefined, undefined], 'case 3');
  t.same(await send(a, 0), [429, 'EFFORT_TOO_LOW', 2], 'three of four taken: level 2');
  t.same(await send(a, 2), [201, undefined, undefined], 'case 4 at level 2: the soft cap');
  await b.sealbox.load.refresh();
  t.same(await loadOf(b), { minimumLevel: 3, topLevel: 3, busy: true }, 'B reads the day count');
  const spentBefore = await spentCount(db);
  t.same(await send(b, 0), [429, 'EFFORT_TOO_LOW', 3], 'a base proof past the soft cap');
  t.same(await send(b, 2), [429, 'EFFORT_TOO_LOW', 3], 'so is level 2');
  t.equal(await spentCount(db), spentBefore, 'neither was spent');
  t.same(await send(b, 3), [201, undefined, undefined], 'case 5 at the top level');
  t.same(await send(a, 3), [201, undefined, undefined], 'case 6 at the top level: the hard cap');
  t.same(await send(a, 3), [503, 'DAILY_LIMIT', undefined], 'none past the hard cap, on A');
  await b.sealbox.load.refresh();
  t.same(await send(b, 3), [503, 'DAILY_LIMIT', undefined], 'nor on B');
  t.equal((await db.selectFrom('submissions').select('seq').execute()).length, 6, 'six cases');

  await t.test('follow-ups and status checks stay open', async (t) => {
    const followup = (app: FastifyInstance) => sendFollowup(app, seeded, keys);
    t.equal((await followup(a)).statusCode, 201, 'a level-0 follow-up on a closed day');
    t.equal((await followup(b)).statusCode, 201, 'and another on the other instance');
    const third = await followup(a);
    t.equal(third.statusCode, 429, 'two a day per case');
    t.equal(third.json<ErrorJson>().error.code, 'FOLLOWUP_LIMIT');
    const status = await post(b, '/v1/status', { lookupToken: toBase64Url(keys.lookupToken) });
    t.equal(status.statusCode, 200, 'the status still answers');
  });
});

t.test(
  'a flood of paid uploads leaves new cases, follow-ups and status checks their own buckets',
  async (t) => {
    const db = await testDatabase(t);
    const seeded = await seedKeyset(db);
    const { app } = await build(t, { db, env: { SEALBOX_WRITES_PER_MINUTE: '3' } });
    const keys = await deriveReceiptKeys(await generateReceipt());
    t.equal(
      (await post(app, '/v1/submissions', await sampleSubmission(app, seeded, keys))).statusCode,
      201,
    );
    const writes = [];
    for (let i = 0; i < 6; i++) {
      const res = await post(app, '/v1/uploads', {
        challenge: await solvedChallenge(app),
        size: 10,
        partSize: 65_536,
      });
      writes.push(res.statusCode);
    }
    t.same(writes, [201, 201, 201, 429, 429, 429], 'the write bucket is empty');
    const another = await post(app, '/v1/submissions', await sampleSubmission(app, seeded));
    t.equal(another.statusCode, 201, 'new cases have a bucket of their own');
    const status = await post(app, '/v1/status', { lookupToken: toBase64Url(keys.lookupToken) });
    t.equal(status.statusCode, 200, 'status needs no proof and no write token');
    const followup = await sendFollowup(app, seeded, keys);
    t.equal(followup.statusCode, 201, 'a follow-up takes from its own bucket');
  },
);

t.test(
  'paid follow-ups for cases that do not exist leave the follow-up bucket to real ones',
  async (t) => {
    const db = await testDatabase(t);
    const seeded = await seedKeyset(db);
    const { app } = await build(t, {
      db,
      env: { SEALBOX_FOLLOWUPS_PER_MINUTE: '2', SEALBOX_WRITES_PER_MINUTE: '3' },
    });
    const keys = await deriveReceiptKeys(await generateReceipt());
    t.equal(
      (await post(app, '/v1/submissions', await sampleSubmission(app, seeded, keys))).statusCode,
      201,
    );
    const followup = (k: ReceiptKeys) => sendFollowup(app, seeded, k);
    const stranger = await deriveReceiptKeys(await generateReceipt());
    const codes = [];
    for (let i = 0; i < 5; i++) {
      const res = await followup(stranger);
      codes.push(`${res.statusCode} ${res.json<ErrorJson>().error.code}`);
    }
    t.same(
      codes,
      [
        '404 CASE_NOT_FOUND',
        '404 CASE_NOT_FOUND',
        '404 CASE_NOT_FOUND',
        '429 RATE_LIMITED',
        '429 RATE_LIMITED',
      ],
      "a stranger's paid follow-ups take from the strangers' write bucket",
    );
    t.equal((await followup(keys)).statusCode, 201, 'the real case still gets through');
    t.equal((await followup(keys)).statusCode, 201, 'twice: its own bucket held both tokens');
    const third = await followup(keys);
    t.equal(third.statusCode, 429, 'the follow-up bucket itself still limits');
    t.equal(third.json<ErrorJson>().error.code, 'RATE_LIMITED');
  },
);
