// Offline by construction: the organisation and review commands, run as real
// processes with net, tls, dns, http(s), dgram, fetch and WebSocket made to
// throw (and log any attempt), do their whole job; the workbench (review ui)
// does its job with everything blocked but its one listener on 127.0.0.1.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { call, postJson, startUiProcess } from '../workbench/fixtures.ts';
import {
  BLOCK_NETWORK,
  BLOCK_NETWORK_BUT_ONE_LISTENER,
  cycleEnv,
  offlineCycle,
  processRunner,
} from './process-cycle.ts';
import { PASSPHRASE, tempDir } from './fixtures.ts';

const cli = join(import.meta.dirname, '..', '..', 'reviewer', 'cli.ts');

t.test('the preload really blocks the network', async (t) => {
  const dir = await tempDir(t);
  const preload = join(dir, 'block-network.mjs');
  await writeFile(preload, BLOCK_NETWORK);
  const log = join(dir, 'network.log');
  const probe = join(dir, 'probe.mjs');
  await writeFile(
    probe,
    "import net from 'node:net';\ntry { await fetch('http://127.0.0.1:9/'); } catch {}\ntry { net.connect(9, '127.0.0.1'); } catch {}\n",
  );
  const run = processRunner(process.execPath, ['--import', preload, probe], cycleEnv(log));
  t.equal((await run([], dir)).code, 0);
  t.same((await readFile(log, 'utf8')).trim().split('\n'), ['fetch', 'net.connect']);
});

t.test('organisation, reviewer and review commands work with the network blocked', async (t) => {
  const dir = await tempDir(t);
  const preload = join(dir, 'block-network.mjs');
  await writeFile(preload, BLOCK_NETWORK);
  const log = join(dir, 'network.log');
  // tsx by its full address: `--import tsx` resolves from the temp folder, where it is not.
  const tsx = import.meta.resolve('tsx');
  const sealbox = processRunner(process.execPath, ['--import', tsx, '--import', preload, cli], {
    ...cycleEnv(log),
  });
  await offlineCycle(t, sealbox, dir);
  t.equal(await readFile(log, 'utf8').catch(() => ''), '', 'no network call was even attempted');
});

t.test('the second preload allows one listener on 127.0.0.1 and nothing else', async (t) => {
  const dir = await tempDir(t);
  const preload = join(dir, 'block-network.mjs');
  await writeFile(preload, BLOCK_NETWORK_BUT_ONE_LISTENER);
  const log = join(dir, 'network.log');
  const probe = join(dir, 'probe.mjs');
  await writeFile(
    probe,
    `import http from 'node:http';
import net from 'node:net';
const tryIt = async (f) => { try { await f(); } catch {} };
await tryIt(() => http.createServer().listen({ host: '0.0.0.0', port: 0 }));
const one = http.createServer();
await new Promise((resolve) => one.listen({ host: '127.0.0.1', port: 0 }, resolve));
await tryIt(() => http.createServer().listen({ host: '127.0.0.1', port: 0 }));
await tryIt(() => fetch('http://127.0.0.1:' + one.address().port + '/'));
await tryIt(() => net.connect(one.address().port, '127.0.0.1'));
one.close();
`,
  );
  const run = processRunner(process.execPath, ['--import', preload, probe], cycleEnv(log));
  const result = await run([], dir);
  t.equal(result.code, 0, result.stderr);
  t.same((await readFile(log, 'utf8')).trim().split('\n'), [
    'net.Server.listen 0.0.0.0',
    'net.Server.listen 127.0.0.1',
    'fetch',
    'net.connect',
  ]);
});

t.test('the workbench works with the network blocked but for its own listener', async (t) => {
  const dir = await tempDir(t);
  const preload = join(dir, 'block-network.mjs');
  await writeFile(preload, BLOCK_NETWORK);
  const log = join(dir, 'network.log');
  const tsx = import.meta.resolve('tsx');
  const sealbox = processRunner(process.execPath, ['--import', tsx, '--import', preload, cli], {
    ...cycleEnv(log),
  });
  await offlineCycle(t, sealbox, dir);
  const uiPreload = join(dir, 'block-network-but-one.mjs');
  await writeFile(uiPreload, BLOCK_NETWORK_BUT_ONE_LISTENER);
  const { SEALBOX_PASSPHRASE: _none, ...env } = cycleEnv(log);
  const ui = await startUiProcess(
    [process.execPath, '--import', tsx, '--import', uiPreload, cli],
    ['review', 'ui', '--cases', 'cases', '--key', 'ana.key', '--no-browser'],
    dir,
    env,
  );
  const { workbench } = ui;
  t.equal(((await call(workbench, '/api/cases')).json().cases as unknown[]).length, 1);
  t.equal((await postJson(workbench, '/api/unlock', { passphrase: PASSPHRASE })).status, 200);
  const signed = await postJson(workbench, '/api/cases/case-a/statements', {
    kind: 'status',
    status: 'referred',
  });
  t.equal(signed.status, 200, signed.body.toString());
  const outbox = (await call(workbench, '/api/outbox')).json().lines as { kind: string }[];
  t.same(
    outbox.filter((l) => l.kind !== 'epoch-key').map((l) => l.kind),
    ['status', 'reply', 'status'],
  );
  t.equal(await ui.stop(), 0, 'stops cleanly on Ctrl-C');
  t.equal(await readFile(log, 'utf8').catch(() => ''), '', 'no network call was even attempted');
});
