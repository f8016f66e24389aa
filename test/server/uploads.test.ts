// Upload edge cases: every bad request is a 4xx with a stable code and
// leaves the stored parts as they were; the digest is checked against the
// stored bytes whatever order the parts came in; parts held in memory at once
// are bounded.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { attachmentDigest, getSodium, toBase64Url } from '../../client-crypto/index.ts';
import { createUpload, getUpload, putPart, readUpload } from '../../server/db/uploads.ts';
import { build, solvedChallenge, testDatabase } from '../helper.ts';

type ErrorJson = { error: { code: string } };
const KiB = 1024;

t.test('uploads', async (t) => {
  const { app } = await build(t, {
    env: {
      SEALBOX_UPLOAD_MAX_BYTES: String(1024 * KiB),
      SEALBOX_UPLOAD_PART_MAX_BYTES: String(512 * KiB),
      SEALBOX_UPLOAD_PENDING_MAX_BYTES: String(2048 * KiB),
    },
  });
  const create = async (size: number, partSize: number) =>
    app.inject({
      method: 'POST',
      url: '/v1/uploads',
      payload: { challenge: await solvedChallenge(app), size, partSize },
    });
  const put = (
    id: string,
    part: number | string,
    body: Buffer,
    type = 'application/octet-stream',
  ) =>
    app.inject({
      method: 'PUT',
      url: `/v1/uploads/${id}/parts/${part}`,
      headers: { 'content-type': type },
      payload: body,
    });

  await t.test('creation limits', async (t) => {
    const tooBig = await create(1024 * KiB + 1, 64 * KiB);
    t.equal(tooBig.statusCode, 413);
    t.equal(tooBig.json<ErrorJson>().error.code, 'UPLOAD_TOO_LARGE');
    const tinyParts = await create(200 * KiB, 1000);
    t.equal(tinyParts.json<ErrorJson>().error.code, 'UPLOAD_PART_SIZE');
    const hugeParts = await create(200 * KiB, 100 * 1024 * KiB);
    t.equal(hugeParts.json<ErrorJson>().error.code, 'UPLOAD_PART_SIZE');
    const noProof = await app.inject({
      method: 'POST',
      url: '/v1/uploads',
      payload: { size: 10, partSize: 64 * KiB },
    });
    t.equal(noProof.json<ErrorJson>().error.code, 'VALIDATION_FAILED');
    const small = await create(10, 64 * KiB);
    t.equal(small.statusCode, 201, 'one short part is fine');
  });

  await t.test('a global cap on storage not yet part of a case', async (t) => {
    // The bytes stored count, not the sizes declared (test/adversary/flooder.test.ts).
    const first = await create(1024 * KiB, 512 * KiB);
    const { uploadId: firstId } = first.json<{ uploadId: string }>();
    for (const n of [0, 1]) {
      t.equal((await put(firstId, n, Buffer.alloc(512 * KiB, n))).statusCode, 204);
    }
    const second = await create(1024 * KiB, 512 * KiB);
    t.equal(second.statusCode, 201, 'up to the cap');
    const { uploadId: secondId } = second.json<{ uploadId: string }>();
    t.equal((await put(secondId, 0, Buffer.alloc(512 * KiB))).statusCode, 204);
    const full = await create(1024 * KiB, 512 * KiB);
    t.equal(full.statusCode, 503, 'pending bytes would pass 2 MiB');
    t.equal(full.json<ErrorJson>().error.code, 'UPLOAD_CAPACITY');
    t.ok(full.headers['retry-after']);
  });

  const size = 150 * KiB;
  const partSize = 64 * KiB;
  const data = Buffer.alloc(size, 7);
  const created = await create(size, partSize);
  const { uploadId } = created.json<{ uploadId: string }>();

  await t.test('bad parts', async (t) => {
    const cases: [string, () => Promise<{ statusCode: number; json<T>(): T }>, number, string][] = [
      [
        'unknown upload',
        () => put('B'.repeat(22), 0, data.subarray(0, partSize)),
        404,
        'UPLOAD_NOT_FOUND',
      ],
      ['malformed id', () => put('nope', 0, data.subarray(0, partSize)), 400, 'VALIDATION_FAILED'],
      [
        'part past the end',
        () => put(uploadId, 3, data.subarray(0, partSize)),
        400,
        'UPLOAD_PART_OUT_OF_RANGE',
      ],
      [
        'negative part',
        () => put(uploadId, -1, data.subarray(0, partSize)),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'part not a number',
        () => put(uploadId, 'x', data.subarray(0, partSize)),
        400,
        'VALIDATION_FAILED',
      ],
      ['short part', () => put(uploadId, 0, data.subarray(0, 100)), 400, 'UPLOAD_PART_SIZE'],
      ['long part', () => put(uploadId, 0, Buffer.alloc(partSize + 1)), 413, 'UPLOAD_PART_SIZE'],
      [
        'last part too long',
        () => put(uploadId, 2, Buffer.alloc(partSize)),
        413,
        'UPLOAD_PART_SIZE',
      ],
      [
        'JSON instead of bytes',
        () => put(uploadId, 0, Buffer.from('{}'), 'application/json'),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
    ];
    for (const [name, run, status, code] of cases) {
      const res = await run();
      t.equal(res.statusCode, status, name);
      t.equal(res.json<ErrorJson>().error.code, code, name);
    }
    const state = await app.inject({ method: 'GET', url: `/v1/uploads/${uploadId}` });
    t.same(state.json<{ received: number[] }>().received, [], 'nothing was stored');
  });

  await t.test('resume, finish, digest', async (t) => {
    t.equal((await put(uploadId, 1, data.subarray(partSize, 2 * partSize))).statusCode, 204);
    t.equal(
      (await put(uploadId, 1, data.subarray(partSize, 2 * partSize))).statusCode,
      204,
      'a repeated part is fine',
    );
    const state = await app.inject({ method: 'GET', url: `/v1/uploads/${uploadId}` });
    t.match(state.json(), { received: [1], partCount: 3, finished: false });

    const sodium = await getSodium();
    const digest = toBase64Url(sodium.crypto_generichash(32, data, null));
    const finish = (d: string) =>
      app.inject({ method: 'POST', url: `/v1/uploads/${uploadId}/finish`, payload: { digest: d } });
    const early = await finish(digest);
    t.equal(early.statusCode, 409);
    t.equal(early.json<ErrorJson>().error.code, 'UPLOAD_INCOMPLETE');

    t.equal((await put(uploadId, 0, data.subarray(0, partSize))).statusCode, 204);
    t.equal((await put(uploadId, 2, data.subarray(2 * partSize))).statusCode, 204);
    const wrong = await finish(toBase64Url(new Uint8Array(32)));
    t.equal(wrong.statusCode, 400);
    t.equal(wrong.json<ErrorJson>().error.code, 'UPLOAD_DIGEST_MISMATCH');
    const short = await finish('AAAA');
    t.equal(short.json<ErrorJson>().error.code, 'ENCODING_INVALID');

    const done = await finish(digest);
    t.equal(done.statusCode, 200);
    t.match(done.json(), { finished: true, received: [0, 1, 2] });
    t.equal((await finish(digest)).statusCode, 200, 'finishing twice with the same digest is fine');
    const other = await finish(toBase64Url(new Uint8Array(32).fill(1)));
    t.equal(other.json<ErrorJson>().error.code, 'UPLOAD_FINISHED');
    const late = await put(uploadId, 0, data.subarray(0, partSize));
    t.equal(late.statusCode, 409);
    t.equal(late.json<ErrorJson>().error.code, 'UPLOAD_FINISHED');
  });
});

t.test('the digest check, whatever order the parts came in', async (t) => {
  const env = {
    SEALBOX_UPLOAD_MAX_BYTES: String(2048 * KiB),
    SEALBOX_UPLOAD_PART_MAX_BYTES: String(64 * KiB),
    SEALBOX_UPLOAD_PARTS_IN_FLIGHT: '1',
  };
  const first = await build(t, { env });
  const { db } = first;
  const partSize = 64 * KiB;
  // 18 parts over two 1 MiB segments of the sha256-segments digest, which is
  // the one hashed as parts arrive.
  const data = new Uint8Array(randomBytes(17 * partSize + 100));
  const all = Array.from({ length: 18 }, (_, n) => n);
  const part = (n: number) => Buffer.from(data.subarray(n * partSize, (n + 1) * partSize));
  const digestOf = async (bytes: Uint8Array) => toBase64Url(await attachmentDigest(bytes));
  const rightDigest = await digestOf(data);
  const wrongDigest = toBase64Url(new Uint8Array(32).fill(3));

  async function upload(app: typeof first.app) {
    const created = await app.inject({
      method: 'POST',
      url: '/v1/uploads',
      payload: { challenge: await solvedChallenge(app), size: data.length, partSize },
    });
    t.equal(created.statusCode, 201);
    return created.json<{ uploadId: string }>().uploadId;
  }
  const put = async (app: typeof first.app, id: string, n: number, body = part(n)) => {
    const res = await app.inject({
      method: 'PUT',
      url: `/v1/uploads/${id}/parts/${n}`,
      headers: { 'content-type': 'application/octet-stream' },
      payload: body,
    });
    t.equal(res.statusCode, 204, `part ${n}`);
  };
  const finish = (app: typeof first.app, id: string, digest: string) =>
    app.inject({
      method: 'POST',
      url: `/v1/uploads/${id}/finish`,
      payload: { digest, digestAlgorithm: 'sha256-segments' },
    });

  await t.test('parts in reverse order', async (t) => {
    const id = await upload(first.app);
    for (const n of all.toReversed()) await put(first.app, id, n);
    const wrong = await finish(first.app, id, wrongDigest);
    t.equal(wrong.json<ErrorJson>().error.code, 'UPLOAD_DIGEST_MISMATCH');
    t.equal((await finish(first.app, id, rightDigest)).statusCode, 200);
  });

  await t.test('in order, then a wrong digest, then the right one', async (t) => {
    const id = await upload(first.app);
    for (const n of all) await put(first.app, id, n);
    const wrong = await finish(first.app, id, wrongDigest);
    t.equal(wrong.statusCode, 400);
    t.equal(wrong.json<ErrorJson>().error.code, 'UPLOAD_DIGEST_MISMATCH');
    t.equal((await finish(first.app, id, rightDigest)).statusCode, 200);
  });

  await t.test('a part replaced with other bytes after it was hashed', async (t) => {
    const id = await upload(first.app);
    for (const n of [0, 1, 2]) await put(first.app, id, n);
    await put(first.app, id, 1, Buffer.alloc(partSize, 9));
    for (const n of all.slice(3)) await put(first.app, id, n);
    const stale = await finish(first.app, id, rightDigest);
    t.equal(stale.json<ErrorJson>().error.code, 'UPLOAD_DIGEST_MISMATCH', 'part 1 is now nines');
    const nines = new Uint8Array(data);
    nines.fill(9, partSize, 2 * partSize);
    const digest = await digestOf(nines);
    t.equal((await finish(first.app, id, digest)).statusCode, 200);
  });

  await t.test('a part rewritten behind this server (another instance)', async (t) => {
    const id = await upload(first.app);
    for (const n of all) await put(first.app, id, n);
    await db
      .updateTable('upload_parts')
      .set({ bytes: new Uint8Array(partSize).fill(7) })
      .where('upload_id', '=', id)
      .where('part', '=', 2)
      .execute();
    const hashed = await finish(first.app, id, rightDigest);
    t.equal(
      hashed.json<ErrorJson>().error.code,
      'UPLOAD_DIGEST_MISMATCH',
      'the digest of the bytes this server saw no longer matches what is stored',
    );
    const sevens = new Uint8Array(data);
    sevens.fill(7, 2 * partSize, 3 * partSize);
    const digest = await digestOf(sevens);
    t.equal((await finish(first.app, id, digest)).statusCode, 200);
  });

  await t.test('a restarted server finishes an upload begun before', async (t) => {
    const id = await upload(first.app);
    for (const n of [0, 1, 2]) await put(first.app, id, n);
    await first.app.close();
    const second = await build(t, { db, env });
    for (const n of all.slice(3)) await put(second.app, id, n);
    const wrong = await finish(second.app, id, wrongDigest);
    t.equal(wrong.json<ErrorJson>().error.code, 'UPLOAD_DIGEST_MISMATCH');
    t.equal((await finish(second.app, id, rightDigest)).statusCode, 200);
  });
});

t.test('parts beyond SEALBOX_UPLOAD_PARTS_IN_FLIGHT wait, then 503', async (t) => {
  const partSize = 64 * KiB;
  const { app } = await build(t, {
    env: {
      SEALBOX_UPLOAD_PART_MAX_BYTES: String(partSize),
      SEALBOX_UPLOAD_PARTS_IN_FLIGHT: '1',
      // The parts that wait are served one after another, each with its own
      // database write: on a loaded machine the default 10 s can run out.
      SEALBOX_UPLOAD_PART_WAIT_SECONDS: '120',
    },
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const size = 6 * partSize;
  const created = await app.inject({
    method: 'POST',
    url: '/v1/uploads',
    payload: { challenge: await solvedChallenge(app), size, partSize },
  });
  const { uploadId } = created.json<{ uploadId: string }>();
  const body = () => new Uint8Array(partSize).fill(1);
  const put = (n: number, payload: BodyInit) =>
    fetch(`${url}/v1/uploads/${uploadId}/parts/${n}`, {
      method: 'PUT',
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(partSize),
      },
      body: payload,
      duplex: 'half',
    } as RequestInit);

  // Part 0 holds the only turn: half of it is sent, the rest when released.
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const held = put(
    0,
    new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(body().subarray(0, 1000));
        await released;
        controller.enqueue(body().subarray(1000));
        controller.close();
      },
    }),
  );
  await sleep(200);
  // Four more may wait for a turn (four per turn)…
  const waiting = [1, 2, 3, 4].map((n) => put(n, body()));
  await sleep(200);
  // …and the next is refused at once.
  const refused = await put(5, body());
  t.equal(refused.status, 503);
  t.equal(((await refused.json()) as ErrorJson).error.code, 'OVERLOADED');
  t.equal(refused.headers.get('retry-after'), '5');
  release();
  t.equal((await held).status, 204, 'the part that held the turn');
  for (const res of await Promise.all(waiting)) t.equal(res.status, 204, 'a part that waited');
  const retried = await put(5, body());
  t.equal(retried.status, 204, 'the refused part, sent again');
  const state = await app.inject({ method: 'GET', url: `/v1/uploads/${uploadId}` });
  t.same(state.json<{ received: number[] }>().received, [0, 1, 2, 3, 4, 5]);
});

t.test('a part read back in slices', async (t) => {
  const db = await testDatabase(t);
  const sodium = await getSodium();
  const bytes = sodium.randombytes_buf(2 * 300_000 + 5);
  await createUpload(db, {
    id: 'sliced',
    size: bytes.length,
    partSize: 300_000,
    partCount: 3,
    created: '2026-11-22',
  });
  for (const n of [0, 1, 2]) {
    await putPart(db, 'sliced', n, bytes.subarray(n * 300_000, (n + 1) * 300_000));
  }
  const upload = await getUpload(db, 'sliced');
  const slices: Uint8Array[] = [];
  for await (const slice of readUpload(db, upload!, 1, 100_000)) slices.push(slice);
  t.same(
    slices.map((s) => s.length),
    [100_000, 100_000, 100_000, 5],
    'part 1 in three slices, then the short last part',
  );
  t.same(Buffer.concat(slices), Buffer.from(bytes.subarray(300_000)));
});
