// A flooder who pays the base price must not use up the bytes attachments
// share while the service is busy: starting an upload costs the minimum
// effort level of the moment, as a new case does. A follow-up's file, started
// with the lookup token of a case already open, still goes at the base level,
// up to one largest file of unclaimed uploads per case; a made-up token, or a
// case past that, pays the minimum like anyone.
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { deriveReceiptKeys, generateReceipt, toBase64Url } from '../../client-crypto/index.ts';
import { build, sampleSubmission, seedKeyset, solvedChallenge, testDatabase } from '../helper.ts';

type ErrorJson = { error: { code: string; message: string; minimumLevel?: number } };
const KiB = 1024;

function startUpload(
  app: FastifyInstance,
  challenge: unknown,
  extra: { lookupToken?: string; size?: number } = {},
) {
  return app.inject({
    method: 'POST',
    url: '/v1/uploads',
    payload: { challenge, size: 100 * KiB, partSize: 64 * KiB, ...extra },
  });
}

t.test('while busy, a base-price upload flood is refused and holds nothing', async (t) => {
  const db = await testDatabase(t);
  const seeded = await seedKeyset(db);
  // Busy: the minimum level is 2. One largest file is 150 KiB.
  const { app } = await build(t, {
    db,
    env: {
      SEALBOX_POW_LEVEL: '2',
      SEALBOX_UPLOAD_MAX_BYTES: String(150 * KiB),
      SEALBOX_UPLOAD_PART_MAX_BYTES: String(64 * KiB),
    },
  });
  const uploads = async () => (await db.selectFrom('uploads').selectAll().execute()).length;

  const codes = [];
  for (let i = 0; i < 20; i++) {
    const res = await startUpload(app, await solvedChallenge(app));
    const { error } = res.json<ErrorJson>();
    codes.push(`${res.statusCode} ${error.code} ${error.minimumLevel}`);
  }
  t.same(codes, Array(20).fill('429 EFFORT_TOO_LOW 2'), '20 base-price uploads: refused');
  t.equal(await uploads(), 0, 'and none holds any capacity');

  const strangerToken = toBase64Url((await deriveReceiptKeys(await generateReceipt())).lookupToken);
  const madeUp = await startUpload(app, await solvedChallenge(app), { lookupToken: strangerToken });
  t.equal(madeUp.json<ErrorJson>().error.code, 'EFFORT_TOO_LOW', 'a made-up token buys nothing');

  const paid = await startUpload(app, await solvedChallenge(app, 2));
  t.equal(paid.statusCode, 201, 'an upload at the minimum level starts');

  await t.test('a follow-up of an open case sends its files at the base level', async (t) => {
    const keys = await deriveReceiptKeys(await generateReceipt());
    const body = await sampleSubmission(app, seeded, keys);
    const opened = await app.inject({
      method: 'POST',
      url: '/v1/submissions',
      payload: { ...body, challenge: await solvedChallenge(app, 2) },
    });
    t.equal(opened.statusCode, 201, 'the case is opened at the minimum level');
    const lookupToken = toBase64Url(keys.lookupToken);
    const first = await startUpload(app, await solvedChallenge(app), { lookupToken });
    t.equal(first.statusCode, 201, `its file at level 0: ${first.body}`);
    const row = await db
      .selectFrom('uploads as u')
      .innerJoin('submissions as s', 's.seq', 'u.case_seq')
      .select('s.lookup_hash')
      .where('u.id', '=', first.json<{ uploadId: string }>().uploadId)
      .executeTakeFirst();
    t.ok(row, 'the upload names its case');

    const second = await startUpload(app, await solvedChallenge(app), { lookupToken });
    t.equal(second.statusCode, 429, 'past one largest file of unclaimed uploads');
    t.equal(second.json<ErrorJson>().error.code, 'EFFORT_TOO_LOW', 'it pays the minimum');
    const paidSecond = await startUpload(app, await solvedChallenge(app, 2), { lookupToken });
    t.equal(paidSecond.statusCode, 201, 'as anyone may');
  });
});
