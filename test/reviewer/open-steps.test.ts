// `review open` stopped at each of its durable steps, as a crash or a power
// cut would stop it there: after the batch is written and before it is
// fsynced, after the fsync, between two renames into place, between a case's
// new page and its new record, after the journal's lines are written and
// before they are fsynced (and with those lines then cut in half, as a power
// cut can leave them), after they are fsynced, and after state.json took the
// journal in but before the journal was removed. Each stop is a real SIGKILL
// of the process at that point (open-step-child.ts); then a normal run, and
// the folder must hold every item exactly once, nothing half-written visible
// at any time, nothing left over.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { reviewOpen } from '../../reviewer/commands/review-open.ts';
import type { OpenStep } from '../../reviewer/cases/steps.ts';
import { type ItemSpec, makeSetup, tempDir, TEST_ENV, testIo, writeBundle } from './fixtures.ts';
import { checkComplete, checkVisible, submissions } from './open-checks.ts';

const child = join(import.meta.dirname, 'open-step-child.ts');
const tsx = import.meta.resolve('tsx');

// Items are made visible 64 at a time: two batches of new cases, then a third
// with follow-ups to cases of the first batch (their folders and records
// change) and a few new cases with follow-ups of their own.
const items: ItemSpec[] = submissions(0, 128, 1);
for (let i = 0; i < 40; i++) {
  items.push({ kind: 'followup', id: `f${i}`, caseId: `s${i}`, seq: items.length + 1 });
}
items.push(...submissions(128, 4, items.length + 1));
for (let i = 0; i < 4; i++) {
  items.push({ kind: 'followup', id: `g${i}`, caseId: `s${128 + i}`, seq: items.length + 1 });
}

interface Stop {
  step: OpenStep;
  nth: number;
  why: string;
  /** Cut the journal's unsynced lines in half after the stop, as a power cut may. */
  tearJournal?: boolean;
  /** Every item is visible already: what is left to do is bookkeeping. */
  allVisible?: boolean;
}

const stops: Stop[] = [
  { step: 'written', nth: 2, why: 'the second batch written, not fsynced' },
  { step: 'synced', nth: 2, why: 'the second batch fsynced, nothing renamed' },
  { step: 'moved', nth: 1, why: 'the first new case renamed into place, its batch not' },
  { step: 'moved', nth: 140, why: 'half the follow-ups renamed into their cases' },
  { step: 'replaced', nth: 1, why: "a case's new page in place, its new record not" },
  { step: 'replaced', nth: 40, why: 'half the cases of the third batch updated' },
  { step: 'journal-written', nth: 2, why: 'the second batch journalled, not fsynced' },
  {
    step: 'journal-written',
    nth: 2,
    why: "the second batch's journal lines cut in half by a power cut",
    tearJournal: true,
  },
  {
    step: 'journal-synced',
    nth: 3,
    why: 'every batch journalled, state.json not written',
    allVisible: true,
  },
  {
    step: 'state-saved',
    nth: 1,
    why: 'state.json written, the journal not yet removed',
    allVisible: true,
  },
];

t.test('stopped at each durable step, then run again: every item exactly once', async (t) => {
  const dir = await tempDir(t);
  const s = await makeSetup(dir);
  const bundle = join(dir, 'bundle.sbx');
  await writeBundle(bundle, items, s.sealing, s);

  for (const [index, stop] of stops.entries()) {
    await t.test(`stopped: ${stop.why}`, async (t) => {
      const cases = join(dir, `cases-${index}`);
      const args = {
        bundle,
        key: s.anaKey,
        cases,
        keyset: s.keysetFile,
        organisation: s.orgFingerprint,
        step: stop.step,
        nth: stop.nth,
      };
      const run = await runChild(JSON.stringify(args));
      t.equal(run.signal, 'SIGKILL', `stopped at ${stop.step} #${stop.nth}: ${run.output}`);
      const journal = join(cases, '.sealbox', 'opened.jsonl');
      if (stop.tearJournal) {
        const text = await readFile(journal, 'utf8');
        const firstBatch = text.split('\n').slice(0, 64).join('\n').length + 1;
        t.ok(text.length > firstBatch + 40, 'the second batch was in the journal');
        await truncate(journal, firstBatch + 40);
      }
      const visible = await checkVisible(t, cases);
      if (stop.allVisible) {
        t.equal(visible.length, items.length, 'every item visible after the stop');
        t.ok(existsSync(journal), 'the journal was left behind');
      } else {
        t.ok(visible.length < items.length, `${visible.length} items visible after the stop`);
      }

      const io = testIo(TEST_ENV);
      const report = await reviewOpen({ bundle, key: s.anaKey, cases }, io);
      t.same(report.failed, [], 'the next run fails nothing');
      t.same(report.setAside, [], 'and sets nothing aside');
      t.equal(
        report.opened.length + report.alreadyOpened,
        items.length,
        'the next run saw every item, new or opened before',
      );
      await checkComplete(t, cases, items);
    });
  }
});

function runChild(args: string): Promise<{ signal: NodeJS.Signals | null; output: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', tsx, child, args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...TEST_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    proc.on('exit', (_code, signal) => resolve({ signal, output: output.slice(-2000) }));
  });
}
