// The case folder survives interruptions: leftovers of an interrupted item are
// removed, and an item that was moved into place just before a crash is
// adopted rather than written twice. (A real SIGKILL in the middle of a run is
// in interrupted-open.test.ts.)
import { existsSync } from 'node:fs';
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
  const first = join(dir, 'first.sbx');
  const second = join(dir, 'second.sbx');
  const file = { name: 'f.txt', bytes: new Uint8Array([1, 2, 3]) };
  await writeBundle(first, [{ kind: 'submission', id: 'c1', seq: 1, files: [file] }], s.sealing, s);
  await writeBundle(
    second,
    [{ kind: 'followup', id: 'f1', caseId: 'c1', seq: 2, files: [file] }],
    s.sealing,
    s,
  );
  const trust = { keyset: s.keysetFile, organisation: s.orgFingerprint };
  await reviewOpen({ bundle: first, key: s.anaKey, cases, ...trust }, s.io);
  await reviewOpen({ bundle: second, key: s.anaKey, cases }, s.io);
  const listing = [
    '01-submission-2026-11-20',
    '02-follow-up-2026-11-20',
    'case.json',
    'index.html',
  ];
  t.same(await readdir(join(cases, 'c1')), listing);
  t.notOk(existsSync(join(cases, '.sealbox', 'opened.jsonl')), 'the journal went into state.json');

  // A crash after the follow-up's folder was renamed into its case, before
  // case.json and the state were saved...
  const statePath = join(cases, '.sealbox', 'state.json');
  const state = JSON.parse(await readFile(statePath, 'utf8')) as {
    opened: Record<string, unknown>;
  };
  delete state.opened.f1;
  await writeFile(statePath, JSON.stringify(state));
  const casePath = join(cases, 'c1', 'case.json');
  const record = JSON.parse(await readFile(casePath, 'utf8')) as { items: { itemId: string }[] };
  record.items = record.items.filter((i) => i.itemId === 'c1');
  await writeFile(casePath, JSON.stringify(record));
  // ...and a half-written item in staging.
  await mkdir(join(cases, '.sealbox', 'staging', 'deadbeef'), { recursive: true });
  await writeFile(join(cases, '.sealbox', 'staging', 'deadbeef', 'message.txt'), 'partial');

  const again = await reviewOpen({ bundle: second, key: s.anaKey, cases }, s.io);
  t.same(again.opened, ['f1'], 'adopted, not written twice');
  t.same(await readdir(join(cases, 'c1')), listing);
  t.same(await readdir(join(cases, '.sealbox', 'staging')), []);

  // A crash after a new case appeared whole, before the journal recorded it.
  const after = JSON.parse(await readFile(statePath, 'utf8')) as typeof state;
  delete after.opened.c1;
  await writeFile(statePath, JSON.stringify(after));
  const third = await reviewOpen({ bundle: first, key: s.anaKey, cases }, s.io);
  t.same(third.opened, ['c1'], 'recorded, not written twice');
  t.same(await readdir(join(cases, 'c1')), listing);

  const folder = await CaseFolder.open(cases, { create: false });
  t.same(
    (await folder.requireCase('c1')).items.map((i) => i.itemId),
    ['c1', 'f1'],
  );
  t.ok(folder.isOpened('c1') && folder.isOpened('f1'));
  t.match(await readFile(join(cases, 'c1', 'index.html'), 'utf8'), /02-follow-up-2026-11-20/);
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
    s.sealing,
    s,
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

t.test(
  'the journal of an interrupted run: a torn last line is an append cut off, anything else malformed is refused',
  async (t) => {
    const dir = await tempDir(t);
    const s = await makeSetup(dir);
    const cases = join(dir, 'cases');
    const bundle = join(dir, 'b.sbx');
    await writeBundle(bundle, [{ kind: 'submission', id: 'c1', seq: 1 }], s.sealing, s);
    await reviewOpen(
      { bundle, key: s.anaKey, cases, keyset: s.keysetFile, organisation: s.orgFingerprint },
      s.io,
    );
    const journal = join(cases, '.sealbox', 'opened.jsonl');
    const line = (entry: object): string => `${JSON.stringify(entry)}\n`;
    const entry = { itemId: 'x2', caseId: 'c2', folder: '01-submission-2026-11-21' };

    await writeFile(journal, line(entry) + '{"itemId":"x3","caseId":"c3","fol');
    const folder = await CaseFolder.open(cases, { create: false });
    t.ok(folder.isOpened('x2'), 'a whole line counts');
    t.notOk(folder.isOpened('x3'), 'the torn line does not');
    t.notOk(existsSync(journal), 'folded into state.json at once');
    const state = JSON.parse(await readFile(join(cases, '.sealbox', 'state.json'), 'utf8')) as {
      opened: Record<string, unknown>;
    };
    t.same(state.opened.x2, { caseId: 'c2', folder: '01-submission-2026-11-21' });
    t.ok(state.opened.c1, 'and keeps what it held');

    const damaged: [string, string][] = [
      [line(entry) + 'not json\n' + line(entry), 'line 2'],
      [line({ ...entry, itemId: '../x' }), 'line 1'],
      [line({ ...entry, folder: '../../etc' }), 'line 1'],
      [line({ ...entry, extra: true }), 'line 1'],
      [line({ itemId: 'x2', caseId: 'c2' }), 'line 1'],
      ['\n', 'line 1'],
    ];
    for (const [text, where] of damaged) {
      await writeFile(journal, text);
      await t.rejects(
        CaseFolder.open(cases, { create: false }),
        {
          code: 'CASES_FOLDER_INVALID',
          message: new RegExp(`opened\\.jsonl is damaged: ${where} `),
        },
        JSON.stringify(text),
      );
    }
    await writeFile(journal, '');
    await CaseFolder.open(cases, { create: false });
    t.notOk(existsSync(journal), 'an empty journal is simply removed');
  },
);

t.test('a case is found by any start of its number that fits only it, in any case', async (t) => {
  const dir = await tempDir(t);
  const s = await makeSetup(dir);
  const cases = join(dir, 'cases');
  const bundle = join(dir, 'b.sbx');
  const ids = ['F2wwmfKuW5n7ZtlDvpIDGQ', 'F2wwAbcdW5n7ZtlDvpIDGQ', '-Oq9mfKuW5n7ZtlDvpIDGQ'];
  await writeBundle(
    bundle,
    ids.map((id, i) => ({ kind: 'submission' as const, id, seq: i + 1 })),
    s.sealing,
    s,
  );
  await reviewOpen(
    { bundle, key: s.anaKey, cases, keyset: s.keysetFile, organisation: s.orgFingerprint },
    s.io,
  );
  const folder = await CaseFolder.open(cases, { create: false });
  const found = async (typed: string) => (await folder.findCase(typed)).caseId;
  t.equal(await found('F2wwmfKuW5n7ZtlDvpIDGQ'), ids[0], 'the whole number');
  t.equal(await found('f2wwm'), ids[0], 'a start that fits one case, lower case');
  t.equal(await found('F2WWMFKUW5N7ZT1DVP1DGQ'), ids[0], 'l and I typed as 1, upper case');
  t.equal(await found('case.-oq9'), ids[2], 'the displayed name of a case that begins with -');
  t.equal(await found('-0Q9'), ids[2], 'O typed as 0');
  await t.rejects(folder.findCase('f2ww'), { code: 'CASE_UNKNOWN', message: /fits 2 cases/ });
  await t.rejects(folder.findCase('zzzz'), { code: 'CASE_UNKNOWN', message: /There is no case/ });
  await t.rejects(folder.findCase(''), { code: 'CASE_UNKNOWN' });
  await t.rejects(folder.findCase('../x'), { code: 'CASE_UNKNOWN' });
});
