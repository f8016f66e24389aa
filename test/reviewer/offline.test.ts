// Offline by construction: the organisation and review commands, run as real
// processes with net, tls, dns, http(s), dgram, fetch and WebSocket made to
// throw (and log any attempt), do their whole job.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { BLOCK_NETWORK, cycleEnv, offlineCycle, processRunner } from './process-cycle.ts';
import { tempDir } from './fixtures.ts';

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
