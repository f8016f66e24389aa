// The name on a reviewer's card is shown to whoever holds a receipt: by
// default a role, and a warning whenever one is given.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { parseReviewerCard } from '../../client-crypto/index.ts';
import { run } from '../../reviewer/cli.ts';
import { tempDir, testIo } from './fixtures.ts';

t.test('without --name the card names a role, not a person', async (t) => {
  const dir = await tempDir(t);
  const io = testIo();
  const code = await run(
    ['reviewer', 'create', '--out', join(dir, 'r.key'), '--card', join(dir, 'r.card.json')],
    io,
  );
  t.equal(code, 0);
  const card = parseReviewerCard(JSON.parse(await readFile(join(dir, 'r.card.json'), 'utf8')));
  t.equal(card.name, 'Reviewer');
  t.notMatch(io.lines.join('\n'), /persecutor/, 'no warning when no name was given');
});

t.test('a given name is kept, with a warning that submitters see it', async (t) => {
  const dir = await tempDir(t);
  const io = testIo();
  const args = ['--out', join(dir, 'r.key'), '--card', join(dir, 'r.card.json')];
  t.equal(await run(['reviewer', 'create', '--name', 'Reviewer 2', ...args], io), 0);
  const card = parseReviewerCard(JSON.parse(await readFile(join(dir, 'r.card.json'), 'utf8')));
  t.equal(card.name, 'Reviewer 2');
  t.match(io.lines.join('\n'), /submitters see that name beside every reply/);
  t.match(io.lines.join('\n'), /never your own name/);
});
