// The courier API over real HTTP: export streams a bundle with every item and
// its attachment ciphertext, ack moves the cursor, the outbox is verified,
// atomic and idempotent (purges really delete), keysets only move forward.
import t from 'tap';
import {
  createStatement,
  deriveReceiptKeys,
  generateOrganisationKey,
  generateReceipt,
  generateReviewerIdentity,
  readBundle,
  reviewerCard,
  signKeyset,
  toBase64Url,
  type BundleItem,
  type Keyset,
} from '../../client-crypto/index.ts';
import { signJson } from '../../client-crypto/signed.ts';
import { STATEMENT_FORMAT, STATEMENT_SIGNATURE_LABEL } from '../../client-crypto/statement.ts';
import { call, send, signRequest } from '../../reviewer/courier/http.ts';
import type { CourierClient } from '../../reviewer/courier/http.ts';
import {
  addFollowup,
  addSubmission,
  courierServer,
  randomFile,
  refusal,
} from './courier-fixtures.ts';

type Item = BundleItem & { data?: Uint8Array };

async function exportItems(client: CourierClient, after?: number) {
  const path = `/v1/courier/export${after === undefined ? '' : `?after=${after}`}`;
  const response = await send(await signRequest(client, 'GET', path));
  const declared = {
    items: Number(response.headers.get('sealbox-export-items')),
    bytes: Number(response.headers.get('sealbox-export-bytes')),
  };
  const bytes = new Uint8Array(await response.arrayBuffer());
  const items: Item[] = [];
  for await (const item of readBundle([bytes])) {
    if (item.type !== 'attachment') {
      items.push(item);
      continue;
    }
    const parts: Uint8Array[] = [];
    for await (const chunk of item.body) parts.push(chunk.slice());
    items.push({ ...item, data: new Uint8Array(Buffer.concat(parts)) });
  }
  return { items, declared };
}

t.test('export and ack', async (t) => {
  const { db, client, keyset } = await courierServer(t);
  const big = randomFile(150_000); // three upload parts
  const small = randomFile(10);
  const first = await addSubmission(db, keyset.version, [big, small]);
  const second = await addSubmission(db, keyset.version);
  const followup = await addFollowup(db, first.seq, [randomFile(500)]);

  const { items, declared } = await exportItems(client);
  t.same(
    items.map((i) => i.type),
    [
      'start',
      'submission',
      'attachment',
      'attachment',
      'submission',
      'followup',
      'attachment',
      'end',
    ],
  );
  t.equal(declared.items, 3);
  t.equal(declared.bytes, 300 + 150_000 + 10 + 300 + 200 + 500);
  const [start, sub1, a1, a2, sub2, fu, a3, end] = items;
  t.match(start, { type: 'start', meta: { after: 0, keysetVersion: 1 } });
  t.match(sub1, {
    type: 'submission',
    meta: { id: first.caseId, seq: first.seq, received: '2026-01-02' },
  });
  t.same(sub1?.type === 'submission' && sub1.envelope, first.envelope);
  const byUpload = new Map(first.files.map((f) => [f.id, f.bytes]));
  for (const a of [a1, a2]) {
    t.same(
      a?.data,
      a?.type === 'attachment' ? byUpload.get(a.meta.uploadId) : undefined,
      'attachment bytes',
    );
  }
  t.match(sub2, { type: 'submission', meta: { id: second.caseId, uploads: [] } });
  t.match(fu, { type: 'followup', meta: { id: followup.id, submissionId: first.caseId } });
  t.same(fu?.type === 'followup' && fu.envelope, followup.envelope);
  t.match(a3, {
    type: 'attachment',
    meta: { followupId: followup.id, submissionId: first.caseId },
  });
  t.same(a3?.data, followup.files[0]!.bytes);
  t.match(end, { type: 'end', meta: { cursor: followup.seq, count: 6 } });

  // Repeatable from any cursor.
  const again = await exportItems(client, first.seq);
  t.same(
    again.items.map((i) => i.type),
    ['start', 'submission', 'followup', 'attachment', 'end'],
  );

  // Acknowledged items are not handed out again by default; explicit cursors still work.
  t.equal(
    await refusal(call(client, 'POST', '/v1/courier/ack', { cursor: followup.seq + 100 })),
    '409 ACK_BEYOND_EXPORT',
  );
  t.same(await call(client, 'POST', '/v1/courier/ack', { cursor: followup.seq }), {
    cursor: followup.seq,
  });
  t.same(
    await call(client, 'POST', '/v1/courier/ack', { cursor: 1 }),
    { cursor: followup.seq },
    'never backwards',
  );
  const after = await exportItems(client);
  t.same(
    after.items.map((i) => i.type),
    ['start', 'end'],
  );
  t.match(after.items[1], { meta: { cursor: followup.seq, count: 0 } });
  const third = await addSubmission(db, keyset.version);
  const next = await exportItems(client);
  t.same(
    next.items.map((i) => i.type),
    ['start', 'submission', 'end'],
  );
  t.match(next.items[1], { meta: { id: third.caseId } });

  t.equal(
    await refusal(call(client, 'POST', '/v1/courier/ack', { cursor: -1 })),
    '400 VALIDATION_FAILED',
  );
  const badQuery = await refusal(
    send(await signRequest(client, 'GET', '/v1/courier/export?after=x')),
  );
  t.equal(badQuery, '400 VALIDATION_FAILED');
});

async function statementsFor(
  keyset: Keyset,
  reviewer: Parameters<typeof createStatement>[1],
  caseId: string,
) {
  const keys = await deriveReceiptKeys(await generateReceipt());
  return {
    status: await createStatement(
      { kind: 'status', caseId, status: 'in_review', replyPublicKey: keys.replyKeyPair.publicKey },
      reviewer,
      keyset,
    ),
    reply: await createStatement(
      {
        kind: 'reply',
        caseId,
        text: 'We received your files.',
        replyPublicKey: keys.replyKeyPair.publicKey,
      },
      reviewer,
      keyset,
    ),
    purge: await createStatement(
      { kind: 'purge', caseId, replyPublicKey: keys.replyKeyPair.publicKey },
      reviewer,
      keyset,
    ),
  };
}

t.test('outbox', async (t) => {
  const { db, client, keyset, reviewer } = await courierServer(t);
  const kept = await addSubmission(db, keyset.version, [randomFile(100)]);
  const purged = await addSubmission(db, keyset.version, [randomFile(70_000)]);
  await addFollowup(db, purged.seq, [randomFile(100)]);
  const forKept = await statementsFor(keyset, reviewer, kept.caseId);
  const forPurged = await statementsFor(keyset, reviewer, purged.caseId);
  const replyKey = (await deriveReceiptKeys(await generateReceipt())).replyKeyPair.publicKey;

  const outbox = { statements: [forKept.status, forKept.reply, forPurged.status, forPurged.purge] };
  t.same(await call(client, 'POST', '/v1/courier/outbox', outbox), { applied: 4, unchanged: 0 });
  t.same(
    await call(client, 'POST', '/v1/courier/outbox', outbox),
    { applied: 0, unchanged: 4 },
    'idempotent',
  );

  const cases = await db
    .selectFrom('submissions')
    .select(['case_id', 'status', 'envelope', 'purged_on'])
    .execute();
  const keptRow = cases.find((c) => c.case_id === kept.caseId)!;
  const purgedRow = cases.find((c) => c.case_id === purged.caseId)!;
  t.equal(keptRow.status, 'in_review');
  t.ok(keptRow.envelope);
  t.equal(purgedRow.status, 'closed');
  t.equal(purgedRow.envelope, null);
  t.ok(purgedRow.purged_on);
  const followups = await db.selectFrom('followups').selectAll().execute();
  t.equal(followups.length, 0, 'follow-ups of the purged case are gone');
  const uploads = await db.selectFrom('uploads').select('submission_seq').execute();
  t.same(uploads, [{ submission_seq: kept.seq }], 'only the kept case keeps its upload');
  const parts = await db.selectFrom('upload_parts').select('upload_id').execute();
  t.same(
    parts.map((p) => p.upload_id),
    [kept.files[0]!.id],
    'attachment parts of the purged case are gone',
  );
  const statements = await db.selectFrom('statements').select(['id', 'submission_seq']).execute();
  t.equal(statements.length, 4);

  // A status after a purge is kept for the submitter but does not reopen the case.
  const late = await createStatement(
    { kind: 'status', caseId: purged.caseId, status: 'in_review', replyPublicKey: replyKey },
    reviewer,
    keyset,
  );
  t.same(await call(client, 'POST', '/v1/courier/outbox', { statements: [late] }), {
    applied: 1,
    unchanged: 0,
  });
  const after = await db
    .selectFrom('submissions')
    .select('status')
    .where('case_id', '=', purged.caseId)
    .executeTakeFirstOrThrow();
  t.equal(after.status, 'closed');
  // The purged case is no longer exported.
  const exported = await exportItems(client);
  t.same(
    exported.items
      .filter((i) => i.type === 'submission')
      .map((i) => i.type === 'submission' && i.meta.id),
    [kept.caseId],
  );

  // All or nothing: one bad statement and the good one beside it is not applied either.
  const stranger = await generateReviewerIdentity('Not in the keyset');
  const foreign = await createStatement(
    { kind: 'status', caseId: kept.caseId, status: 'referred', replyPublicKey: replyKey },
    stranger,
    keyset,
  );
  const good = await createStatement(
    { kind: 'status', caseId: kept.caseId, status: 'closed', replyPublicKey: replyKey },
    reviewer,
    keyset,
  );
  t.equal(
    await refusal(call(client, 'POST', '/v1/courier/outbox', { statements: [good, foreign] })),
    '400 STATEMENT_SIGNER_UNKNOWN',
  );
  const tampered = { ...good, payload: toBase64Url(new TextEncoder().encode('{}')) };
  t.equal(
    await refusal(call(client, 'POST', '/v1/courier/outbox', { statements: [tampered] })),
    '400 STATEMENT_SIGNATURE_INVALID',
  );
  const unknownCase = await createStatement(
    { kind: 'status', caseId: 'no-such-case', status: 'closed', replyPublicKey: replyKey },
    reviewer,
    keyset,
  );
  t.equal(
    await refusal(call(client, 'POST', '/v1/courier/outbox', { statements: [good, unknownCase] })),
    '404 CASE_NOT_FOUND',
  );
  t.equal(
    await refusal(call(client, 'POST', '/v1/courier/outbox', { statements: 'no' })),
    '400 VALIDATION_FAILED',
  );
  t.equal(
    await refusal(call(client, 'POST', '/v1/courier/outbox', { statements: [42] })),
    '400 FORMAT_INVALID',
  );
  const still = await db
    .selectFrom('submissions')
    .select('status')
    .where('case_id', '=', kept.caseId)
    .executeTakeFirstOrThrow();
  t.equal(still.status, 'in_review', 'nothing of a refused outbox was applied');
  t.equal((await db.selectFrom('statements').select('id').execute()).length, 5);
  // The same statement id with other content is a conflict, not a silent skip.
  const original = JSON.parse(
    new TextDecoder().decode(Buffer.from(good.payload, 'base64url')),
  ) as Record<string, unknown>;
  const sameId = await signJson(
    STATEMENT_FORMAT,
    STATEMENT_SIGNATURE_LABEL,
    { ...original, kind: 'purge', status: undefined },
    reviewer.signPublicKey && {
      publicKey: reviewer.signPublicKey,
      secretKey: reviewer.signSecretKey,
    },
  );
  t.same(await call(client, 'POST', '/v1/courier/outbox', { statements: [good] }), {
    applied: 1,
    unchanged: 0,
  });
  t.equal(
    await refusal(call(client, 'POST', '/v1/courier/outbox', { statements: [sameId] })),
    '409 STATEMENT_CONFLICT',
  );
  const notPurged = await db
    .selectFrom('submissions')
    .select('envelope')
    .where('case_id', '=', kept.caseId)
    .executeTakeFirstOrThrow();
  t.ok(notPurged.envelope, 'the conflicting purge was not applied');
});

t.test('keyset', async (t) => {
  const { db, client, org, keyset, courier } = await courierServer(t);
  const next: Keyset = { ...keyset, version: 2 };
  t.same(await call(client, 'PUT', '/v1/courier/keyset', await signKeyset(next, org)), {
    version: 2,
  });
  t.equal(
    await refusal(call(client, 'PUT', '/v1/courier/keyset', await signKeyset(next, org))),
    '409 KEYSET_VERSION_NOT_NEWER',
  );
  t.equal(
    await refusal(call(client, 'PUT', '/v1/courier/keyset', await signKeyset(keyset, org))),
    '409 KEYSET_VERSION_NOT_NEWER',
  );
  const otherOrg = await generateOrganisationKey();
  t.equal(
    await refusal(
      call(
        client,
        'PUT',
        '/v1/courier/keyset',
        await signKeyset({ ...keyset, version: 3 }, otherOrg),
      ),
    ),
    '400 KEYSET_ROOT_MISMATCH',
  );
  const signed = await signKeyset({ ...keyset, version: 3 }, org);
  t.equal(
    await refusal(
      call(client, 'PUT', '/v1/courier/keyset', {
        ...signed,
        signature: signed.signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
      }),
    ),
    '400 KEYSET_SIGNATURE_INVALID',
  );
  t.equal(
    await refusal(call(client, 'PUT', '/v1/courier/keyset', { nope: 1 })),
    '400 VALIDATION_FAILED',
  );
  const stored = await db.selectFrom('keysets').select('version').orderBy('version').execute();
  t.same(
    stored.map((k) => k.version),
    [1, 2],
  );

  // A keyset that drops this courier ends its access.
  const other = await generateReviewerIdentity('Other');
  const without: Keyset = { ...keyset, version: 4, couriers: [], reviewers: [reviewerCard(other)] };
  t.same(await call(client, 'PUT', '/v1/courier/keyset', await signKeyset(without, org)), {
    version: 4,
  });
  t.equal(
    await refusal(call(client, 'POST', '/v1/courier/ack', { cursor: 0 })),
    '401 COURIER_UNKNOWN',
  );
  t.ok(courier);
});
