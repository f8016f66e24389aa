// The one thing the server keeps about how a new case arrived, besides its
// day: the effort level its proof was paid at. It is stored with the case by
// the statement that admits it and travels to the reviewers in the bundle;
// cases from before it was kept travel without it.
import t from 'tap';
import { readBundle, toBase64Url } from '../../client-crypto/index.ts';
import type { BundleItem } from '../../client-crypto/index.ts';
import { send, signRequest } from '../../reviewer/courier/http.ts';
import { courierClient } from '../../reviewer/courier/http.ts';
import { build, sampleSubmission, seedKeyset, solvedChallenge, testDatabase } from '../helper.ts';
import { addSubmission } from './courier-fixtures.ts';
import type { AddressInfo } from 'node:net';

t.test('the effort level a case paid is kept and exported, nothing finer', async (t) => {
  const db = await testDatabase(t);
  const seeded = await seedKeyset(db);
  const { app } = await build(t, {
    db,
    env: { SEALBOX_ORG_PUBLIC_KEY: toBase64Url(seeded.org.publicKey), SEALBOX_POW_LEVEL: '2' },
  });
  const older = await addSubmission(db, seeded.keyset.version);

  const body = await sampleSubmission(app, seeded);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/submissions',
    payload: { ...body, challenge: await solvedChallenge(app, 3) },
  });
  t.equal(res.statusCode, 201, res.body);

  const rows = await db
    .selectFrom('submissions')
    .select(['case_id', 'effort_level'])
    .orderBy('seq')
    .execute();
  t.same(
    rows.map((r) => r.effort_level),
    [null, 3],
    'the level the proof was paid at, not the minimum asked (2)',
  );

  await app.listen({ host: '127.0.0.1', port: 0 });
  const client = courierClient(
    `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    seeded.courier,
  );
  const response = await send(await signRequest(client, 'GET', '/v1/courier/export'));
  const items: BundleItem[] = [];
  for await (const item of readBundle([new Uint8Array(await response.arrayBuffer())])) {
    items.push(item);
  }
  const metas = items.flatMap((i) => (i.type === 'submission' ? [i.meta] : []));
  t.equal(metas.length, 2);
  t.equal(metas[0]!.id, older.caseId);
  t.notOk('effort' in metas[0]!, 'a case from before levels were kept carries none');
  t.equal(metas[1]!.effort, 3, 'the new case carries its level');
  t.same(
    Object.keys(metas[1]!),
    ['id', 'seq', 'received', 'keysetVersion', 'uploads', 'effort'],
    'and nothing else new',
  );
});
