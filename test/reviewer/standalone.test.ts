// Standalone: `npm run build:reviewer` makes one file; copied alone into an
// empty folder (no node_modules anywhere above it) it runs the whole offline
// cycle under plain node, with the network blocked as well.
import { execFile } from 'node:child_process';
import { copyFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { call, startUiProcess } from '../workbench/fixtures.ts';
import { tempDir } from './fixtures.ts';
import { BLOCK_NETWORK, cycleEnv, offlineCycle, processRunner } from './process-cycle.ts';

const root = join(import.meta.dirname, '..', '..');

t.test('the built single file runs a full open/reply cycle with only node', async (t) => {
  const build = await tempDir(t);
  const built = join(build, 'sealbox.mjs');
  // The npm script itself, told to write into the temp folder rather than dist/.
  await promisify(execFile)('npm', ['run', '--silent', 'build:reviewer', '--', built], {
    cwd: root,
  });
  const dir = await tempDir(t); // under the system temp folder: no node_modules above it
  await copyFile(built, join(dir, 'sealbox.mjs'));
  t.same(await readdir(dir), ['sealbox.mjs']);
  const preload = join(dir, 'block-network.mjs');
  await writeFile(preload, BLOCK_NETWORK);
  const sealbox = processRunner(process.execPath, ['--import', preload, 'sealbox.mjs'], {
    ...cycleEnv(join(dir, 'network.log')),
    NODE_OPTIONS: '',
  });
  await offlineCycle(t, sealbox, dir);
  t.notOk((await readdir(dir)).includes('network.log'), 'no network call was even attempted');

  // The workbench's page is inside the single file: no esbuild, no sources needed.
  const ui = await startUiProcess(
    [process.execPath, 'sealbox.mjs'],
    ['review', 'ui', '--cases', 'cases', '--key', 'ana.key', '--no-browser'],
    dir,
    { ...cycleEnv(join(dir, 'network.log')), NODE_OPTIONS: '' },
  );
  const script = await call(ui.workbench, '/app.js', { secret: false });
  t.equal(script.status, 200, ui.output());
  t.match(script.body.toString(), /x-sealbox-workbench/);
  t.equal(((await call(ui.workbench, '/api/cases')).json().cases as unknown[]).length, 1);
  t.equal(await ui.stop(), 0);
});
