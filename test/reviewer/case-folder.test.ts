// The case folder survives interruptions: leftovers of an interrupted item are
// removed, and an item that was moved into place just before a crash is
// adopted rather than written twice.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { CaseFolder } from '../../reviewer/cases/case-folder.ts';
import { reviewOpen } from '../../reviewer/commands/review-open.ts';
import { makeSetup, tempDir, writeBundle } from './fixtures.ts';

t.test('interrupted runs leave no trace and no duplicates', async (t) => {
  const dir = await tempDir(t);
  const s = await makeSetup(dir);
  const cases = join(dir, 'cases');
  const bundle = join(dir, 'b.sbx');
  await writeBundle(
    bundle,
    [
      {
        kind: 'submission',
        id: 'c1',
        seq: 1,
        files: [{ name: 'f.txt', bytes: new Uint8Array([1, 2, 3]) }],
      },
    ],
    s.keyset,
    s.replyKeyPair.publicKey,
  );
  await reviewOpen(
    { bundle, key: s.anaKey, cases, keyset: s.keysetFile, organisation: s.orgFingerprint },
    s.io,
  );

  // A crash after the item folder was renamed into place, before the records were saved.
  const statePath = join(cases, '.sealbox', 'state.json');
  const state = JSON.parse(await readFile(statePath, 'utf8')) as {
    opened: Record<string, unknown>;
  };
  delete state.opened.c1;
  await writeFile(statePath, JSON.stringify(state));
  const casePath = join(cases, 'c1', 'case.json');
  const record = JSON.parse(await readFile(casePath, 'utf8')) as { items: unknown[] };
  record.items = [];
  await writeFile(casePath, JSON.stringify(record));
  // ...and a half-written item in staging.
  await mkdir(join(cases, '.sealbox', 'staging', 'deadbeef'), { recursive: true });
  await writeFile(join(cases, '.sealbox', 'staging', 'deadbeef', 'message.txt'), 'partial');

  const again = await reviewOpen({ bundle, key: s.anaKey, cases }, s.io);
  t.same(again.opened, ['c1']);
  t.same(await readdir(join(cases, 'c1')), ['01-submission-2026-11-20', 'case.json', 'index.html']);
  t.same(await readdir(join(cases, '.sealbox', 'staging')), []);
  const folder = await CaseFolder.open(cases, { create: false });
  t.equal((await folder.requireCase('c1')).items.length, 1);
  t.ok(folder.isOpened('c1'));
  await t.rejects(folder.requireCase('../x'), { code: 'CASE_UNKNOWN' });

  await writeFile(statePath, '{not json');
  await t.rejects(CaseFolder.open(cases, { create: false }), { code: 'CASES_FOLDER_INVALID' });
  await t.rejects(CaseFolder.open(join(dir, 'nothing-here'), { create: false }), {
    code: 'CASES_FOLDER_INVALID',
  });
});
