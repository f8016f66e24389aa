// The submitter's whole path against the real app: upload an encrypted file,
// submit a sealed case, read its status and a signed reply, send a follow-up.
import t from 'tap';
import {
  createStatement,
  decryptAttachment,
  deriveReceiptKeys,
  encryptAttachment,
  generateReceipt,
  openDocument,
  readStatementAsSubmitter,
  sealDocument,
  toBase64Url,
} from '../../client-crypto/index.ts';
import type { AttachmentManifestEntry, SealingKeys } from '../../client-crypto/index.ts';
import { MAX_ATTACHMENTS } from '../../client-crypto/document.ts';
import { insertStatement } from '../../server/db/statements.ts';
import { submissionByCaseId } from '../../server/db/submissions.ts';
import {
  createUpload,
  markFinished,
  putPart,
  readUpload,
  uploadsOf,
} from '../../server/db/uploads.ts';
import { build, sampleDocument, seedKeyset, solvedChallenge } from '../helper.ts';
import { ringOf } from '../epochs.ts';

type ErrorJson = { error: { code: string; message: string } };

function once(bytes: Uint8Array): Iterable<Uint8Array> {
  return [bytes];
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return new Uint8Array(Buffer.concat(parts));
}

t.test('intake end to end', async (t) => {
  const { app, db } = await build(t);
  const { keyset, reviewer, epochs, sealing } = await seedKeyset(db);

  const receipt = await generateReceipt();
  const keys = await deriveReceiptKeys(receipt);
  const lookupToken = toBase64Url(keys.lookupToken);

  // An attachment: encrypt, upload in parts, finish.
  const plain = new Uint8Array(150_000).map((_, i) => i % 251);
  const enc = await encryptAttachment(once(plain), plain.length);
  const ciphertext = await collect(enc.chunks);
  t.equal(ciphertext.length, enc.ciphertextSize);
  const partSize = 64 * 1024;
  const created = await app.inject({
    method: 'POST',
    url: '/v1/uploads',
    payload: { challenge: await solvedChallenge(app), size: ciphertext.length, partSize },
  });
  t.equal(created.statusCode, 201, created.body);
  const { uploadId, partCount } = created.json<{ uploadId: string; partCount: number }>();
  t.equal(partCount, Math.ceil(ciphertext.length / partSize));
  for (let n = partCount - 1; n >= 0; n--) {
    const res = await app.inject({
      method: 'PUT',
      url: `/v1/uploads/${uploadId}/parts/${n}`,
      headers: { 'content-type': 'application/octet-stream' },
      payload: Buffer.from(ciphertext.subarray(n * partSize, (n + 1) * partSize)),
    });
    t.equal(res.statusCode, 204, `part ${n}`);
  }
  const finished = await app.inject({
    method: 'POST',
    url: `/v1/uploads/${uploadId}/finish`,
    payload: { digest: toBase64Url(enc.digest()), digestAlgorithm: enc.digestAlgorithm },
  });
  t.equal(finished.statusCode, 200, finished.body);

  const entry: AttachmentManifestEntry = {
    uploadId,
    name: 'photo.jpg',
    type: 'image/jpeg',
    size: plain.length,
    key: toBase64Url(enc.key),
    digest: toBase64Url(enc.digest()),
    digestAlgorithm: enc.digestAlgorithm,
  };
  const document = sampleDocument('submission', keys, [entry]);
  const envelope = toBase64Url(await sealDocument(document, sealing, keys.authorKeyPair));

  const submit = (body: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/v1/submissions', payload: body });

  const challenge = await solvedChallenge(app);
  const res = await submit({ challenge, lookupToken, envelope, uploads: [uploadId] });
  t.equal(res.statusCode, 201, res.body);
  t.match(res.json(), { received: /^\d{4}-\d{2}-\d{2}$/ });

  await t.test('a challenge is spent once', async (t) => {
    const again = await submit({ challenge, lookupToken, envelope, uploads: [] });
    t.equal(again.statusCode, 409);
    t.equal(again.json<ErrorJson>().error.code, 'CHALLENGE_SPENT');
  });

  await t.test('a receipt makes one case', async (t) => {
    const again = await submit({
      challenge: await solvedChallenge(app),
      lookupToken,
      envelope,
      uploads: [],
    });
    t.equal(again.statusCode, 409);
    t.equal(again.json<ErrorJson>().error.code, 'LOOKUP_TOKEN_TAKEN');
  });

  let caseId = '';
  await t.test('status by lookup token', async (t) => {
    const status = await app.inject({
      method: 'POST',
      url: '/v1/status',
      payload: { lookupToken },
    });
    t.equal(status.statusCode, 200, status.body);
    const body = status.json<{ caseId: string; status: string; statements: unknown[] }>();
    t.equal(body.status, 'received');
    t.same(body.statements, []);
    caseId = body.caseId;

    const other = await deriveReceiptKeys(await generateReceipt());
    const unknown = await app.inject({
      method: 'POST',
      url: '/v1/status',
      payload: { lookupToken: toBase64Url(other.lookupToken) },
    });
    t.equal(unknown.statusCode, 404);
    t.equal(unknown.json<ErrorJson>().error.code, 'CASE_NOT_FOUND');
  });

  await t.test('the reviewer opens what the server stored', async (t) => {
    const row = await submissionByCaseId(db, caseId);
    t.notOk(
      Buffer.from(row!.lookup_hash).equals(Buffer.from(keys.lookupToken)),
      'the token itself is not stored',
    );
    const opened = await openDocument(row!.envelope!, ringOf(reviewer, epochs));
    t.same(opened?.document, document);
    const [upload] = await uploadsOf(db, { submissionSeq: row!.seq });
    const stored = await collect(readUpload(db, upload!));
    const decrypted = await collect(
      decryptAttachment(once(stored), {
        key: enc.key,
        size: plain.length,
        digest: enc.digest(),
        digestAlgorithm: enc.digestAlgorithm,
      }),
    );
    t.same(decrypted, plain, 'the attachment decrypts to the original');
  });

  await t.test('a signed reply reaches the submitter', async (t) => {
    const row = await submissionByCaseId(db, caseId);
    const signed = await createStatement(
      {
        kind: 'reply',
        caseId,
        text: 'We received your report.',
        replyPublicKey: keys.replyKeyPair.publicKey,
      },
      reviewer,
      keyset,
    );
    await insertStatement(db, {
      id: 'st-1',
      submissionSeq: row!.seq,
      kind: 'reply',
      signed: JSON.stringify(signed),
      statedOn: '2026-11-21',
    });
    const status = await app.inject({
      method: 'POST',
      url: '/v1/status',
      payload: { lookupToken },
    });
    const body = status.json<{ statements: unknown[] }>();
    t.equal(body.statements.length, 1);
    const view = await readStatementAsSubmitter(
      body.statements[0],
      keyset,
      keys.replyKeyPair,
      caseId,
    );
    t.equal(view.text, 'We received your report.');
  });

  await t.test('follow-ups', async (t) => {
    const followup = toBase64Url(
      await sealDocument(sampleDocument('followup', keys), sealing, keys.authorKeyPair),
    );
    const ok = await app.inject({
      method: 'POST',
      url: '/v1/followups',
      payload: { challenge: await solvedChallenge(app), lookupToken, envelope: followup },
    });
    t.equal(ok.statusCode, 201, ok.body);

    const wrongKind = await app.inject({
      method: 'POST',
      url: '/v1/followups',
      payload: { challenge: await solvedChallenge(app), lookupToken, envelope },
    });
    t.equal(wrongKind.json<ErrorJson>().error.code, 'ENVELOPE_KIND');

    const other = await deriveReceiptKeys(await generateReceipt());
    const unknown = await app.inject({
      method: 'POST',
      url: '/v1/followups',
      payload: {
        challenge: await solvedChallenge(app),
        lookupToken: toBase64Url(other.lookupToken),
        envelope: followup,
      },
    });
    t.equal(unknown.statusCode, 404);
    t.equal(unknown.json<ErrorJson>().error.code, 'CASE_NOT_FOUND');
  });

  await t.test('bad submissions are refused and leave nothing behind', async (t) => {
    const fresh = await deriveReceiptKeys(await generateReceipt());
    const token = toBase64Url(fresh.lookupToken);
    const sealed = async (k: SealingKeys) =>
      toBase64Url(await sealDocument(sampleDocument('submission', fresh), k, fresh.authorKeyPair));
    const cases: [string, () => Promise<Record<string, unknown>>, number, string][] = [
      [
        'no challenge',
        () => Promise.resolve({ lookupToken: token, envelope }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'forged solution',
        async () => {
          // The derived key is the proof (the counter only says where it was found).
          const c = (await solvedChallenge(app)) as { solution: { derivedKey: string } };
          const k = c.solution.derivedKey;
          c.solution.derivedKey = (k[0] === '0' ? '1' : '0') + k.slice(1);
          return { challenge: c, lookupToken: token, envelope };
        },
        400,
        'CHALLENGE_INVALID',
      ],
      [
        'tampered challenge',
        async () => {
          const c = (await solvedChallenge(app)) as {
            challenge: { parameters: { expiresAt: number } };
          };
          c.challenge.parameters.expiresAt += 3600;
          return { challenge: c, lookupToken: token, envelope };
        },
        400,
        'CHALLENGE_INVALID',
      ],
      [
        'garbage envelope',
        async () => ({
          challenge: await solvedChallenge(app),
          lookupToken: token,
          envelope: 'AAAA',
        }),
        400,
        'ENVELOPE_INVALID',
      ],
      [
        'broken base64 envelope',
        async () => ({ challenge: await solvedChallenge(app), lookupToken: token, envelope: 'A' }),
        400,
        'ENCODING_INVALID',
      ],
      [
        'unknown keyset version',
        async () => ({
          challenge: await solvedChallenge(app),
          lookupToken: token,
          envelope: await sealed({ ...sealing, keysetVersion: 99 }),
        }),
        400,
        'KEYSET_UNKNOWN',
      ],
      [
        'an attachment already claimed',
        async () => ({
          challenge: await solvedChallenge(app),
          lookupToken: token,
          envelope: await sealed(sealing),
          uploads: [uploadId],
        }),
        409,
        'UPLOAD_NOT_CLAIMABLE',
      ],
      [
        'an unknown attachment',
        async () => ({
          challenge: await solvedChallenge(app),
          lookupToken: token,
          envelope: await sealed(sealing),
          uploads: ['A'.repeat(22)],
        }),
        409,
        'UPLOAD_NOT_CLAIMABLE',
      ],
      [
        'too many attachments',
        async () => ({
          challenge: await solvedChallenge(app),
          lookupToken: token,
          envelope,
          uploads: Array.from({ length: MAX_ATTACHMENTS + 1 }, () => 'A'.repeat(22)),
        }),
        400,
        'VALIDATION_FAILED',
      ],
    ];
    for (const [name, body, status, code] of cases) {
      const res = await submit(await body());
      t.equal(res.statusCode, status, `${name}: ${res.body}`);
      t.equal(res.json<ErrorJson>().error.code, code, name);
    }
    const status = await app.inject({
      method: 'POST',
      url: '/v1/status',
      payload: { lookupToken: token },
    });
    t.equal(status.statusCode, 404, 'no refused submission left a case behind');
  });
});

t.test('a case may reference as many uploads as a document may list', async (t) => {
  const { app, db } = await build(t);
  const { sealing } = await seedKeyset(db);
  const keys = await deriveReceiptKeys(await generateReceipt());
  t.equal(MAX_ATTACHMENTS, 100, 'the number docs/protocol.md gives');
  const entries: AttachmentManifestEntry[] = [];
  for (let i = 0; i < MAX_ATTACHMENTS; i++) {
    const uploadId = `attachment${String(i).padStart(12, '0')}`;
    await createUpload(db, {
      id: uploadId,
      size: 1,
      partSize: 1,
      partCount: 1,
      created: '2026-11-21',
    });
    await putPart(db, uploadId, 0, new Uint8Array([i]));
    await markFinished(db, uploadId, new Uint8Array(32), '2026-11-21');
    entries.push({
      uploadId,
      name: `file-${i}.txt`,
      type: 'text/plain',
      size: 1,
      key: toBase64Url(new Uint8Array(32)),
      digest: toBase64Url(new Uint8Array(32)),
    });
  }
  const document = sampleDocument('submission', keys, entries);
  const envelope = toBase64Url(await sealDocument(document, sealing, keys.authorKeyPair));
  const res = await app.inject({
    method: 'POST',
    url: '/v1/submissions',
    payload: {
      challenge: await solvedChallenge(app),
      lookupToken: toBase64Url(keys.lookupToken),
      envelope,
      uploads: entries.map((e) => e.uploadId),
    },
  });
  t.equal(res.statusCode, 201, res.body);
  const status = await app.inject({
    method: 'POST',
    url: '/v1/status',
    payload: { lookupToken: toBase64Url(keys.lookupToken) },
  });
  const row = await submissionByCaseId(db, status.json<{ caseId: string }>().caseId);
  t.equal((await uploadsOf(db, { submissionSeq: row!.seq })).length, MAX_ATTACHMENTS);
});
