// Organisation and reviewer key commands, the command line frame, and keyset
// updates in a case folder.
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { CourierError } from '../../reviewer/courier/errors.ts';
import { organisationSignKeyset, showFingerprints } from '../../reviewer/commands/organisation.ts';
import { reviewOpen } from '../../reviewer/commands/review-open.ts';
import { run } from '../../reviewer/cli.ts';
import { EXIT, describeError, exitCodeOf } from '../../reviewer/exit-codes.ts';
import { CliError } from '../../reviewer/errors.ts';
import {
  SealboxError,
  parseReviewerCard,
  reviewerFingerprint,
  verifyKeyset,
} from '../../client-crypto/index.ts';
import { PassThrough } from 'node:stream';
import { type TestIo, makeSetup, tempDir, testIo, writeBundle } from './fixtures.ts';

t.test('keys, cards, keyset and fingerprints', async (t) => {
  const dir = await tempDir(t);
  const s = await makeSetup(dir);
  t.equal((await stat(s.anaKey)).mode & 0o777, 0o600, 'key files are private');
  const key = JSON.parse(await readFile(s.anaKey, 'utf8')) as { format: string; kind: string };
  t.same([key.format, key.kind], ['sealbox-keyfile-v1', 'reviewer']);
  t.same(
    s.keyset.reviewers.map((r) => r.name),
    ['Ana', 'Ben'],
  );
  t.equal(s.keyset.couriers.length, 1);

  const io = testIo();
  const lines = await showFingerprints(
    [join(dir, 'ana.card.json'), join(dir, 'courier.card.json'), s.keysetFile],
    io,
  );
  const anaCreated = s.io.lines.find((l) => l.startsWith('Your fingerprint: '))!.slice(18);
  t.match(
    lines[0],
    new RegExp(`reviewer Ana: ${anaCreated}$`),
    'the card shows the fingerprint its owner saw',
  );
  t.match(lines[1], /courier Courier: [0-9A-Z]{4}(-[0-9A-Z]{4}){7}$/);
  t.match(lines.join('\n'), new RegExp(`signed by organisation ${s.orgFingerprint}`));
  t.match(lines.join('\n'), new RegExp(`reviewer Ana: ${anaCreated}`));
  await t.rejects(showFingerprints([s.anaKey], io), { code: 'FILE_INVALID' });
  await t.rejects(showFingerprints([], io), { code: 'USAGE' });
});

t.test('signing refuses what would make a bad keyset', async (t) => {
  const dir = await tempDir(t);
  const s = await makeSetup(dir);
  const base = {
    key: s.orgKey,
    reviewers: [join(dir, 'ana.card.json')],
    couriers: [],
    version: 2,
    expires: '2099-01-01',
    out: join(dir, 'k2.json'),
  };
  const io = testIo();
  await t.rejects(organisationSignKeyset({ ...base, reviewers: [] }, io), { code: 'USAGE' });
  await t.rejects(organisationSignKeyset({ ...base, version: 0 }, io), { code: 'USAGE' });
  await t.rejects(organisationSignKeyset({ ...base, expires: '31/12/2099' }, io), {
    code: 'USAGE',
  });
  await t.rejects(organisationSignKeyset({ ...base, expires: '2020-01-01' }, io), {
    code: 'USAGE',
  });
  await t.rejects(organisationSignKeyset({ ...base, reviewers: [s.keysetFile] }, io), {
    code: 'FILE_INVALID',
  });
  await t.rejects(
    organisationSignKeyset({ ...base, key: s.anaKey }, io),
    { code: 'FILE_INVALID' },
    'a reviewer key cannot sign keysets',
  );
  await t.rejects(
    organisationSignKeyset({ ...base, out: s.keysetFile }, io),
    { code: 'FILE_EXISTS' },
    'nothing is overwritten',
  );
  await t.rejects(organisationSignKeyset({ ...base, reviewers: [join(dir, 'missing.json')] }, io), {
    code: 'FILE_MISSING',
  });
});

t.test('a keyset signed with --desks keeps them, signed by the root', async (t) => {
  const dir = await tempDir(t);
  const s = await makeSetup(dir);
  t.notOk('desks' in s.keyset, 'without --desks the keyset has no desks field');
  const [ana, ben] = await Promise.all(
    ['ana', 'ben'].map(async (who) =>
      reviewerFingerprint(
        parseReviewerCard(JSON.parse(await readFile(join(dir, `${who}.card.json`), 'utf8'))),
      ),
    ),
  );
  const desks = [
    { id: 'treaty', names: { en: 'Treaty bodies', fr: 'Organes de traités' }, reviewers: [ana] },
    { id: 'special', names: { en: 'Special procedures' }, reviewers: [ben] },
    { id: 'safety', names: { en: 'Safety' }, reviewers: [ben], always: true },
  ];
  const desksFile = join(dir, 'desks.json');
  await writeFile(desksFile, JSON.stringify(desks));
  const out = join(dir, 'keyset-v2.json');
  const io = testIo();
  t.equal(
    await run(
      [
        'organisation',
        'sign-keyset',
        '--key',
        s.orgKey,
        '--reviewer',
        join(dir, 'ana.card.json'),
        '--reviewer',
        join(dir, 'ben.card.json'),
        '--desks',
        desksFile,
        '--version',
        '2',
        '--expires',
        '2099-12-31',
        '--out',
        out,
      ],
      io,
    ),
    EXIT.ok,
  );
  const keyset = await verifyKeyset(JSON.parse(await readFile(out, 'utf8')), {
    fingerprint: s.orgFingerprint,
  });
  t.same(keyset.desks, desks, 'the library reads back the very desks of the file');
  t.match(
    io.lines.join('\n'),
    /desk {5}treaty \(en "Treaty bodies", fr "Organes de traités"\): Ana/,
  );
  t.match(io.lines.join('\n'), /desk {5}safety \(always included\) \(en "Safety"\): Ben/);
});

t.test('a bad desks file is refused in plain words and no keyset is written', async (t) => {
  const dir = await tempDir(t);
  const s = await makeSetup(dir);
  const ana = await reviewerFingerprint(
    parseReviewerCard(JSON.parse(await readFile(join(dir, 'ana.card.json'), 'utf8'))),
  );
  const ben = await reviewerFingerprint(
    parseReviewerCard(JSON.parse(await readFile(join(dir, 'ben.card.json'), 'utf8'))),
  );
  const desk = (id: string, reviewers: string[], always?: boolean): object => ({
    id,
    names: { en: id },
    reviewers,
    ...(always === undefined ? {} : { always }),
  });
  const out = join(dir, 'k2.json');
  const base = {
    key: s.orgKey,
    reviewers: [join(dir, 'ana.card.json')],
    couriers: [],
    version: 2,
    expires: '2099-01-01',
    out,
  };
  const cases: [string, string | null, RegExp, string][] = [
    ['missing', null, /desks file .*missing\.json does not exist/, 'a missing file'],
    ['not-json', '[{"id": "a",', /is not a JSON file/, 'a file that is not JSON'],
    [
      'object',
      JSON.stringify({ desks: [desk('a', [ana])] }),
      /must hold a JSON list of desks/,
      'not a list',
    ],
    ['empty', '[]', /1 to 16 desks/, 'no desk'],
    [
      'unknown',
      JSON.stringify([desk('a', [ben])]),
      new RegExp(`reviewer ${ben} is not in the keyset`),
      'a fingerprint of no --reviewer card',
    ],
    [
      'twice',
      JSON.stringify([desk('a', [ana]), desk('a', [ana])]),
      /two desks have the same id/,
      'a duplicate id',
    ],
    ['always', JSON.stringify([desk('a', [ana], true)]), /none to choose/, 'no desk to choose'],
    [
      'bad-id',
      JSON.stringify([desk('A desk', [ana])]),
      /a desk id is 1 to 40 characters/,
      'a bad id',
    ],
    [
      'lower',
      JSON.stringify([desk('a', [ana.toLowerCase()])]),
      /written XXXX-XXXX/,
      'a fingerprint not in canonical form',
    ],
  ];
  for (const [name, text, message, what] of cases) {
    const file = join(dir, `${name}.json`);
    if (text !== null) await writeFile(file, text);
    const io = testIo();
    await t.rejects(organisationSignKeyset({ ...base, desks: file }, io), { message }, what);
    await t.rejects(access(out), { code: 'ENOENT' }, `${what}: no keyset file`);
  }
  const refused = testIo();
  t.equal(
    await run(
      [
        'organisation',
        'sign-keyset',
        '--key',
        s.orgKey,
        '--reviewer',
        base.reviewers[0]!,
        '--desks',
        join(dir, 'twice.json'),
        '--version',
        '2',
        '--expires',
        '2099-01-01',
        '--out',
        out,
      ],
      refused,
    ),
    EXIT.inputInvalid,
  );
  t.match(
    refused.errors.join(''),
    /desks file .*twice\.json is refused: two desks have the same id.*No keyset was written/,
  );
});

t.test('the command line frame', async (t) => {
  const help = testIo();
  t.equal(await run(['help'], help), EXIT.ok);
  t.match(help.lines.join('\n'), /sealbox review open BUNDLE/);
  t.equal(await run([], testIo()), EXIT.ok);
  const bad = testIo();
  t.equal(await run(['review', 'open', '--frobnicate'], bad), EXIT.usage);
  t.match(bad.errors.join(''), /sealbox help/);
  const pass = testIo();
  t.equal(await run(['reviewer', 'create', '--passphrase', 'secret'], pass), EXIT.usage);
  t.match(pass.errors.join(''), /never given on the command line/);
  t.equal(await run(['reviewer', 'create', '--name', 'x'], testIo()), EXIT.usage);
  t.equal(await run(['organisation', 'launch'], testIo()), EXIT.usage);
  t.equal(await run(['review', 'reply'], testIo()), EXIT.usage);
  t.equal(
    await run(['review', 'stats', '--cases', '/nonexistent', '--year', '26'], testIo()),
    EXIT.usage,
  );
  t.equal(await run(['review', 'stats', '--cases', '/nonexistent'], testIo()), EXIT.inputInvalid);
  const courierHelp = testIo();
  t.equal(await run(['courier', 'help'], courierHelp), EXIT.ok);
  t.match(courierHelp.lines.join('\n'), /sealbox courier pull/);
});

t.test('every kind of failure has one exit code and a sentence', async (t) => {
  t.equal(
    exitCodeOf(new CourierError('SERVER_UNREACHABLE', 'connect ECONNREFUSED')),
    EXIT.serverUnreachable,
  );
  t.equal(exitCodeOf(new CourierError('COURIER_REJECTED', 'no')), EXIT.courierRejected);
  // Recognised by its class, not by a name anyone can give an error.
  const lookalike = Object.assign(new Error('x'), {
    name: 'CourierError',
    code: 'SERVER_UNREACHABLE',
  });
  t.equal(exitCodeOf(lookalike), EXIT.unexpected);
  t.equal(exitCodeOf(new SealboxError('KEYSET_EXPIRED', 'expired')), EXIT.keysetInvalid);
  t.equal(exitCodeOf(new CliError('FILE_EXISTS', 'exists')), EXIT.inputInvalid);
  t.equal(exitCodeOf(new RangeError('bug')), EXIT.unexpected);
  t.match(describeError(new RangeError('bug')), /fault in sealbox itself/);
  t.match(
    describeError(new SealboxError('KEYFILE_PASSPHRASE', 'wrong')),
    /^sealbox: wrong\nThe passphrase is wrong/,
  );
});

t.test('a case folder takes newer keysets from its organisation only', async (t) => {
  const dir = await tempDir(t);
  const s = await makeSetup(dir);
  const cases = join(dir, 'cases');
  const bundle = join(dir, 'b.sbx');
  await writeBundle(bundle, [{ kind: 'submission', id: 'c1', seq: 1 }], s.sealing, s);
  const io = testIo();
  await t.rejects(reviewOpen({ bundle, key: s.anaKey, cases }, io), {
    code: 'ORGANISATION_NOT_PINNED',
  });
  await t.rejects(
    reviewOpen({ bundle, key: s.anaKey, cases, keyset: s.keysetFile }, io),
    {
      code: 'ORGANISATION_NOT_PINNED',
    },
    'no terminal to confirm the fingerprint on',
  );
  await t.rejects(
    reviewOpen(
      {
        bundle,
        key: s.anaKey,
        cases,
        keyset: s.keysetFile,
        organisation: 'AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA',
      },
      io,
    ),
    { code: 'KEYSET_ROOT_MISMATCH' },
  );
  await reviewOpen(
    { bundle, key: s.anaKey, cases, keyset: s.keysetFile, organisation: s.orgFingerprint },
    io,
  );

  const v2 = join(dir, 'keyset-v2.json');
  await organisationSignKeyset(
    {
      key: s.orgKey,
      reviewers: [join(dir, 'ana.card.json')],
      couriers: [],
      version: 2,
      expires: '2099-06-30',
      out: v2,
    },
    io,
  );
  const newer = join(dir, 'b2.sbx');
  await writeBundle(newer, [{ kind: 'submission', id: 'c2', seq: 2 }], s.sealing, s, {
    keysetVersion: 2,
  });
  await t.rejects(reviewOpen({ bundle: newer, key: s.anaKey, cases }, io), {
    code: 'BUNDLE_OTHER_KEYSET',
  });
  const report = await reviewOpen({ bundle: newer, key: s.anaKey, cases, keyset: v2 }, io);
  t.same(report.opened, ['c2']);
  const state = JSON.parse(await readFile(join(cases, '.sealbox', 'state.json'), 'utf8')) as {
    keysetVersion: number;
  };
  t.equal(state.keysetVersion, 2);
  await reviewOpen({ bundle: newer, key: s.anaKey, cases, keyset: s.keysetFile }, io);
  t.match(io.lines.join('\n'), /Keeping keyset version 2/);
});

t.test('without --organisation, a person at a terminal confirms the fingerprint', async (t) => {
  const dir = await tempDir(t);
  const s = await makeSetup(dir);
  const bundle = join(dir, 'b.sbx');
  await writeBundle(bundle, [{ kind: 'submission', id: 'c1', seq: 1 }], s.sealing, s);
  const answering = (answer: string): TestIo => {
    const io = testIo();
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    setTimeout(() => stdin.write(`${answer}\n`), 50);
    return { ...io, stdin: stdin as unknown as NodeJS.ReadStream };
  };
  const no = answering('no');
  await t.rejects(
    reviewOpen({ bundle, key: s.anaKey, cases: join(dir, 'refused'), keyset: s.keysetFile }, no),
    {
      code: 'BUNDLE_OTHER_KEYSET',
    },
  );
  t.match(no.lines.join('\n'), new RegExp(s.orgFingerprint));
  const yes = answering('yes');
  const report = await reviewOpen(
    { bundle, key: s.anaKey, cases: join(dir, 'cases'), keyset: s.keysetFile },
    yes,
  );
  t.same(report.opened, ['c1']);
});
