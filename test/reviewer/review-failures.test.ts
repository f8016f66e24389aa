// What goes wrong on a reviewer's desk, each through the real `sealbox` entry
// (run() in-process): a clear message, a distinct exit code, nothing partial.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { createStatement, generateReviewerIdentity, getSodium } from '../../client-crypto/index.ts';
import { run } from '../../reviewer/cli.ts';
import { reviewOpen } from '../../reviewer/commands/review-open.ts';
import { reviewerCreate } from '../../reviewer/commands/reviewer-identity.ts';
import { EXIT } from '../../reviewer/exit-codes.ts';
import { appendToOutbox } from '../../reviewer/outbox.ts';
import {
  type ItemSpec,
  type Setup,
  makeSetup,
  tempDir,
  testIo,
  TEST_ENV,
  writeBundle,
} from './fixtures.ts';

const sodium = await getSodium();
const file = sodium.randombytes_buf(200_000);

const items: ItemSpec[] = [
  { kind: 'submission', id: 'good-one', seq: 1, files: [{ name: 'a.bin', bytes: file }] },
  { kind: 'submission', id: 'bad-two', seq: 2, files: [{ name: 'b.bin', bytes: file }] },
  { kind: 'submission', id: 'good-three', seq: 3 },
];

async function open(s: Setup, bundle: string, cases: string, extra: string[] = [], env = TEST_ENV) {
  const io = testIo(env);
  const args = ['review', 'open', bundle, '--key', s.anaKey, '--cases', cases];
  const code = await run(
    [...args, '--keyset', s.keysetFile, '--organisation', s.orgFingerprint, ...extra],
    io,
  );
  return { code, message: io.errors.join(''), lines: io.lines.join('\n') };
}

async function leftovers(cases: string): Promise<string[]> {
  return readdir(join(cases, '.sealbox', 'staging')).catch(() => []);
}

let s: Setup;
let dir: string;
/** Exit codes that `review open` really gave, kept for the comparison of all codes below. */
const observed = new Map<string, number>();
t.before(async () => {
  dir = await tempDir(t);
  s = await makeSetup(dir);
});

t.test('a damaged record is skipped by id; the others are opened', async (t) => {
  const bundle = join(dir, 'damaged.sbx');
  const bytes = await writeBundle(bundle, items, s.sealing, s);
  const at = Buffer.from(bytes).indexOf('"id":"bad-two"');
  bytes[at + 400]! ^= 1; // inside the envelope of bad-two
  await writeFile(bundle, bytes);
  const cases = join(dir, 'cases-damaged');
  const result = await open(s, bundle, cases);
  observed.set('tampered', result.code);
  t.equal(result.code, EXIT.tampered);
  t.match(result.lines, /Skipped item bad-two/);
  t.match(result.message, /bad-two/);
  t.same((await readdir(cases)).filter((n) => !n.includes('.')).sort(), ['good-one', 'good-three']);
  t.same(await leftovers(cases), []);
});

t.test('an attachment that fails verification leaves no plaintext of its item', async (t) => {
  const bundle = join(dir, 'bad-attachment.sbx');
  const spoiled = items.map((i) =>
    i.id === 'bad-two' ? { ...i, files: [{ name: 'b.bin', bytes: file, corrupt: true }] } : i,
  );
  await writeBundle(bundle, spoiled, s.sealing, s);
  const cases = join(dir, 'cases-attachment');
  const result = await open(s, bundle, cases);
  t.equal(result.code, EXIT.tampered);
  t.match(result.lines, /Skipped item bad-two/);
  t.same((await readdir(cases)).filter((n) => !n.includes('.')).sort(), ['good-one', 'good-three']);
  t.same(await leftovers(cases), []);
});

t.test(
  'a truncated bundle: complete items are opened, the rest waits for a full copy',
  async (t) => {
    const bundle = join(dir, 'full.sbx');
    const bytes = await writeBundle(bundle, items, s.sealing, s);
    const cut = join(dir, 'cut.sbx');
    const at = Buffer.from(bytes).indexOf('"id":"bad-two"');
    await writeFile(cut, bytes.subarray(0, at + 100_000)); // inside bad-two's attachment
    const cases = join(dir, 'cases-cut');
    const result = await open(s, cut, cases);
    observed.set('truncated', result.code);
    t.equal(result.code, EXIT.truncated);
    t.match(result.message, /incomplete/);
    t.same(
      (await readdir(cases)).filter((n) => !n.includes('.')),
      ['good-one'],
    );
    t.same(await leftovers(cases), []);
    const again = await open(s, bundle, cases);
    t.equal(again.code, EXIT.ok, again.message);
    t.same((await readdir(cases)).filter((n) => !n.includes('.')).sort(), [
      'bad-two',
      'good-one',
      'good-three',
    ]);
  },
);

t.test('wrong key, another keyset, wrong passphrase, outbox signer not in keyset', async (t) => {
  const bundle = join(dir, 'plain.sbx');
  await writeBundle(bundle, items, s.sealing, s);
  const codes = new Map<string, number>();

  // A reviewer whose key is not in the keyset.
  const io = testIo();
  await reviewerCreate(
    { name: 'Eve', out: join(dir, 'eve.key'), card: join(dir, 'eve.card.json') },
    io,
  );
  const eve = testIo();
  const wrongKey = await run(
    [
      'review',
      'open',
      bundle,
      '--key',
      join(dir, 'eve.key'),
      '--cases',
      join(dir, 'cases-eve'),
      '--keyset',
      s.keysetFile,
      '--organisation',
      s.orgFingerprint,
    ],
    eve,
  );
  t.match(eve.errors.join(''), /Nothing in this bundle was sealed to your key/);
  codes.set('wrong key', wrongKey);
  t.same((await readdir(join(dir, 'cases-eve'))).filter((n) => !n.startsWith('.')).sort(), [
    'cases.csv',
    'index.html',
  ]);

  // A bundle made for a newer keyset than the case folder knows.
  const newer = join(dir, 'newer.sbx');
  await writeBundle(newer, items, s.sealing, s, { keysetVersion: 2 });
  const other = await open(s, newer, join(dir, 'cases-newer'));
  t.match(other.message, /keyset version 2/);
  codes.set('other keyset', other.code);

  // A keyset signed by another organisation than the folder trusts.
  const elsewhere = await makeSetup(await tempDir(t));
  const foreign = testIo();
  const foreignCode = await run(
    [
      'review',
      'open',
      bundle,
      '--key',
      s.anaKey,
      '--cases',
      join(dir, 'cases-damaged'),
      '--keyset',
      elsewhere.keysetFile,
    ],
    foreign,
  );
  t.equal(foreignCode, EXIT.otherKeyset);
  t.match(foreign.errors.join(''), /another organisation/);

  const wrongPass = await open(s, bundle, join(dir, 'cases-pass'), [], {
    ...TEST_ENV,
    SEALBOX_PASSPHRASE: 'not the passphrase',
  });
  t.match(wrongPass.message, /passphrase is wrong/);
  codes.set('wrong passphrase', wrongPass.code);

  // An outbox with a statement by a key that is not in the keyset.
  const cases = join(dir, 'cases-outbox');
  t.equal((await open(s, bundle, cases)).code, EXIT.ok);
  const stranger = await generateReviewerIdentity('Stranger');
  const outbox = join(dir, 'outbox.jsonl');
  await appendToOutbox(
    outbox,
    await createStatement(
      { kind: 'purge', caseId: 'good-one', replyPublicKey: s.replyKeyPair.publicKey },
      stranger,
      s.keyset,
    ),
  );
  const check = testIo();
  codes.set(
    'outbox signer',
    await run(['review', 'check-outbox', '--cases', cases, '--outbox', outbox], check),
  );
  t.match(check.errors.join(''), /not in the keyset/);
  // ...and Eve cannot write one either.
  const eveWrites = testIo();
  const eveCode = await run(
    ['review', 'purge', 'good-one', '--key', join(dir, 'eve.key'), '--cases', cases],
    eveWrites,
  );
  t.equal(eveCode, EXIT.signerNotInKeyset);

  codes.set('usage', await run(['review', 'open', '--cases', cases], testIo()));
  // The outcomes of the damaged and truncated bundles above, as `review open` gave them.
  for (const name of ['tampered', 'truncated']) codes.set(name, observed.get(name) ?? -1);
  t.same(Object.fromEntries(codes), {
    'wrong key': EXIT.wrongKey,
    'other keyset': EXIT.otherKeyset,
    'wrong passphrase': EXIT.wrongPassphrase,
    'outbox signer': EXIT.signerNotInKeyset,
    usage: EXIT.usage,
    tampered: EXIT.tampered,
    truncated: EXIT.truncated,
  });
  t.equal(new Set(codes.values()).size, codes.size, 'every failure has its own exit code');
});

t.test('a case folder is never mixed with other files, and cases must exist', async (t) => {
  const busy = join(dir, 'busy');
  await import('node:fs/promises').then((fs) => fs.mkdir(busy));
  await writeFile(join(busy, 'notes.txt'), 'mine');
  const io = testIo();
  await t.rejects(reviewOpen({ bundle: join(dir, 'plain.sbx'), key: s.anaKey, cases: busy }, io), {
    code: 'CASES_FOLDER_INVALID',
  });
  t.equal(await readFile(join(busy, 'notes.txt'), 'utf8'), 'mine');
  const missing = testIo();
  t.equal(
    await run(
      [
        'review',
        'status',
        'no-such-case',
        'closed',
        '--key',
        s.anaKey,
        '--cases',
        join(dir, 'cases-outbox'),
      ],
      missing,
    ),
    EXIT.inputInvalid,
  );
  t.match(missing.errors.join(''), /no case no-such-case/);
  const badStatus = testIo();
  t.equal(
    await run(
      [
        'review',
        'status',
        'good-one',
        'done',
        '--key',
        s.anaKey,
        '--cases',
        join(dir, 'cases-outbox'),
      ],
      badStatus,
    ),
    EXIT.usage,
  );
  t.equal(
    await run(
      ['review', 'open', 'nope.sbx', '--key', s.anaKey, '--cases', join(dir, 'x')],
      testIo(),
    ),
    EXIT.inputInvalid,
  );
});
