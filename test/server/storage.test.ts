// The free-space guard without a small disk: a reserve larger than any disk
// here makes every write a refusal, while reads go on. (The real full disk is
// test/faults/full-disk.test.ts.)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { build, solvedChallenge } from '../helper.ts';

const HUGE = String(1024 ** 4); // 1 TiB

async function createUpload(app: Awaited<ReturnType<typeof build>>['app']) {
  return app.inject({
    method: 'POST',
    url: '/v1/uploads',
    payload: { challenge: await solvedChallenge(app), size: 1000, partSize: 1000 },
  });
}

t.test('below the reserve, writes are refused and reads go on', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-storage-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const { app } = await build(t, {
    env: { SEALBOX_DATA_DIR: dir, SEALBOX_MIN_FREE_BYTES: HUGE },
  });
  const res = await createUpload(app);
  t.equal(res.statusCode, 503);
  t.equal(res.headers['retry-after'], '300');
  t.match(res.json(), { error: { code: 'STORAGE_FULL', message: /nothing was stored/ } });
  const status = await app.inject({
    method: 'POST',
    url: '/v1/status',
    payload: { lookupToken: 'A'.repeat(43) },
  });
  t.equal(status.statusCode, 404, 'a read is answered as usual');
});

t.test('enough space, or the check off: writes go through', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-storage-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (const min of ['1', '0']) {
    const { app } = await build(t, { env: { SEALBOX_DATA_DIR: dir, SEALBOX_MIN_FREE_BYTES: min } });
    t.equal((await createUpload(app)).statusCode, 201, `SEALBOX_MIN_FREE_BYTES=${min}`);
  }
});

t.test('a data directory that cannot be measured is not refused', async (t) => {
  const { app } = await build(t, {
    env: {
      SEALBOX_DATA_DIR: join(tmpdir(), 'sealbox-no-such-dir', 'x'),
      SEALBOX_MIN_FREE_BYTES: HUGE,
    },
  });
  t.equal((await createUpload(app)).statusCode, 201);
});
