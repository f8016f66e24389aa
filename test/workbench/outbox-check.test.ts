// The outbox view says whether the whole file passes `sealbox review
// check-outbox`: the command's own words when it does, the command's own
// error (with the line it names) when it does not.
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { reviewCheckOutbox } from '../../reviewer/commands/review-statement.ts';
import { readOutbox } from '../../reviewer/outbox.ts';
import { PASSPHRASE, testIo } from '../reviewer/fixtures.ts';
import { type Bench, call, postJson, startBench } from './fixtures.ts';

type Check = { passed: boolean; message: string } | null;
const checkOf = async (b: Bench) => (await call(b.workbench, '/api/outbox')).json().check as Check;

t.test('the outbox view carries the verdict of review check-outbox', async (t) => {
  const b = await startBench(t);
  const wb = b.workbench;
  const outbox = join(b.cases, 'outbox.jsonl');
  t.equal(await checkOf(b), null, 'no outbox yet, nothing to check');

  await postJson(wb, '/api/unlock', { passphrase: PASSPHRASE });
  await postJson(wb, '/api/cases/case-mm/statements', { kind: 'reply', text: 'Received.' });
  await postJson(wb, '/api/cases/case-ni/statements', { kind: 'purge' });
  const io = testIo();
  await reviewCheckOutbox({ outbox, cases: b.cases }, io);
  const passed = await checkOf(b);
  t.same(passed, { passed: true, message: io.lines.join(' ') }, 'the command line says the same');
  t.match(passed?.message, /All 2 statement\(s\) and 0 epoch key\(s\) .* verify against keyset version 1/); // prettier-ignore

  // A statement whose signature no longer matches: the server would refuse it.
  const [first] = (await readOutbox(outbox)) as { signature: string }[];
  const flipped = first!.signature.startsWith('A') ? `B${first!.signature.slice(1)}` : `A${first!.signature.slice(1)}`; // prettier-ignore
  await appendFile(outbox, `${JSON.stringify({ ...first, signature: flipped })}\n`);
  const failed = await checkOf(b);
  t.equal(failed?.passed, false);
  t.match(failed?.message, /^Line 3 of .*outbox\.jsonl: /, 'names the line, as the command does');
  await t.rejects(reviewCheckOutbox({ outbox, cases: b.cases }, testIo()), {
    message: failed?.message ?? 'a message',
  });
  const lines = (await call(wb, '/api/outbox')).json().lines as { kind: string }[];
  t.same(lines.map((l) => l.kind), ['reply', 'purge', 'invalid'], 'the table still lists each line'); // prettier-ignore

  // A line cut short (an interrupted copy): the check fails, the view still answers.
  await appendFile(outbox, '{"format":"sealbox-statement-v2","payl');
  const cut = await call(wb, '/api/outbox');
  t.equal(cut.status, 200);
  t.same(cut.json().check, { passed: false, message: `Line 4 of the outbox ${outbox} is incomplete.` }); // prettier-ignore
  t.same(cut.json().lines, []);
  t.match(await readFile(outbox, 'utf8'), /payl$/, 'the view never rewrites the outbox');
});
