// What a case folder must look like after `review open` was cut off, and
// after the run that follows it: shared by the SIGKILL test
// (interrupted-open.test.ts) and the test that stops at each durable step
// (open-steps.test.ts).
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { ItemSpec } from './fixtures.ts';

interface CaseJson {
  caseId: string;
  items: { itemId: string; folder: string; attachments: { file: string }[] }[];
}

/** Submissions `s<first>`…, each with the message `Message of <id>`; every 50th carries a 3000-byte file. */
export function submissions(first: number, count: number, seq: number): ItemSpec[] {
  const items: ItemSpec[] = [];
  for (let i = first; i < first + count; i++) {
    items.push({
      kind: 'submission',
      id: `s${i}`,
      seq: seq + items.length,
      answers: { country: 'MM' },
      ...(i % 50 === 0
        ? { files: [{ name: 'scan.pdf', bytes: new Uint8Array(3000).fill(i % 256) }] }
        : {}),
    });
  }
  return items;
}

/** What a reviewer could see now: every case whole, every item folder whole. Returns the item ids listed. */
export async function checkVisible(t: Test, cases: string): Promise<string[]> {
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
    // An item folder its record does not list yet (cut off between the two
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

/** After a complete run: every item of the bundle listed exactly once, nothing left over. */
export async function checkComplete(t: Test, cases: string, items: ItemSpec[]): Promise<void> {
  const listed = await checkVisible(t, cases);
  t.equal(listed.length, items.length, 'every item listed once');
  t.same([...listed].sort(), items.map((i) => i.id).sort(), 'and only the bundle’s items');
  for (const name of (await readdir(cases)).filter((n) => /^s\d+$/.test(n))) {
    const record = JSON.parse(await readFile(join(cases, name, 'case.json'), 'utf8')) as CaseJson;
    const folders = (await readdir(join(cases, name))).filter((n) => /^\d+-/.test(n));
    const expected = record.items.map((i) => i.folder).sort();
    if (folders.sort().join() !== expected.join()) t.fail(`${name}: ${folders.join()}`);
    const strays = (await readdir(join(cases, name))).filter((n) => n.endsWith('.tmp'));
    if (strays.length > 0) t.fail(`${name} holds temporary files: ${strays.join()}`);
  }
  const state = JSON.parse(await readFile(join(cases, '.sealbox', 'state.json'), 'utf8')) as {
    opened: Record<string, unknown>;
  };
  t.same(
    Object.keys(state.opened).sort(),
    items.map((i) => i.id).sort(),
    'state.json holds every item',
  );
  t.notOk(existsSync(join(cases, '.sealbox', 'opened.jsonl')), 'the journal was folded in');
  const staging = join(cases, '.sealbox', 'staging');
  t.same(existsSync(staging) ? await readdir(staging) : [], [], 'nothing left in staging');
}
