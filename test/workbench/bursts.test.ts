// Bursts through the workbench's API over real HTTP: the same table
// `review bursts` prints, a day set aside and brought back through the
// command's own functions (the case list follows, index.html too), an urgent
// case refused with its reason, and nothing without the secret.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { reviewBursts } from '../../reviewer/commands/review-bursts.ts';
import { PASSPHRASE, type ItemSpec, submissionsFrom, writeBundle } from '../reviewer/fixtures.ts';
import { type Bench, call, postJson, startBench } from './fixtures.ts';

const BURST_DAY = '2026-11-13';

async function importFlood(b: Bench): Promise<void> {
  const submission = submissionsFrom(10);
  const items: ItemSpec[] = [
    submission('quiet-one', '2026-11-11', { effort: 0 }),
    submission('quiet-two', '2026-11-11', { effort: 0 }),
    ...Array.from({ length: 22 }, (_, i) => submission(`flood-${i}`, BURST_DAY, { effort: 5 })),
    submission('danger', BURST_DAY, { effort: 5, answers: { danger_now: 'yes' } }),
    submission('low-that-day', BURST_DAY, { effort: 0 }),
  ];
  const bytes = await writeBundle(join(b.setup.dir, 'flood.sbx'), items, b.setup.sealing, b.setup);
  const imported = await call(b.workbench, '/api/import', { method: 'POST', body: bytes });
  if (imported.status !== 200) throw new Error(imported.body.toString());
}

const words = (cells: string[]) => cells.join(' ').split(/\s+/).filter(Boolean);
const names = async (b: Bench, query = '') =>
  ((await call(b.workbench, `/api/cases${query}`)).json().cases as { name: string; setAside: boolean }[]).map((c) => c.name); // prettier-ignore

t.test(
  'bursts: the command’s table, set aside and back, urgent kept, secret required',
  async (t) => {
    const b = await startBench(t);
    const wb = b.workbench;
    await postJson(wb, '/api/unlock', { passphrase: PASSPHRASE });
    await importFlood(b);

    const answer = await call(wb, '/api/bursts');
    t.equal(answer.status, 200, answer.body.toString());
    const view = answer.json() as unknown as { table: string[][]; levels: string[]; usual: number };
    const before = b.setup.io.lines.length;
    await reviewBursts({ cases: b.cases }, b.setup.io);
    const printed = b.setup.io.lines.slice(before, before + view.table.length);
    t.same(view.table.map(words), printed.map((l: string) => words([l])), 'the rows the command prints'); // prettier-ignore
    t.same(view.levels, ['0', '5', 'unknown']);
    t.same(view.table.find((r) => r[0] === BURST_DAY), [BURST_DAY, '24', '1', '23', '0', '0', 'BURST']); // prettier-ignore
    t.equal((await call(wb, '/api/bursts?factor=1')).status, 400, 'a factor below 2');
    t.equal((await call(wb, '/api/bursts?factor=x')).status, 400, 'a factor not a number');

    t.ok((await names(b)).includes('flood-3'), 'listed before');
    const done = await postJson(wb, '/api/bursts/set-aside', { day: BURST_DAY, level: '5' });
    t.equal(done.status, 200, done.body.toString());
    t.same(done.json(), {
      changed: 22,
      already: 0,
      kept: [{ name: 'danger', reasons: ['urgent'] }],
    });
    const list = await names(b);
    t.notOk(list.includes('flood-3'), 'a case set aside leaves the list');
    t.ok(list.includes('danger'), 'the urgent case stays');
    t.ok(list.includes('low-that-day'), 'another level of that day stays');
    const all = (await call(wb, '/api/cases?setAside=1')).json().cases as { name: string; setAside: boolean }[]; // prettier-ignore
    t.equal(all.find((c) => c.name === 'flood-3')?.setAside, true, 'shown when asked, marked');
    t.equal(all.find((c) => c.name === 'danger')?.setAside, false);
    t.notMatch(await readFile(join(b.cases, 'index.html'), 'utf8'), /flood-3/, 'index.html too');
    const table = (await call(wb, '/api/bursts')).json().table as string[][];
    t.equal(table.find((r) => r[0] === BURST_DAY)?.[5], '22', 'the table counts them');

    const again = await postJson(wb, '/api/bursts/set-aside', { day: BURST_DAY });
    t.same(again.json(), { changed: 1, already: 22, kept: [{ name: 'danger', reasons: ['urgent'] }] }); // prettier-ignore

    const back = await postJson(wb, '/api/bursts/set-aside', { day: BURST_DAY, undo: true });
    t.equal(back.json().changed, 23);
    t.ok((await names(b)).includes('flood-3'), 'back in the list');

    for (const bad of [{}, { day: '13/11/2026' }, { day: BURST_DAY, level: 'high' }, { day: 5 }]) {
      const refused = await postJson(wb, '/api/bursts/set-aside', bad);
      t.equal(refused.status, 400, JSON.stringify(bad));
      t.ok(refused.json().error?.message, 'said in words');
    }
    t.equal((await call(wb, '/api/bursts', { secret: false })).status, 401, 'no secret');
    const sneaky = await call(wb, '/api/bursts/set-aside', {
      method: 'POST',
      secret: 'wrong',
      body: JSON.stringify({ day: BURST_DAY }),
      headers: { 'content-type': 'application/json' },
    });
    t.equal(sneaky.status, 401, 'a wrong secret');
    t.equal((await call(wb, '/api/bursts', { host: 'evil.example' })).status, 403, 'another Host');
    t.equal((await names(b, '?setAside=1')).length, (await names(b)).length, 'nothing set aside');
  },
);
