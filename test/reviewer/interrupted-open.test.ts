// `review open` killed with SIGKILL in the middle of a bundle, as a power cut
// or a closed laptop lid would end it: the real `sealbox` process, a real
// kill. Whatever the moment, no half-written case or item is visible, and the
// runs after it open every item exactly once.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import {
  type ItemSpec,
  type Setup,
  makeSetup,
  tempDir,
  TEST_ENV,
  writeBundle,
} from './fixtures.ts';

const cli = join(import.meta.dirname, '..', '..', 'reviewer', 'cli.ts');
const tsx = import.meta.resolve('tsx');

const SUBMISSIONS = 400;
const FOLLOW_UPS = 100;

function bundleItems(): ItemSpec[] {
  const items: ItemSpec[] = [];
  for (let i = 0; i < SUBMISSIONS; i++) {
    items.push({
      kind: 'submission',
      id: `s${i}`,
      seq: items.length + 1,
      answers: { country: 'MM' },
      ...(i % 50 === 0
        ? { files: [{ name: 'scan.pdf', bytes: new Uint8Array(3000).fill(i) }] }
        : {}),
    });
  }
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

interface CaseJson {
  caseId: string;
  items: { itemId: string; folder: string; attachments: { file: string }[] }[];
}

/** What a reviewer could see now: every case whole, every item folder whole. Returns the item ids listed. */
async function checkVisible(t: Test, cases: string): Promise<string[]> {
  const listed: string[] = [];
  for (const name of await readdir(cases)) {
    if (name.startsWith('.') || !/^s\d+$/.test(name)) continue;
    const dir = join(cases, name);
    const record = JSON.parse(await readFile(join(dir, 'case.json'), 'utf8')) as CaseJson;
    if (record.caseId !== name) t.fail(`${name}/case.json names ${record.caseId}`);
    const page = await readFile(join(dir, 'index.html'), 'utf8');
    const folders = (await readdir(dir)).filter((n) => /^\d+-/.test(n));
    for (const item of record.items) {
      listed.push(item.itemId);
      if (!page.includes(item.folder)) t.fail(`the page of ${name} lacks ${item.folder}`);
      const files = await readdir(join(dir, item.folder));
      // A follow-up answers no questions: its folder has no answers files.
      const expected = item.folder.includes('-submission-')
        ? ['message.txt', 'answers.txt', 'answers.json']
        : ['message.txt'];
      for (const f of expected) {
        if (!files.includes(f)) t.fail(`${name}/${item.folder} lacks ${f}`);
      }
      if (!item.folder.includes('-submission-') && files.some((f) => f.startsWith('answers.'))) {
        t.fail(`${name}/${item.folder} has empty answers files`);
      }
      const message = await readFile(join(dir, item.folder, 'message.txt'), 'utf8');
      if (message !== `Message of ${item.itemId}`) t.fail(`${name}/${item.folder}: ${message}`);
      for (const a of item.attachments) {
        const bytes = await readFile(join(dir, item.folder, 'attachments', a.file));
        if (bytes.length !== 3000) t.fail(`${name}/${item.folder}/${a.file} is ${bytes.length} B`);
      }
    }
    // An item folder its record does not list yet (killed between the two
    // renames) must be whole and name itself, so that the next run adopts it.
    for (const folder of folders.filter((f) => !record.items.some((i) => i.folder === f))) {
      const self = JSON.parse(await readFile(join(dir, folder, 'item.json'), 'utf8')) as {
        itemId: string;
      };
      t.match(
        await readFile(join(dir, folder, 'message.txt'), 'utf8'),
        `Message of ${self.itemId}`,
      );
    }
  }
  return listed;
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

  const listed = await checkVisible(t, cases);
  t.equal(listed.length, items.length, 'every item listed once');
  t.same([...listed].sort(), items.map((i) => i.id).sort(), 'and only the bundle’s items');
  for (const name of (await readdir(cases)).filter((n) => /^s\d+$/.test(n))) {
    const record = JSON.parse(await readFile(join(cases, name, 'case.json'), 'utf8')) as CaseJson;
    const folders = (await readdir(join(cases, name))).filter((n) => /^\d+-/.test(n));
    const expected = record.items.map((i) => i.folder).sort();
    if (folders.sort().join() !== expected.join()) t.fail(`${name}: ${folders.join()}`);
  }
  const state = JSON.parse(await readFile(join(cases, '.sealbox', 'state.json'), 'utf8')) as {
    opened: Record<string, unknown>;
  };
  t.equal(Object.keys(state.opened).length, items.length, 'state.json holds every item');
  t.notOk(existsSync(join(cases, '.sealbox', 'opened.jsonl')), 'the journal was folded in');
  t.same(await readdir(join(cases, '.sealbox', 'staging')), [], 'nothing left in staging');
  t.match(await readFile(join(cases, 'cases.csv'), 'utf8'), /"s399"/);
});
