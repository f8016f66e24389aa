// Upload edge cases: every bad request is a 4xx with a stable code and
// leaves the stored parts as they were.
import t from 'tap';
import { toBase64Url } from '../../client-crypto/index.ts';
import { getSodium } from '../../client-crypto/index.ts';
import { build, solvedChallenge } from '../helper.ts';

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
    t.equal((await create(1024 * KiB, 512 * KiB)).statusCode, 201);
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
