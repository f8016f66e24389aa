// `npm start` left the service running when npm was stopped: the service now
// follows its parent when npm started it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startedByNpm } from '../../server/parent-watch.ts';

const fixture = fileURLToPath(new URL('./fixtures/follows-parent.ts', import.meta.url));

t.test('only a service that npm start started follows its parent', (t) => {
  t.ok(startedByNpm({ npm_lifecycle_event: 'start' }));
  t.notOk(startedByNpm({ npm_lifecycle_event: 'test' }));
  t.notOk(startedByNpm({}));
  t.end();
});

t.test('when its parent is killed, the child stops by itself', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-parent-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const marker = join(dir, 'orphaned');
  // The parent: a shell that starts the child and waits, as npm's does.
  const parent = spawn(
    'sh',
    ['-c', `"${process.execPath}" --import tsx "${fixture}" "${marker}"; sleep 60`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve) => parent.stdout.once('data', () => resolve()));
  t.notOk(existsSync(marker), 'running while its parent is');
  parent.kill('SIGKILL');
  for (let i = 0; i < 100 && !existsSync(marker); i++) await sleep(50);
  t.ok(existsSync(marker), 'it noticed its parent had gone and stopped');
});
