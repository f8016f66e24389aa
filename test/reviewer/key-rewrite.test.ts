// The key file's rewrite is crash-safe: a process killed between any two of
// its steps leaves a key file that opens (with the old secrets or the new),
// and the next load leaves no side file behind.
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import { loadReviewerKey } from '../../reviewer/keys.ts';
import { TEST_ENV, makeEpochKeys, tempDir } from './fixtures.ts';
import { reviewerCreate } from '../../reviewer/commands/reviewer-identity.ts';
import { testIo } from './fixtures.ts';

const exec = promisify(execFile);
const tsx = createRequire(import.meta.url).resolve('tsx');
const child = fileURLToPath(new URL('./rewrite-child.ts', import.meta.url));

for (const [step, expect] of [
  ['written', 'old'],
  ['set-aside', 'new'],
  ['replaced', 'new'],
  ['shredded', 'new'],
] as const) {
  t.test(`killed after step "${step}": the key file still opens`, async (t) => {
    const dir = await tempDir(t);
    const key = join(dir, 'r.key');
    await reviewerCreate({ out: key, card: join(dir, 'r.card.json') }, testIo());
    await makeEpochKeys({ key, cases: join(dir, 'cases') });
    const killed = await exec(process.execPath, ['--import', tsx, child, key, step], {
      env: { ...process.env, ...TEST_ENV },
    }).then(
      () => null,
      (error: { signal?: string }) => error.signal,
    );
    t.equal(killed, 'SIGKILL', 'the process was killed mid-way');
    const opened = await loadReviewerKey(key, { env: TEST_ENV });
    const epochs = opened.secrets.epochs.map((e) => e.epoch);
    t.same(epochs, expect === 'old' ? [1, 2, 3, 4, 5, 6, 7, 8] : [2, 3, 4, 5, 6, 7, 8]);
    t.same(
      (await readdir(dir)).filter((name) => name.startsWith('r.key')),
      ['r.key'],
      'no side file is left once the key file is loaded again',
    );
  });
}
