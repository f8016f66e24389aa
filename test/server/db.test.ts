import t from 'tap';
import {
  insertSubmission,
  listFollowupsAfter,
  listSubmissionsAfter,
  testDatabase,
} from '../helper.ts';
import { spendChallenge, forgetExpiredChallenges } from '../../server/db/challenges.ts';
import { latestKeyset, storeKeyset } from '../../server/db/keysets.ts';
import { findCase, purgeCase } from '../../server/db/submissions.ts';
import { insertStatement } from '../../server/db/statements.ts';
import {
  claimUploads,
  createUpload,
  getUpload,
  markFinished,
  partSizes,
  putPart,
  readUpload,
  uploadsOf,
} from '../../server/db/uploads.ts';
import { ackExport, ackedSeq } from '../../server/db/acks.ts';
import { insertFollowup } from '../../server/db/followups.ts';
import { withSettledExportOrder, holdExportOrder } from '../../server/db/export-order.ts';
import { runMaintenance } from '../../server/maintenance.ts';

t.test('the data layer on one database', async (t) => {
  const db = await testDatabase(t);

  t.equal(await latestKeyset(db), undefined);
  t.equal(await storeKeyset(db, 2, '{"v":2}'), true);
  t.equal(await storeKeyset(db, 2, '{"v":2}'), false, 'same version refused');
  t.equal(await storeKeyset(db, 1, '{"v":1}'), false, 'older version refused');
  const ks = await latestKeyset(db);
  t.equal(ks?.version, 2);
  t.match(ks?.storedOn, /^\d{4}-\d{2}-\d{2}$/, 'a date, not a time');

  const digest = new Uint8Array(32).fill(7);
  t.equal(await spendChallenge(db, digest, '2000-01-01'), true);
  t.equal(await spendChallenge(db, digest, '2000-01-01'), false, 'spent twice');
  t.equal(await forgetExpiredChallenges(db), 1);

  const hash = new Uint8Array(32).fill(1);
  const seq = await insertSubmission(db, {
    caseId: 'case-1',
    lookupHash: hash,
    keysetVersion: 2,
    envelope: new Uint8Array([1, 2, 3]),
    received: '2026-11-21',
  });
  t.type(seq, 'number', 'int8 comes back as a number');
  t.equal(
    await insertSubmission(db, {
      caseId: 'case-2',
      lookupHash: hash,
      keysetVersion: 2,
      envelope: new Uint8Array([1]),
      received: '2026-11-21',
    }),
    undefined,
    'a duplicate lookup hash is refused',
  );

  const view = await findCase(db, hash);
  t.same(view?.statements, []);
  t.equal(view?.received, '2026-11-21');
  t.equal(await findCase(db, new Uint8Array(32)), undefined);

  t.equal(
    await insertStatement(db, {
      id: 's1',
      submissionSeq: seq!,
      kind: 'status',
      signed: '{"a":1}',
      statedOn: '2026-11-22',
    }),
    true,
  );
  t.equal(
    await insertStatement(db, {
      id: 's1',
      submissionSeq: seq!,
      kind: 'status',
      signed: '{"a":1}',
      statedOn: '2026-11-22',
    }),
    false,
    'statements are idempotent',
  );
  t.same((await findCase(db, hash))?.statements, ['{"a":1}']);

  await createUpload(db, { id: 'u1', size: 5, partSize: 3, partCount: 2, created: '2026-11-21' });
  await putPart(db, 'u1', 0, new Uint8Array([9, 9, 9]));
  await putPart(db, 'u1', 0, new Uint8Array([1, 2, 3]));
  await putPart(db, 'u1', 1, new Uint8Array([4, 5]));
  t.same(await partSizes(db, 'u1'), [
    { part: 0, size: 3 },
    { part: 1, size: 2 },
  ]);
  t.equal(await claimUploads(db, ['u1'], { submissionSeq: seq! }), 0, 'unfinished: not claimable');
  t.equal(await markFinished(db, 'u1', new Uint8Array(32), '2026-11-21'), true);
  t.equal(await markFinished(db, 'u1', new Uint8Array(32), '2026-11-21'), false);
  t.equal(await claimUploads(db, ['u1'], { submissionSeq: seq! }), 1);
  t.equal(await claimUploads(db, ['u1'], { submissionSeq: seq! }), 0, 'claimed once only');
  const [upload] = await uploadsOf(db, { submissionSeq: seq! });
  const chunks: number[] = [];
  for await (const c of readUpload(db, upload!)) {
    t.ok(c instanceof Uint8Array && !Buffer.isBuffer(c), 'bytea is a plain Uint8Array');
    chunks.push(...c);
  }
  t.same(chunks, [1, 2, 3, 4, 5]);

  const fseq = await db.transaction().execute(async (trx) => {
    await holdExportOrder(trx);
    return insertFollowup(trx, {
      id: 'f1',
      submissionSeq: seq!,
      envelope: new Uint8Array([8]),
      received: '2026-11-21',
    });
  });
  t.ok(fseq > seq!, 'one export order for submissions and follow-ups');
  const listed = await withSettledExportOrder(db, async (trx) => ({
    s: await listSubmissionsAfter(trx, 0, 10),
    f: await listFollowupsAfter(trx, seq!, 10),
  }));
  t.equal(listed.s.length, 1);
  t.equal(listed.f[0]?.case_id, 'case-1');

  t.equal(await ackedSeq(db, 'c'), 0);
  await ackExport(db, 'c', 5, '2026-11-21');
  await ackExport(db, 'c', 3, '2026-11-21');
  t.equal(await ackedSeq(db, 'c'), 5, 'acks never move back');

  await purgeCase(db, seq!, '2026-11-23');
  const purged = await findCase(db, hash);
  t.equal(purged?.status, 'closed');
  t.same(await uploadsOf(db, { submissionSeq: seq! }), []);
  t.same(await listSubmissionsAfter(db, 0, 10), [], 'purged cases are not exported');
});

t.test('maintenance forgets what can no longer matter', async (t) => {
  const db = await testDatabase(t);
  await spendChallenge(db, new Uint8Array(32).fill(1), '2026-01-01');
  await spendChallenge(db, new Uint8Array(32).fill(2), '2026-12-31');
  await createUpload(db, { id: 'old', size: 1, partSize: 1, partCount: 1, created: '2026-01-01' });
  await createUpload(db, { id: 'new', size: 1, partSize: 1, partCount: 1, created: '2026-06-25' });
  const done = await runMaintenance(db, { retentionDays: 7 }, new Date('2026-06-30T12:00:00Z'));
  t.match(done, { challengesForgotten: 1, uploadsForgotten: 1 });
  t.ok(await getUpload(db, 'new'));
  t.notOk(await getUpload(db, 'old'));
});
