// The privacy audit: a whole case over real HTTP (submission with answers, a
// message and two files, a follow-up, the courier pull, the offline review,
// a reply and a status pushed back, the submitter's status check), with
// canary strings in everything a submitter types or sends and a recognisable
// address and user agent on every request. Afterwards every byte the database
// keeps and every log line the server wrote is searched: zero occurrences.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import t from 'tap';
import { readStatementAsSubmitter } from '../../client-crypto/index.ts';
import type { SignedStatement } from '../../client-crypto/index.ts';
import { reviewOpen } from '../../reviewer/commands/review-open.ts';
import { reviewStatement } from '../../reviewer/commands/review-statement.ts';
import { courierPush } from '../../reviewer/courier/commands.ts';
import { courierPull } from '../../reviewer/courier/pull.ts';
import { build } from '../helper.ts';
import { occurrences } from './canaries.ts';
import { auditDatabase } from './database.ts';
import { makeOrganisation, publishOrganisation } from './organisation.ts';
import { Submitter, sendFollowup, submitCase } from './submitter.ts';

const CANARY = {
  message: 'canary-message-Vq8ZtR3wK1-the-police-came-at-night',
  answer: 'canary-answer-Hn4PxY7cL2-Ministry-of-Interior',
  fileName: 'canary-filename-Jm5KsB9dQ6-testimony.pdf',
  fileContent: 'canary-content-Ws2GhN8fT3-names-of-witnesses',
  followup: 'canary-followup-Pe6RuC1vZ9-they-came-back',
  reply: 'canary-reply-Bk3YmA7xE5-we-have-your-file',
};
const ADDRESS = '198.51.100.173';
const USER_AGENT = 'AuditBrowser/7.3 (canary-agent-Zt9LqW4)';

t.test('nothing a submitter typed, sent or is reaches storage or logs', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-privacy-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const database = await auditDatabase(t);
  const org = await makeOrganisation(dir);
  await publishOrganisation(database.db, org);
  const { app, log } = await build(t, {
    db: database.db,
    captureLog: true,
    env: { SEALBOX_ORG_FINGERPRINT: org.fingerprint, SEALBOX_TRUST_PROXY: 'true' },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const server = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const client = new Submitter(server, { 'x-forwarded-for': ADDRESS, 'user-agent': USER_AGENT });

  const evidence = Buffer.from(`${CANARY.fileContent}\n`.repeat(3000)); // > one 64 KiB part
  const filed = await submitCase(client, org.keyset, {
    answers: { country: 'AT', authority: CANARY.answer, what: ['threats', 'surveillance'] },
    message: CANARY.message,
    files: [
      { name: CANARY.fileName, type: 'application/pdf', bytes: new Uint8Array(evidence) },
      {
        name: 'photo.jpg',
        type: 'image/jpeg',
        bytes: new Uint8Array(Buffer.from(CANARY.fileContent)),
      },
    ],
  });
  await sendFollowup(client, org.keyset, filed, CANARY.followup);

  // The reviewers' side: courier pull → offline open → reply and status → courier push.
  const io = org.io;
  const courier = { server, key: join(dir, 'courier.key') };
  const pulled = await courierPull({ ...courier, out: join(dir, 'bundle.sbx') }, io);
  t.equal(pulled.items, 2, 'the submission and the follow-up were exported');
  const cases = join(dir, 'cases');
  const opened = await reviewOpen(
    {
      bundle: join(dir, 'bundle.sbx'),
      key: org.reviewerKey,
      cases,
      keyset: org.keysetFile,
      organisation: org.fingerprint,
    },
    io,
  );
  t.same(opened.failed, [], 'every item opened');
  t.equal(opened.opened.length, 2);
  const caseId = opened.cases[0]!;

  // What the reviewer reads is exactly what the submitter sent, byte for byte.
  const written = (await readdir(cases, { recursive: true })).map((f) => join(cases, f));
  const named = (name: string) => written.filter((f) => f.endsWith(`/attachments/${name}`));
  t.equal(named(CANARY.fileName).length, 1, 'the first file is in the case folder');
  t.ok(evidence.equals(await readFile(named(CANARY.fileName)[0]!)), 'first file, byte for byte');
  t.equal(named('photo.jpg').length, 1, 'the second file is in the case folder');
  t.equal(await readFile(named('photo.jpg')[0]!, 'utf8'), CANARY.fileContent, 'second file');
  const messages = await Promise.all(
    written.filter((f) => f.endsWith('/message.txt')).map((f) => readFile(f, 'utf8')),
  );
  t.same(messages.sort(), [CANARY.followup, CANARY.message].sort(), 'message and follow-up');
  const reviewer = { key: org.reviewerKey, cases, caseId };
  await reviewStatement({ ...reviewer, kind: 'status', status: 'in_review' }, io);
  await reviewStatement({ ...reviewer, kind: 'reply', text: CANARY.reply }, io);
  const pushed = await courierPush({ ...courier, outbox: join(cases, 'outbox.jsonl') }, io);
  t.equal(pushed.applied, 2);

  const status = await client.json<{
    caseId: string;
    status: string;
    received: string;
    statusDate: string;
    statements: SignedStatement[];
  }>('POST', '/v1/status', { lookupToken: filed.lookupToken });
  t.equal(status.caseId, caseId);
  t.equal(status.status, 'in_review');
  t.match(status.received, /^\d{4}-\d{2}-\d{2}$/);
  const read = await Promise.all(
    status.statements.map((s) =>
      readStatementAsSubmitter(s, org.keyset, filed.replyKeyPair, caseId),
    ),
  );
  t.same(
    read.map((r) => r.text ?? r.status),
    ['in_review', CANARY.reply],
    'the submitter reads the status and the reply',
  );

  t.test('no cookie is ever set', async (t) => {
    t.ok(client.exchanges.length > 10);
    for (const e of client.exchanges) {
      t.equal(e.headers.get('set-cookie'), null, `${e.method} ${e.path}`);
    }
  });

  const columns = await sql<{ table_name: string; column_name: string; data_type: string }>`
    select table_name, column_name, data_type from information_schema.columns
    where table_schema = 'public'`.execute(database.db);

  t.test('no time finer than a day is stored', async (t) => {
    const tables = new Set(columns.rows.map((c) => c.table_name));
    t.ok(tables.has('submissions') && tables.has('uploads'), 'the schema was read');
    const timed = columns.rows.filter((c) => /time|interval/i.test(c.data_type));
    t.same(timed, [], 'no timestamp, time or interval column');
    const dates = columns.rows.filter((c) => c.data_type === 'date').map((c) => c.table_name);
    t.ok(dates.includes('submissions') && dates.includes('followups'), 'dates are dates');
  });

  await app.close();
  await database.close();
  const stored = await database.contents();
  const logged = [Buffer.from(log.join(''))];

  t.test('the search can find what is there', async (t) => {
    t.ok(occurrences(stored, caseId) > 0, 'the case id is stored and found');
    t.ok(
      occurrences(
        [Buffer.from(`x${USER_AGENT}y`, 'utf8').toString('base64')].map((s) => Buffer.from(s)),
        USER_AGENT,
      ) > 0,
      'base64 forms are found',
    );
  });

  t.test('storage holds none of it', async (t) => {
    for (const [what, needle] of [
      ...Object.entries(CANARY),
      ['address', ADDRESS],
      ['user agent', USER_AGENT],
    ]) {
      t.equal(occurrences(stored, needle!), 0, `${what} is not in the database`);
    }
  });

  t.test('the log holds none of it', async (t) => {
    for (const [what, needle] of [
      ...Object.entries(CANARY),
      ['address', ADDRESS],
      ['user agent', USER_AGENT],
    ]) {
      t.equal(occurrences(logged, needle!), 0, `${what} is not in the log`);
    }
    t.equal(occurrences(logged, filed.lookupToken), 0, 'the lookup token is not in the log');
    t.equal(occurrences(stored, filed.lookupToken), 0, 'the lookup token is not stored');
    t.equal(occurrences(stored, filed.receipt), 0, 'the receipt is not stored');
  });
});
