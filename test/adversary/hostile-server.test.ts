// A hostile server (or whoever holds its database) against the submitter's
// page: it stores the reviewers' signed statements and chooses what each
// status check returns. It can drop statements, but what the page accepts must
// be exactly what a reviewer signed for this receipt's case: a reply that sets
// a status carries it signed and sealed, a purge reaches its own submitter and
// no one else's, and a statement moved to another case is refused.
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readStatementAsSubmitter } from '../../client-crypto/index.ts';
import type { SignedStatement } from '../../client-crypto/index.ts';
import { reviewOpen } from '../../reviewer/commands/review-open.ts';
import { reviewStatement } from '../../reviewer/commands/review-statement.ts';
import { courierPush } from '../../reviewer/courier/commands.ts';
import { courierPull } from '../../reviewer/courier/pull.ts';
import { insertStatement } from '../../server/db/statements.ts';
import { submissionByCaseId } from '../../server/db/submissions.ts';
import { makeOrganisation, publishOrganisation } from '../audit/organisation.ts';
import { type Filed, Submitter, submitCase } from '../audit/submitter.ts';
import { build } from '../helper.ts';

interface StatusAnswer {
  caseId: string;
  statements: SignedStatement[];
}

t.test('what the page accepts is what a reviewer signed for this case', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-hostile-server-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const org = await makeOrganisation(dir);
  const { app, db } = await build(t, { env: { SEALBOX_ORG_FINGERPRINT: org.fingerprint } });
  await publishOrganisation(db, org);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const server = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const client = new Submitter(server);
  const a = await submitCase(client, org.keyset, { answers: {}, message: 'case A' });
  const b = await submitCase(client, org.keyset, { answers: {}, message: 'case B' });

  // The reviewers, with the real tools: A gets a reply that asks for more
  // information, then a purge; B gets a status change.
  const courier = { server, key: org.courierKey };
  await courierPull({ ...courier, out: join(dir, 'bundle.sbx') }, org.io);
  const cases = join(dir, 'cases');
  await reviewOpen(
    {
      bundle: join(dir, 'bundle.sbx'),
      key: org.reviewerKey,
      cases,
      keyset: org.keysetFile,
      organisation: org.fingerprint,
    },
    org.io,
  );
  const status = (filed: Filed) =>
    client.json<StatusAnswer>('POST', '/v1/status', { lookupToken: filed.lookupToken });
  const caseOf = async (filed: Filed) => (await status(filed)).caseId;
  const [caseA, caseB] = [await caseOf(a), await caseOf(b)];
  const reviewer = { key: org.reviewerKey, cases };
  await reviewStatement(
    {
      ...reviewer,
      caseId: caseA,
      kind: 'reply',
      status: 'needs_information',
      text: 'Which day was it?',
    },
    org.io,
  );
  await reviewStatement({ ...reviewer, caseId: caseA, kind: 'purge' }, org.io);
  await reviewStatement({ ...reviewer, caseId: caseB, kind: 'status', status: 'referred' }, org.io);
  t.equal(
    (await courierPush({ ...courier, outbox: join(cases, 'outbox.jsonl') }, org.io)).applied,
    3,
  );

  const read = async (filed: Filed) => {
    const answer = await status(filed);
    return Promise.all(
      answer.statements.map((s) =>
        readStatementAsSubmitter(s, org.keyset, filed.replyKeyPair, answer.caseId).then(
          (view) => ({ kind: view.kind, status: view.status, text: view.text }),
          (error: { code?: string }) => ({ refused: error.code }),
        ),
      ),
    );
  };
  // Genuine: A's submitter sees the reply with its status, then the purge.
  t.same(await read(a), [
    { kind: 'reply', status: 'needs_information', text: 'Which day was it?' },
    { kind: 'purge', status: undefined, text: undefined },
  ]);

  // The server copies A's statements into B's case: B's page refuses every one.
  const seqB = (await submissionByCaseId(db, caseB))!.seq;
  for (const [i, signed] of (await status(a)).statements.entries()) {
    await insertStatement(db, {
      id: `moved-${i}`,
      submissionSeq: seqB,
      kind: 'reply',
      signed: JSON.stringify(signed),
      statedOn: '2026-01-01',
    });
  }
  t.same(await read(b), [
    { kind: 'status', status: 'referred', text: undefined },
    { refused: 'STATEMENT_NOT_FOR_CASE' },
    { refused: 'STATEMENT_NOT_FOR_CASE' },
  ]);
});
