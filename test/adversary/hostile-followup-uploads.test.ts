// A hostile submitter and the files of follow-ups. The server: a follow-up may
// claim only finished uploads that no case or follow-up holds yet, all of them
// or none (someone else's upload, an unfinished one, an unknown id, too many,
// ids that are paths), and every refusal leaves the uploads as they were and
// spends the proof of work. The reviewer's machine: a follow-up's file names
// are the submitter's, and `review open` writes its files inside the
// follow-up's own folder under names that open nothing.
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import {
  type ReceiptKeys,
  type SealedDocument,
  deriveReceiptKeys,
  encryptAttachment,
  generateReceipt,
  sealDocument,
  toBase64Url,
} from '../../client-crypto/index.ts';
import { MAX_ATTACHMENTS } from '../../client-crypto/document.ts';
import type { Db } from '../../server/db/database.ts';
import { purgeCase, submissionByLookupHash } from '../../server/db/submissions.ts';
import { reviewOpen } from '../../reviewer/commands/review-open.ts';
import { build, sampleDocument, seedKeyset, solvedChallenge } from '../helper.ts';
import type { TestKeyset } from '../helper.ts';
import { makeSetup, tempDir, testIo, writeBundle } from '../reviewer/fixtures.ts';

type ErrorJson = { error: { code: string } };
const PART = 64 * 1024;

/** An upload of `size` random-looking ciphertext bytes, finished unless told otherwise. */
async function upload(app: FastifyInstance, options: { finish?: boolean } = {}) {
  const plain = new Uint8Array(1000).map((_, i) => i % 251);
  const encrypted = await encryptAttachment([plain], plain.length);
  const chunks: Uint8Array[] = [];
  for await (const chunk of encrypted.chunks) chunks.push(chunk.slice());
  const bytes = Buffer.concat(chunks);
  const created = await app.inject({
    method: 'POST',
    url: '/v1/uploads',
    payload: { challenge: await solvedChallenge(app), size: bytes.length, partSize: PART },
  });
  if (created.statusCode !== 201) throw new Error(created.body);
  const { uploadId } = created.json<{ uploadId: string }>();
  const put = await app.inject({
    method: 'PUT',
    url: `/v1/uploads/${uploadId}/parts/0`,
    headers: { 'content-type': 'application/octet-stream' },
    payload: bytes,
  });
  if (put.statusCode !== 204) throw new Error(put.body);
  const finish = async () => {
    const done = await app.inject({
      method: 'POST',
      url: `/v1/uploads/${uploadId}/finish`,
      payload: {
        digest: toBase64Url(encrypted.digest()),
        digestAlgorithm: encrypted.digestAlgorithm,
      },
    });
    if (done.statusCode !== 200) throw new Error(done.body);
  };
  if (options.finish !== false) await finish();
  return { uploadId, finish };
}

interface Case {
  keys: ReceiptKeys;
  lookupToken: string;
}

async function fileCase(app: FastifyInstance, trust: TestKeyset, uploads: string[] = []) {
  const keys = await deriveReceiptKeys(await generateReceipt());
  const lookupToken = toBase64Url(keys.lookupToken);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/submissions',
    payload: {
      challenge: await solvedChallenge(app),
      lookupToken,
      envelope: toBase64Url(
        await sealDocument(sampleDocument('submission', keys), trust.sealing, keys.authorKeyPair),
      ),
      uploads,
    },
  });
  if (res.statusCode !== 201) throw new Error(res.body);
  return { keys, lookupToken };
}

async function followup(
  app: FastifyInstance,
  trust: TestKeyset,
  filed: Case,
  uploads: unknown,
  challenge?: unknown,
) {
  return app.inject({
    method: 'POST',
    url: '/v1/followups',
    payload: {
      challenge: challenge ?? (await solvedChallenge(app)),
      lookupToken: filed.lookupToken,
      envelope: toBase64Url(
        await sealDocument(
          sampleDocument('followup', filed.keys),
          trust.sealing,
          filed.keys.authorKeyPair,
        ),
      ),
      uploads,
    },
  });
}

/** Who holds each upload: `case N`, `follow-up N` or `nobody`. */
async function holders(db: Db, ids: string[]): Promise<string[]> {
  const rows = await db
    .selectFrom('uploads')
    .select(['id', 'submission_seq', 'followup_seq'])
    .where('id', 'in', ids)
    .execute();
  return ids.map((id) => {
    const row = rows.find((r) => r.id === id);
    if (!row) return 'gone';
    if (row.submission_seq !== null) return `case ${Number(row.submission_seq)}`;
    if (row.followup_seq !== null) return `follow-up ${Number(row.followup_seq)}`;
    return 'nobody';
  });
}

const followupCount = async (db: Db) =>
  Number(
    (
      await db
        .selectFrom('followups')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

void t.test('a follow-up cannot take what is not its own', async (t) => {
  const { app, db } = await build(t);
  const trust = await seedKeyset(db);
  // The victim: a case with a file, and a follow-up with another.
  const victimFile = await upload(app);
  const victim = await fileCase(app, trust, [victimFile.uploadId]);
  const victimLater = await upload(app);
  t.equal((await followup(app, trust, victim, [victimLater.uploadId])).statusCode, 201);
  const before = await holders(db, [victimFile.uploadId, victimLater.uploadId]);
  t.match(before, [/^case \d+$/, /^follow-up \d+$/]);

  // The attacker has a case of its own, and one finished upload.
  const attacker = await fileCase(app, trust);
  const own = await upload(app);
  const unfinished = await upload(app, { finish: false });
  const count = await followupCount(db);

  const refusals: [string, string[]][] = [
    ["someone else's upload, part of their case", [victimFile.uploadId]],
    ["someone else's upload, part of their follow-up", [victimLater.uploadId]],
    ['an unfinished upload', [unfinished.uploadId]],
    ['an upload that does not exist', ['A'.repeat(22)]],
    ["its own upload with someone else's", [own.uploadId, victimFile.uploadId]],
    ['its own upload with an unfinished one', [own.uploadId, unfinished.uploadId]],
  ];
  for (const [name, uploads] of refusals) {
    const res = await followup(app, trust, attacker, uploads);
    t.equal(res.statusCode, 409, `${name}: ${res.body}`);
    t.equal(res.json<ErrorJson>().error.code, 'UPLOAD_NOT_CLAIMABLE', name);
  }
  t.equal(await followupCount(db), count, 'no follow-up was stored');
  t.same(
    await holders(db, [victimFile.uploadId, victimLater.uploadId]),
    before,
    "the victim's files stay theirs",
  );
  t.same(
    await holders(db, [own.uploadId, unfinished.uploadId]),
    ['nobody', 'nobody'],
    'all or nothing: not even its own upload was claimed',
  );

  // A refused follow-up spent its proof: it buys no second try.
  const challenge = await solvedChallenge(app);
  const first = await followup(app, trust, attacker, [victimFile.uploadId], challenge);
  t.equal(first.statusCode, 409);
  const again = await followup(app, trust, attacker, [own.uploadId], challenge);
  t.equal(again.json<ErrorJson>().error.code, 'CHALLENGE_SPENT');

  // The unfinished upload is still its maker's: finished, a follow-up takes it.
  await unfinished.finish();
  const taken = await followup(app, trust, attacker, [own.uploadId, unfinished.uploadId]);
  t.equal(taken.statusCode, 201, taken.body);
  t.match(await holders(db, [own.uploadId, unfinished.uploadId]), [
    /^follow-up \d+$/,
    /^follow-up \d+$/,
  ]);
  // And once taken, not again, not even by the same person.
  const twice = await followup(app, trust, attacker, [own.uploadId]);
  t.equal(twice.json<ErrorJson>().error.code, 'UPLOAD_NOT_CLAIMABLE');
});

void t.test('the same upload listed twice is claimed once', async (t) => {
  const { app, db } = await build(t);
  const trust = await seedKeyset(db);
  const filed = await fileCase(app, trust);
  const file = await upload(app);
  const res = await followup(app, trust, filed, [file.uploadId, file.uploadId]);
  t.equal(res.statusCode, 201, res.body);
  t.match(await holders(db, [file.uploadId]), [/^follow-up \d+$/]);
});

void t.test('counts and ids the schema refuses, before any work', async (t) => {
  const { app, db } = await build(t);
  const trust = await seedKeyset(db);
  const filed = await fileCase(app, trust);
  const id = () => toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
  const cases: [string, unknown][] = [
    ['one more than a document may list', Array.from({ length: MAX_ATTACHMENTS + 1 }, id)],
    ['a hundred thousand', Array.from({ length: 100_000 }, () => 'A'.repeat(22))],
    ['a path', ['../../../etc/passwd']],
    ['a path the length of an id', ['..%2F..%2F..%2Fetc%2Fpass']],
    ['a slash', ['AAAAAAAAAA/AAAAAAAAAAA']],
    ['a backslash', ['AAAAAAAAAA\\AAAAAAAAAAA']],
    ['a control character', ['AAAAAAAAAA\u0000AAAAAAAAAAA']],
    ['a right-to-left override', ['AAAAAAAAAA\u202eAAAAAAAAAA']],
    ['too short', ['A'.repeat(21)]],
    ['not a list', 'A'.repeat(22)],
    ['not strings', [42]],
  ];
  const count = await followupCount(db);
  for (const [name, uploads] of cases) {
    const res = await followup(app, trust, filed, uploads);
    t.ok(res.statusCode >= 400 && res.statusCode < 500, `${name}: ${res.statusCode}`);
    t.equal(res.json<ErrorJson>().error.code, 'VALIDATION_FAILED', name);
  }
  t.equal(await followupCount(db), count, 'nothing stored');
});

void t.test('a closed case or a wrong receipt takes no file', async (t) => {
  const { app, db } = await build(t);
  const trust = await seedKeyset(db);
  const filed = await fileCase(app, trust);
  const file = await upload(app);
  const stranger = {
    keys: filed.keys,
    lookupToken: toBase64Url(crypto.getRandomValues(new Uint8Array(32))),
  };
  const unknown = await followup(app, trust, stranger, [file.uploadId]);
  t.equal(unknown.json<ErrorJson>().error.code, 'CASE_NOT_FOUND');
  const hash = await app.sealbox.lookupHash(Buffer.from(filed.lookupToken, 'base64url'));
  const submission = (await submissionByLookupHash(db, hash))!;
  await purgeCase(db, submission.seq, '2026-11-20');
  const closed = await followup(app, trust, filed, [file.uploadId]);
  t.equal(closed.json<ErrorJson>().error.code, 'CASE_CLOSED');
  t.same(await holders(db, [file.uploadId]), ['nobody'], 'the upload is left to expire');
});

void t.test("review open keeps a follow-up's hostile file names in its folder", async (t) => {
  const dir = await tempDir(t);
  const s = await makeSetup(dir);
  const names = [
    '../../../../outside.sh',
    '..\\..\\outside.bat',
    '/etc/passwd',
    'C:\\Windows\\evil.exe',
    'report\u0000.pdf',
    'line\nbreak\u0007\u001b[2J.txt',
    'photo\u202egpj.exe',
    '\u2067summons\u2069.pdf',
    '..',
    '',
    'CON',
    '.htaccess',
  ];
  const bundle = join(dir, 'hostile.sealbox');
  await writeBundle(
    bundle,
    [
      { kind: 'submission', id: 'case-1', seq: 1 },
      {
        kind: 'followup',
        id: 'fu-1',
        caseId: 'case-1',
        seq: 2,
        message: 'the photos you asked for',
        files: names.map((name, i) => ({ name, bytes: new TextEncoder().encode(`file ${i}`) })),
      },
    ],
    s.sealing,
    s,
  );
  const cases = join(dir, 'cases');
  const opened = await reviewOpen(
    { bundle, key: s.anaKey, cases, keyset: s.keysetFile, organisation: s.orgFingerprint },
    testIo(),
  );
  t.same([opened.failed, opened.setAside, opened.waiting], [[], [], []]);
  t.equal(opened.opened.length, 2);
  const record = JSON.parse(await readFile(join(cases, 'case-1', 'case.json'), 'utf8')) as {
    items: { kind: string; folder: string; attachments: { file: string }[] }[];
  };
  const item = record.items.find((i) => i.kind === 'followup')!;
  const folder = join(cases, 'case-1', item.folder, 'attachments');
  const written = await readdir(folder);
  t.equal(written.length, names.length, 'every file was written, none lost or merged');
  t.same(item.attachments.map((a) => a.file).sort(), [...written].sort());
  const contents = new Set<string>();
  for (const name of written) {
    t.notMatch(name, /[/\\\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/, 'an inert name');
    t.notMatch(name, /^\.|^(con|prn|aux|nul)(\..*)?$/i, 'not hidden, not a device');
    t.notMatch(name, /\.(exe|bat|sh)$/i, 'opens nothing');
    t.ok((await lstat(join(folder, name))).isFile());
    contents.add(await readFile(join(folder, name), 'utf8'));
  }
  t.equal(contents.size, names.length, 'each file holds its own bytes');
  // Nothing landed outside the case folder: the folder above the cases holds
  // only what the test and the tool put there.
  const top = (await readdir(dir)).filter((n) => !/\.(key|json|jsonl|sealbox)$/.test(n));
  t.same(top.sort(), ['ana-cases', 'ben-cases', 'cases'].sort());
  t.notOk(
    (await readdir(cases)).some((n) => /outside|passwd|evil/.test(n)),
    'nothing beside the cases',
  );
  t.equal(relative(cases, folder).split('/')[0], 'case-1');
});

void t.test('a follow-up whose files and manifest disagree harms only itself', async (t) => {
  const dir = await tempDir(t);
  const s = await makeSetup(dir);
  const followupDocument = (attachments: SealedDocument['attachments'], message: string) =>
    sealDocument(
      { ...sampleDocument('followup', s), message, attachments },
      s.sealing,
      s.authorKeyPair,
    );
  const encrypted = await encryptAttachment([new TextEncoder().encode('not sent')], 8);
  for await (const chunk of encrypted.chunks) void chunk;
  const bundle = join(dir, 'mixed.sealbox');
  await writeBundle(
    bundle,
    [
      {
        kind: 'submission',
        id: 'case-1',
        seq: 1,
        files: [{ name: 'theirs.txt', bytes: new TextEncoder().encode('the case file') }],
      },
      // Names the case's own upload, which the server never gave it, and a
      // file that never arrived: the bundle carries neither for it.
      {
        kind: 'followup',
        id: 'fu-claims',
        caseId: 'case-1',
        seq: 2,
        envelope: await followupDocument(
          [
            {
              uploadId: 'case-1-u0',
              name: 'stolen.txt',
              type: 'text/plain',
              size: 13,
              key: toBase64Url(encrypted.key),
              digest: toBase64Url(encrypted.digest()),
              digestAlgorithm: encrypted.digestAlgorithm,
            },
          ],
          'CANARY-CLAIMS',
        ),
      },
      // Carries a file its document does not list: the file is not written.
      {
        kind: 'followup',
        id: 'fu-extra',
        caseId: 'case-1',
        seq: 3,
        files: [{ name: 'unlisted.txt', bytes: new TextEncoder().encode('unlisted') }],
        envelope: await followupDocument([], 'CANARY-EXTRA'),
      },
    ],
    s.sealing,
    s,
  );
  const cases = join(dir, 'cases');
  const opened = await reviewOpen(
    { bundle, key: s.anaKey, cases, keyset: s.keysetFile, organisation: s.orgFingerprint },
    testIo(),
  );
  t.same(opened.opened.sort(), ['case-1', 'fu-extra'], 'the case and the other follow-up open');
  t.same(
    opened.failed.map((f) => [f.id, f.code]),
    [['fu-claims', 'BUNDLE_TAMPERED']],
    'the follow-up that names a file it was not given is refused, alone',
  );
  const record = JSON.parse(await readFile(join(cases, 'case-1', 'case.json'), 'utf8')) as {
    items: { itemId: string; folder: string; attachments: { file: string }[] }[];
  };
  const extra = record.items.find((i) => i.itemId === 'fu-extra')!;
  t.same(extra.attachments, [], 'no file it did not list');
  t.equal(
    await readFile(join(cases, 'case-1', extra.folder, 'message.txt'), 'utf8'),
    'CANARY-EXTRA',
  );
  const submission = record.items.find((i) => i.itemId === 'case-1')!;
  t.same(
    await readdir(join(cases, 'case-1', submission.folder, 'attachments')),
    ['theirs.txt'],
    "the case's own file stays where it is",
  );
  t.equal(record.items.length, 2);
});
