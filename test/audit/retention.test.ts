// Retention and purges really forget: after a purge statement or the
// retention period for an exported, closed case, the ciphertext, follow-ups,
// uploads and every upload part are gone from the database; cases not yet
// exported, not closed or closed recently stay whole.
import { sql } from 'kysely';
import t from 'tap';
import { createStatement, deriveReceiptKeys, generateReceipt } from '../../client-crypto/index.ts';
import { call } from '../../reviewer/courier/http.ts';
import type { Db } from '../../server/db/database.ts';
import { addDays, today } from '../../server/db/dates.ts';
import { applyRetention } from '../../server/db/retention.ts';
import { setCaseStatus } from '../../server/db/submissions.ts';
import {
  addFollowup,
  addSubmission,
  courierServer,
  randomFile,
} from '../server/courier-fixtures.ts';

async function remains(db: Db, seq: number) {
  const { rows } = await sql<Record<string, number | string | null>>`
    select (select count(*) from submissions where seq = ${seq} and envelope is not null) as envelope,
           (select count(*) from followups where submission_seq = ${seq}) as followups,
           (select count(*) from uploads u left join followups f on f.seq = u.followup_seq
             where u.submission_seq = ${seq} or f.submission_seq = ${seq}) as uploads,
           (select count(*) from upload_parts p join uploads u on u.id = p.upload_id
             left join followups f on f.seq = u.followup_seq
             where u.submission_seq = ${seq} or f.submission_seq = ${seq}) as parts
  `.execute(db);
  return Object.fromEntries(Object.entries(rows[0]!).map(([k, v]) => [k, Number(v)]));
}

async function caseWithFiles(db: Db, version: number) {
  const s = await addSubmission(db, version, [randomFile(150_000), randomFile(10)]);
  await addFollowup(db, s.seq, [randomFile(70_000)]);
  return s;
}

const GONE = { envelope: 0, followups: 0, uploads: 0, parts: 0 };
const WHOLE = { envelope: 1, followups: 1, uploads: 3, parts: 6 };

t.test('a purge statement deletes the ciphertext and every attachment part', async (t) => {
  const { db, client, keyset, reviewer } = await courierServer(t);
  const doomed = await caseWithFiles(db, keyset.version);
  const kept = await caseWithFiles(db, keyset.version);
  t.same(await remains(db, doomed.seq), WHOLE);
  const purge = await createStatement(
    { kind: 'purge', caseId: doomed.caseId, replyPublicKey: await someReplyKey() },
    reviewer,
    keyset,
  );
  await call(client, 'POST', '/v1/courier/outbox', { statements: [purge] });
  t.same(await remains(db, doomed.seq), GONE, 'purged case keeps nothing');
  t.same(await remains(db, kept.seq), WHOLE, 'the other case is untouched');
  const row = await db
    .selectFrom('submissions')
    .selectAll()
    .where('seq', '=', doomed.seq)
    .executeTakeFirstOrThrow();
  t.equal(row.status, 'closed');
});

t.test('retention expires exported cases closed long enough ago, and nothing else', async (t) => {
  const { db, client, keyset } = await courierServer(t);
  const now = today();
  const old = addDays(now, -40);
  const expired = await caseWithFiles(db, keyset.version);
  const closedRecently = await caseWithFiles(db, keyset.version);
  const open = await caseWithFiles(db, keyset.version);
  await setCaseStatus(db, expired.seq, 'closed', old);
  await setCaseStatus(db, closedRecently.seq, 'closed', addDays(now, -3));
  await setCaseStatus(db, open.seq, 'in_review', old);
  // Only what a courier acknowledged counts as safely with the reviewers.
  await call(client, 'POST', '/v1/courier/ack', { cursor: open.seq + 1 });
  const notExported = await caseWithFiles(db, keyset.version);
  await setCaseStatus(db, notExported.seq, 'closed', old);
  await db
    .insertInto('uploads')
    .values({ id: 'u'.repeat(22), size: 5, part_size: 65_536, part_count: 1, created: old })
    .execute();
  await db
    .insertInto('spent_challenges')
    .values({ digest: new Uint8Array(32), expires_on: addDays(now, -1) })
    .execute();

  const report = await applyRetention(db, { retentionDays: 30, today: now });
  t.same(report, {
    casesExpired: 1,
    uploadsForgotten: 1,
    challengesForgotten: 1,
    replaysForgotten: 0,
  });
  t.same(await remains(db, expired.seq), GONE, 'expired case keeps nothing');
  t.same(await remains(db, closedRecently.seq), WHOLE, 'recently closed case kept');
  t.same(await remains(db, open.seq), WHOLE, 'open case kept');
  t.same(await remains(db, notExported.seq), WHOLE, 'case no courier acknowledged kept');
  const again = await applyRetention(db, { retentionDays: 30, today: now });
  t.same(
    again,
    { casesExpired: 0, uploadsForgotten: 0, challengesForgotten: 0, replaysForgotten: 0 },
    'idempotent',
  );
});

async function someReplyKey(): Promise<Uint8Array> {
  return (await deriveReceiptKeys(await generateReceipt())).replyKeyPair.publicKey;
}
