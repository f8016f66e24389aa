// Bad input, everywhere: targeted malformed requests (broken base64, invalid
// UTF-8, huge and empty bodies, wrong content types, out-of-range parts,
// unknown ids, replayed challenges and courier signatures, tampered outboxes)
// and then thousands of random ones. No 5xx, every refusal has the error
// shape, the server still answers, and the stored data is unchanged and
// consistent. SEALBOX_BAD_INPUT_RUNS sets the random count (2,000 by default).
import { sql } from 'kysely';
import type { InjectOptions } from 'fastify';
import t from 'tap';
import { createStatement, toBase64Url } from '../../client-crypto/index.ts';
import { courierClient, signRequest } from '../../reviewer/courier/http.ts';
import type { SignedRequest } from '../../reviewer/courier/http.ts';
import type { Db } from '../../server/db/database.ts';
import { makeKeyset } from '../helper.ts';
import { fuzz, fuzzServer, wellFormedRefusal } from './fuzz.ts';
import { submitCase } from './submitter.ts';

/** Sends a signed request as it is, whatever the answer (the client's own send throws on refusals). */
function send(request: SignedRequest): Promise<Response> {
  return fetch(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.body ? { body: request.body } : {}),
  });
}

const RUNS = Number(process.env.SEALBOX_BAD_INPUT_RUNS ?? 2_000);

async function counts(db: Db) {
  const { rows } = await sql<Record<string, number | string>>`
    select (select count(*) from submissions) as submissions,
           (select count(*) from followups) as followups,
           (select count(*) from statements) as statements,
           (select count(*) from uploads where finished is not null) as finished_uploads,
           (select count(*) from uploads where submission_seq is not null or followup_seq is not null) as claimed,
           (select count(*) from spent_challenges) as spent
  `.execute(db);
  return Object.fromEntries(Object.entries(rows[0]!).map(([k, v]) => [k, Number(v)]));
}

async function inconsistencies(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`
    select (select count(*) from uploads where submission_seq is not null and followup_seq is not null)
         + (select count(*) from uploads where (submission_seq is not null or followup_seq is not null) and finished is null)
         + (select count(*) from upload_parts p join uploads u on u.id = p.upload_id where p.part >= u.part_count)
         + (select count(*) from submissions where envelope is null and purged_on is null) as n
  `.execute(db);
  return Number(rows[0]!.n);
}

t.test('bad input never breaks the server or its data', async (t) => {
  const { app, db, seeded, base, client } = await fuzzServer(t);
  const { keyset, courier, reviewer } = seeded;
  const filed = await submitCase(client, keyset, {
    answers: { country: 'FR' },
    message: 'a real case among the noise',
    files: [{ name: 'a.txt', type: 'text/plain', bytes: new Uint8Array(70_000) }],
  });
  const status = await client.json<{ caseId: string }>('POST', '/v1/status', {
    lookupToken: filed.lookupToken,
  });
  const unfinished = await client.json<{ uploadId: string }>(
    'POST',
    '/v1/uploads',
    { challenge: await client.proof(), size: 200_000, partSize: 65_536 },
    201,
  );
  const cour = courierClient(base, courier);
  const statement = await createStatement(
    {
      kind: 'status',
      caseId: status.caseId,
      status: 'in_review',
      replyPublicKey: filed.replyKeyPair.publicKey,
    },
    reviewer,
    keyset,
  );
  const pushed = await send(
    await signRequest(cour, 'POST', '/v1/courier/outbox', { statements: [statement] }),
  );
  t.equal(pushed.status, 200);
  const spentProof = await client.proof();
  const inject = (opts: InjectOptions) => app.inject(opts);

  await t.test('targeted refusals', async (t) => {
    const expect = async (name: string, opts: InjectOptions, status: number, code?: string) => {
      const res = await inject(opts);
      t.equal(res.statusCode, status, `${name}: ${res.body.slice(0, 200)}`);
      t.ok(wellFormedRefusal(res, 'POST'), `${name}: error shape`);
      if (code) t.equal(res.json<{ error: { code: string } }>().error.code, code, name);
    };
    const submit = (body: unknown, headers: Record<string, string> = {}) => ({
      method: 'POST' as const,
      url: '/v1/submissions',
      payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...headers },
    });
    const valid = {
      challenge: spentProof,
      lookupToken: toBase64Url(new Uint8Array(32)),
      envelope: 'AAAA',
      uploads: [],
    };
    await expect('empty body', submit(''), 400, 'BODY_MISSING');
    await expect('not JSON', submit('{"a":'), 400, 'JSON_INVALID');
    await expect('invalid UTF-8', submit(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])), 400);
    await expect('huge body', submit('x'.repeat(200_000)), 413, 'BODY_TOO_LARGE');
    await expect('text/plain', submit(valid, { 'content-type': 'text/plain' }), 415);
    await expect('no content type', { method: 'POST', url: '/v1/status', payload: 'abc' }, 415);
    await expect(
      'wrong types',
      submit({ ...valid, uploads: 'x', lookupToken: 7 }),
      400,
      'VALIDATION_FAILED',
    );
    await expect('broken base64', submit({ ...valid, lookupToken: 'A'.repeat(42) + '=' }), 400);
    await expect('token of the wrong length', submit({ ...valid, lookupToken: 'AAAA' }), 400);
    // A proof pays for one attempt on an instance, whatever the answer: a fresh one.
    await expect(
      'not an envelope',
      submit({
        ...valid,
        challenge: await client.proof(),
        envelope: toBase64Url(new Uint8Array(900)),
      }),
      400,
    );
    await expect(
      'unknown status token',
      {
        method: 'POST',
        url: '/v1/status',
        payload: { lookupToken: toBase64Url(new Uint8Array(32)) },
      },
      404,
      'CASE_NOT_FOUND',
    );
    const part = (id: string, n: string, body: Buffer, type = 'application/octet-stream') => ({
      method: 'PUT' as const,
      url: `/v1/uploads/${id}/parts/${n}`,
      payload: body,
      headers: { 'content-type': type },
    });
    const id = unfinished.uploadId;
    await expect('part -1', part(id, '-1', Buffer.alloc(10)), 400);
    await expect(
      'part beyond the count',
      part(id, '4', Buffer.alloc(10)),
      400,
      'UPLOAD_PART_OUT_OF_RANGE',
    );
    await expect('part far beyond', part(id, '70000', Buffer.alloc(10)), 400);
    await expect('part not a number', part(id, 'two', Buffer.alloc(10)), 400);
    await expect('part too short', part(id, '0', Buffer.alloc(10)), 400, 'UPLOAD_PART_SIZE');
    await expect('part too long', part(id, '0', Buffer.alloc(70_000)), 413, 'UPLOAD_PART_SIZE');
    await expect('part as JSON', part(id, '0', Buffer.from('{}'), 'application/json'), 415);
    await expect(
      'unknown upload',
      part('A'.repeat(22), '0', Buffer.alloc(10)),
      404,
      'UPLOAD_NOT_FOUND',
    );
    await expect(
      'finish unfinished',
      {
        method: 'POST',
        url: `/v1/uploads/${id}/finish`,
        payload: { digest: toBase64Url(new Uint8Array(32)) },
      },
      409,
      'UPLOAD_INCOMPLETE',
    );

    // The challenge spent by a real write cannot pay for another.
    const paying = await client.proof();
    const first = await inject({
      method: 'POST',
      url: '/v1/uploads',
      payload: { challenge: paying, size: 10, partSize: 65_536 },
    });
    t.equal(first.statusCode, 201, 'a fresh challenge pays once');
    await expect(
      'replayed challenge',
      {
        method: 'POST',
        url: '/v1/uploads',
        payload: { challenge: paying, size: 10, partSize: 65_536 },
      },
      409,
      'CHALLENGE_SPENT',
    );

    // A courier request signed once is accepted once.
    const signed = await signRequest(cour, 'POST', '/v1/courier/ack', { cursor: 0 });
    t.equal((await send(signed)).status, 200, 'signed request accepted');
    const replay = await send(signed);
    t.equal(replay.status, 401, 'replayed courier signature refused');
    t.match(await replay.json(), { error: { code: String } });

    // An outbox statement with one byte changed is refused, and changes nothing.
    const s = statement as unknown as { signature: string };
    const flipped = {
      ...statement,
      signature: (s.signature[0] === 'A' ? 'B' : 'A') + s.signature.slice(1),
    };
    const tampered = await send(
      await signRequest(cour, 'POST', '/v1/courier/outbox', { statements: [flipped] }),
    );
    t.equal(tampered.status, 400, 'tampered statement refused');
    t.match(await tampered.json(), { error: { code: 'STATEMENT_SIGNATURE_INVALID' } });
    const foreign = await createStatement(
      { kind: 'purge', caseId: status.caseId, replyPublicKey: filed.replyKeyPair.publicKey },
      (await makeKeyset(1)).reviewer,
      keyset,
    );
    const unknownSigner = await send(
      await signRequest(cour, 'POST', '/v1/courier/outbox', { statements: [foreign] }),
    );
    t.equal(unknownSigner.status, 400, 'statement by a stranger refused');
    // A body swapped under a valid signature.
    const swapped = await signRequest(cour, 'POST', '/v1/courier/ack', { cursor: 0 });
    swapped.body = new TextEncoder().encode(JSON.stringify({ cursor: 1 }));
    t.equal((await send(swapped)).status, 401, 'body swapped under a signature refused');
  });

  const before = await counts(db);
  await t.test(`${RUNS} random malformed requests`, async (t) => {
    const outcome = await fuzz(
      app,
      {
        uploadIds: [unfinished.uploadId, ...filed.document.attachments.map((a) => a.uploadId)],
        lookupTokens: [filed.lookupToken],
        caseIds: [status.caseId],
        statement,
        keyset: seeded.signed,
        proof: spentProof,
        courier: cour,
      },
      { runs: RUNS },
    );
    t.equal(outcome.requests, RUNS);
    t.same(outcome.failures, [], 'no 5xx, every refusal has { error: { code, message } }');
    t.ok(
      Object.keys(outcome.byStatus).length >= 5,
      `many kinds of answer: ${JSON.stringify(outcome.byStatus)}`,
    );
  });

  t.test('the server still answers and the data is intact', async (t) => {
    const health = await inject({ method: 'GET', url: '/healthz' });
    t.equal(health.statusCode, 200);
    t.equal((await inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    const after = await counts(db);
    t.same(after, before, 'rejected writes changed no count');
    t.equal(
      await inconsistencies(db),
      0,
      'no upload claimed twice or unfinished, no part out of range',
    );
    const again = await client.json<{ caseId: string; status: string }>('POST', '/v1/status', {
      lookupToken: filed.lookupToken,
    });
    t.same(again, { ...again, caseId: status.caseId, status: 'in_review' });
  });
});
