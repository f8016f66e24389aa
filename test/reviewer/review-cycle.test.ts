// The reviewer's whole offline cycle through the command functions: keys,
// keyset, open a bundle, open it again, a newer bundle with a follow-up,
// status and reply into the outbox, the reply as the submitter reads it, stats.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { getSodium, readStatementAsSubmitter } from '../../client-crypto/index.ts';
import { openOutcome, reviewOpen } from '../../reviewer/commands/review-open.ts';
import { reviewCheckOutbox, reviewStatement } from '../../reviewer/commands/review-statement.ts';
import { reviewStats } from '../../reviewer/commands/review-stats.ts';
import { readOutbox } from '../../reviewer/outbox.ts';
import { type ItemSpec, makeSetup, tempDir, writeBundle } from './fixtures.ts';

const sodium = await getSodium();
const photo = sodium.randombytes_buf(150_000);
const letter = new TextEncoder().encode('Summons dated 3 March.\n');

const first: ItemSpec[] = [
  {
    kind: 'submission',
    id: 'case-one',
    seq: 1,
    received: '2026-03-04',
    answers: {
      country: 'BY',
      un_body: 'treaty_bodies',
      reprisal_kinds: ['travel_ban', 'threats'],
      consent_public: 'no',
    },
    message: 'They took my passport at the airport.\n<script>alert(1)</script>',
    files: [
      { name: 'photo.jpg', type: 'image/jpeg', bytes: photo },
      { name: '../../etc/passwd', type: 'text/plain', bytes: letter },
    ],
  },
  {
    kind: 'submission',
    id: 'case-two',
    seq: 2,
    received: '2026-04-01',
    answers: {
      country: 'VE',
      un_body: 'special_procedures',
      reprisal_kinds: ['threats'],
      extra_field: 'kept',
    },
    message: 'تهديدات عبر الهاتف',
    files: [
      { name: 'report.html', type: 'text/html', bytes: letter },
      // Sealed by a page from before sha256-segments: its digest is BLAKE2b-256.
      {
        name: 'REPORT.HTML',
        type: 'text/html',
        bytes: photo.subarray(0, 10),
        digestAlgorithm: 'blake2b-256',
      },
    ],
  },
];

t.test('open, re-open, follow up, reply, stats', async (t) => {
  const dir = await tempDir(t);
  const s = await makeSetup(dir);
  const cases = join(dir, 'cases');
  const bundle1 = join(dir, 'bundle-1.sbx');
  await writeBundle(bundle1, first, s.sealing, s);

  const report = await reviewOpen(
    { bundle: bundle1, key: s.anaKey, cases, keyset: s.keysetFile, organisation: s.orgFingerprint },
    s.io,
  );
  t.same(report.opened, ['case-one', 'case-two']);
  t.same(report.failed, []);
  t.equal(openOutcome(report), null);

  const one = join(cases, 'case-one', '01-submission-2026-03-04');
  t.same(
    new Uint8Array(await readFile(join(one, 'attachments', 'photo.jpg'))),
    photo,
    'photo byte for byte',
  );
  t.same(
    new Uint8Array(await readFile(join(one, 'attachments', 'passwd.bin'))),
    letter,
    'traversal name kept inside',
  );
  t.match(await readFile(join(one, 'message.txt'), 'utf8'), /took my passport/);
  t.match(await readFile(join(one, 'answers.txt'), 'utf8'), /Travel ban; Threats/);
  t.same(
    (JSON.parse(await readFile(join(one, 'answers.json'), 'utf8')) as { country: string }).country,
    'BY',
  );
  const two = join(cases, 'case-two', '01-submission-2026-04-01', 'attachments');
  t.same(
    (await readdir(two)).sort(),
    ['REPORT.HTML (2).bin', 'report.html.bin'].sort(),
    'active content neutralised, no overwrite',
  );
  t.equal((await stat(join(one, 'attachments', 'photo.jpg'))).mode & 0o777, 0o600);
  t.equal((await stat(join(cases, 'case-one'))).mode & 0o777, 0o700);

  const index = await readFile(join(cases, 'index.html'), 'utf8');
  t.notMatch(index, /<script/i);
  const casePage = await readFile(join(cases, 'case-one', 'index.html'), 'utf8');
  t.notMatch(casePage, /<script>/);
  t.match(casePage, /&#60;script&#62;alert\(1\)/);
  t.match(casePage, /Content-Security-Policy/);
  const csv = await readFile(join(cases, 'cases.csv'), 'utf8');
  t.match(csv, /"case-one","2026-03-04"/);
  t.match(csv, /Belarus/);

  // The same bundle again: nothing new, nothing duplicated.
  const again = await reviewOpen({ bundle: bundle1, key: s.anaKey, cases }, s.io);
  t.same(again.opened, []);
  t.equal(again.alreadyOpened, 2);
  t.same(await readdir(join(cases, 'case-one')), [
    '01-submission-2026-03-04',
    'case.json',
    'index.html',
  ]);

  // A newer bundle: everything again plus a follow-up with a file.
  const bundle2 = join(dir, 'bundle-2.sbx');
  await writeBundle(
    bundle2,
    [
      ...first,
      {
        kind: 'followup',
        id: 'fu-one',
        caseId: 'case-one',
        seq: 3,
        received: '2026-05-02',
        message: 'They came back.',
        files: [{ name: 'second.pdf', bytes: letter }],
      },
    ],
    s.sealing,
    s,
  );
  const newer = await reviewOpen({ bundle: bundle2, key: s.benKey, cases }, s.io);
  t.same(newer.opened, ['fu-one']);
  const followUp = join(cases, 'case-one', '02-follow-up-2026-05-02');
  t.equal(await readFile(join(followUp, 'message.txt'), 'utf8'), 'They came back.');
  t.same(new Uint8Array(await readFile(join(followUp, 'attachments', 'second.pdf'))), letter);
  t.match(await readFile(join(cases, 'case-one', 'index.html'), 'utf8'), /They came back/);

  // Status and reply go to the outbox, signed; the submitter's page can read the reply.
  await reviewStatement(
    { kind: 'status', caseId: 'case-one', status: 'in_review', key: s.anaKey, cases },
    s.io,
  );
  const replyFile = join(dir, 'reply.txt');
  await import('node:fs/promises').then((fs) =>
    fs.writeFile(replyFile, 'We have received your report.'),
  );
  await reviewStatement(
    { kind: 'reply', caseId: 'case-one', textFile: replyFile, key: s.anaKey, cases },
    s.io,
  );
  const outbox = await readOutbox(join(cases, 'outbox.jsonl'));
  t.equal(outbox.length, 2);
  const seen = await readStatementAsSubmitter(outbox[1], s.keyset, s.replyKeyPair, 'case-one');
  t.equal(seen.text, 'We have received your report.');
  t.equal(seen.reviewer, 'Ana');
  const status = await readStatementAsSubmitter(outbox[0], s.keyset, s.replyKeyPair, 'case-one');
  t.equal(status.status, 'in_review');
  t.equal(await reviewCheckOutbox({ outbox: join(cases, 'outbox.jsonl'), cases }, s.io), 2);
  t.match(
    await readFile(join(cases, 'case-one', 'index.html'), 'utf8'),
    /We have received your report\./,
    'the reviewer can read again the reply they sent',
  );
  t.same(
    (await readdir(followUp)).sort(),
    ['attachments', 'item.json', 'message.txt', 'sealed-by-author.bin'],
    'a follow-up without answers has no empty answers files',
  );
  t.match(
    await readFile(join(cases, 'cases.csv'), 'utf8'),
    /"case-one","2026-03-04","2026-05-02","in_review","1","3"/,
  );

  // Purge: a statement with nothing sealed.
  await reviewStatement({ kind: 'purge', caseId: 'case-two', key: s.anaKey, cases }, s.io);
  t.equal((await readOutbox(join(cases, 'outbox.jsonl'))).length, 3);

  const stats = await reviewStats({ cases, year: '2026' }, s.io);
  t.equal(stats.cases, 2);
  const [byCountry, byBody, byKind, byMonth] = stats.tallies;
  t.same(byCountry!.rows.map((r) => r.label).sort(), ['Belarus', 'Venezuela']);
  t.same(byBody!.rows.length, 2);
  t.same(byKind!.rows[0], { label: 'Threats', count: 2 });
  t.same(byMonth!.rows, [
    { label: '2026-03', count: 1 },
    { label: '2026-04', count: 1 },
  ]);
  const svg = await readFile(join(cases, 'statistics-2026.svg'), 'utf8');
  t.match(svg, /^<\?xml/);
  t.notMatch(svg, /<script/i);
  t.match(svg, /Travel ban/);
});
