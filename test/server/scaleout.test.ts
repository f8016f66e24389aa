// Several stateless instances against one PostgreSQL database must agree:
// a proof of work is spent once, whichever instance sees it first.
import t from 'tap';
import {
  deriveReceiptKeys,
  generateReceipt,
  sealDocument,
  toBase64Url,
} from '../../client-crypto/index.ts';
import { postgresDatabase } from '../../server/db/database.ts';
import {
  build,
  onPostgres,
  sampleDocument,
  seedKeyset,
  solvedChallenge,
  testPostgres,
} from '../helper.ts';

t.test(
  'two instances, one database',
  { skip: onPostgres ? false : 'needs DATABASE_URL: PGlite is a single process' },
  async (t) => {
    const { db, url } = await testPostgres(t);
    const second = postgresDatabase(url, 4);
    t.teardown(() => second.destroy());
    const { sealing } = await seedKeyset(db);
    const a = (await build(t, { db })).app;
    const b = (await build(t, { db: second })).app;

    await t.test('a challenge cannot be spent twice', async (t) => {
      for (let round = 0; round < 5; round++) {
        const challenge = await solvedChallenge(a); // issued by A, valid on B (shared secret)
        const create = (app: typeof a) =>
          app.inject({
            method: 'POST',
            url: '/v1/uploads',
            payload: { challenge, size: 10, partSize: 65536 },
          });
        const answers = await Promise.all([create(a), create(b), create(a), create(b)]);
        const codes = answers.map((r) => r.statusCode).sort();
        t.same(codes, [201, 409, 409, 409], `round ${round}: one success`);
      }
    });

    await t.test('a case written on one instance is read on the other', async (t) => {
      const keys = await deriveReceiptKeys(await generateReceipt());
      const lookupToken = toBase64Url(keys.lookupToken);
      const res = await a.inject({
        method: 'POST',
        url: '/v1/submissions',
        payload: {
          challenge: await solvedChallenge(b),
          lookupToken,
          envelope: toBase64Url(
            await sealDocument(sampleDocument('submission', keys), sealing, keys.authorKeyPair),
          ),
        },
      });
      t.equal(res.statusCode, 201);
      const status = await b.inject({
        method: 'POST',
        url: '/v1/status',
        payload: { lookupToken },
      });
      t.equal(status.statusCode, 200, 'the pepper is shared, so B finds the case');
    });
  },
);
