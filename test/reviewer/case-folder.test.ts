// The case folder survives interruptions: leftovers of an interrupted item are
// removed, and an item that was moved into place just before a crash is
// adopted rather than written twice.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { CaseFolder } from '../../reviewer/cases/case-folder.ts';
import { reviewOpen } from '../../reviewer/commands/review-open.ts';
import { makeSetup, tempDir, testIo, writeBundle } from './fixtures.ts';
import { run } from '../../reviewer/cli.ts';
import { readOutbox } from '../../reviewer/outbox.ts';
import { verifyStatement } from '../../client-crypto/index.ts';

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

t.test('case ids that start with "-" or "_" (base64url) open and can be answered', async (t) => {
  const dir = await tempDir(t);
  const s = await makeSetup(dir);
  const cases = join(dir, 'cases');
  const bundle = join(dir, 'b.sbx');
  await writeBundle(
    bundle,
    [
      { kind: 'submission', id: '-dash0123456789abcdefg', seq: 1 },
      { kind: 'submission', id: '_under0123456789abcdef', seq: 2 },
      { kind: 'followup', id: '-fu', caseId: '-dash0123456789abcdefg', seq: 3 },
    ],
    s.keyset,
    s.replyKeyPair.publicKey,
  );
  const report = await reviewOpen(
    { bundle, key: s.anaKey, cases, keyset: s.keysetFile, organisation: s.orgFingerprint },
    s.io,
  );
  t.same(report.failed, []);
  t.same(report.opened.length, 3);
  t.same((await readdir(cases)).filter((n) => !/\.(html|csv)$|^\./.test(n)).sort(), [
    '_under0123456789abcdef',
    'case.-dash0123456789abcdefg',
  ]);
  t.equal(
    (await readdir(join(cases, 'case.-dash0123456789abcdefg'))).length,
    4,
    'submission, follow-up, record, page',
  );
  const io = testIo();
  const code = await run(
    [
      'review',
      'status',
      'case.-dash0123456789abcdefg',
      'closed',
      '--key',
      s.anaKey,
      '--cases',
      cases,
    ],
    io,
  );
  t.equal(code, 0, io.errors.join(''));
  const outbox = await readOutbox(join(cases, 'outbox.jsonl'));
  t.equal((await verifyStatement(outbox[0], s.keyset)).caseId, '-dash0123456789abcdefg');
  t.match(await readFile(join(cases, 'cases.csv'), 'utf8'), /"case.-dash0123456789abcdefg",/);
});
