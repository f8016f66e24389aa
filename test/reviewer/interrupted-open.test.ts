// `review open` killed with SIGKILL in the middle of a bundle, as a power cut
// or a closed laptop lid would end it: the real `sealbox` process, a real
// kill. Whatever the moment, no half-written case or item is visible, and the
// runs after it open every item exactly once.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import {
  type ItemSpec,
  type Setup,
  makeSetup,
  tempDir,
  TEST_ENV,
  writeBundle,
} from './fixtures.ts';
import { checkComplete, checkVisible, submissions } from './open-checks.ts';

const cli = join(import.meta.dirname, '..', '..', 'reviewer', 'cli.ts');
const tsx = import.meta.resolve('tsx');

const SUBMISSIONS = 400;
const FOLLOW_UPS = 100;

function bundleItems(): ItemSpec[] {
  const items = submissions(0, SUBMISSIONS, 1);
  // Follow-ups to cases opened many items earlier (by then in an earlier batch)
  // and to the case just before them (the same batch).
  for (let i = 0; i < FOLLOW_UPS; i++) {
    const caseId = `s${i % 2 === 0 ? i : SUBMISSIONS - 1 - i}`;
    items.push({ kind: 'followup', id: `f${i}`, caseId, seq: items.length + 1 });
  }
  return items;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
}

function startOpen(
  s: Setup,
  bundle: string,
  cases: string,
): { child: ChildProcess; done: Promise<Run> } {
  const args = ['review', 'open', bundle, '--key', s.anaKey, '--cases', cases];
  const trust = ['--keyset', s.keysetFile, '--organisation', s.orgFingerprint];
  const child = spawn(process.execPath, ['--import', tsx, cli, ...args, ...trust], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...TEST_ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.resume();
  const done = new Promise<Run>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout })),
  );
  return { child, done };
}

/** Kills the run once its journal holds something (a batch is visible), `delay` ms later. */
async function killMidRun(s: Setup, bundle: string, cases: string, delay: number): Promise<Run> {
  const { child, done } = startOpen(s, bundle, cases);
  const journal = join(cases, '.sealbox', 'opened.jsonl');
  let exited = false;
  void done.then(() => (exited = true));
  while (!exited) {
    const size = await stat(journal).then(
      (i) => i.size,
      () => 0,
    );
    if (size > 0) {
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  return done;
}

t.test('SIGKILL in the middle of review open, then rerun: every item exactly once', async (t) => {
  const dir = await tempDir(t);
  const s = await makeSetup(dir);
  const bundle = join(dir, 'bundle.sbx');
  const items = bundleItems();
  await writeBundle(bundle, items, s.sealing, s);
  const cases = join(dir, 'cases');

  const first = await killMidRun(s, bundle, cases, 0);
  t.equal(first.signal, 'SIGKILL', 'the first run was killed before it finished');
  const afterFirst = await checkVisible(t, cases);
  t.ok(afterFirst.length > 0 && afterFirst.length < items.length, `${afterFirst.length} visible`);
  t.ok(existsSync(join(cases, '.sealbox', 'opened.jsonl')), 'the journal was left behind');

  // Killed again, later in its run (it may also finish first on a fast machine).
  const second = await killMidRun(s, bundle, cases, 40);
  t.ok(
    second.signal === 'SIGKILL' || second.code === 0,
    `second run: ${second.signal ?? second.code}`,
  );
  await checkVisible(t, cases);

  const last = await startOpen(s, bundle, cases).done;
  t.equal(last.code, 0, last.stdout);
  const opened = Number(/Opened (\d+) new item/.exec(last.stdout)?.[1]);
  const before = Number(/(\d+) item\(s\) were opened before/.exec(last.stdout)?.[1] ?? 0);
  t.equal(opened + before, items.length, 'the last run saw every item, new or opened before');

  await checkComplete(t, cases, items);
  t.match(await readFile(join(cases, 'cases.csv'), 'utf8'), /"s399"/);
});
