// The lookup hash is keyed with the server's pepper: a copy of the database
// without the pepper cannot be matched against a receipt, not even by someone
// who holds the receipt and knows how tokens are hashed.
import { createHash, randomBytes } from 'node:crypto';
import t from 'tap';
import {
  deriveReceiptKeys,
  generateReceipt,
  getSodium,
  sealDocument,
  toBase64Url,
} from '../../client-crypto/index.ts';
import type { Db } from '../../server/db/database.ts';
import type { Secrets } from '../../server/secrets.ts';
import { build, sampleDocument, seedKeyset, solvedChallenge, testDatabase } from '../helper.ts';
import type { FastifyInstance } from 'fastify';

const sodium = await getSodium();
const receipt = await generateReceipt();
const keys = await deriveReceiptKeys(receipt);
const token = keys.lookupToken;

function secretsWith(pepper: Uint8Array): Secrets {
  return { pepper, powSecret: randomBytes(32).toString('base64url') };
}

async function submit(app: FastifyInstance, db: Db): Promise<Uint8Array> {
  const { sealing } = await seedKeyset(db);
  const envelope = await sealDocument(
    sampleDocument('submission', keys),
    sealing,
    keys.authorKeyPair,
  );
  const res = await app.inject({
    method: 'POST',
    url: '/v1/submissions',
    payload: {
      challenge: await solvedChallenge(app),
      lookupToken: toBase64Url(token),
      envelope: toBase64Url(envelope),
      uploads: [],
    },
  });
  if (res.statusCode !== 201) throw new Error(`submission refused: ${res.body}`);
  const rows = await db.selectFrom('submissions').select('lookup_hash').execute();
  if (rows.length !== 1) throw new Error(`expected one stored case, found ${rows.length}`);
  return new Uint8Array(rows[0]!.lookup_hash);
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

t.test('the stored lookup hash is the token keyed with the pepper, nothing weaker', async (t) => {
  const pepper = new Uint8Array(randomBytes(32));
  const { app, db } = await build(t, { secrets: secretsWith(pepper) });
  const stored = await submit(app, db);
  t.equal(stored.length, 32);
  t.ok(
    same(stored, sodium.crypto_generichash(32, token, pepper)),
    'BLAKE2b-256 keyed with the pepper',
  );
  const unkeyed = [
    token,
    sodium.crypto_generichash(32, token, null),
    sodium.crypto_generichash(32, token, new Uint8Array(32)),
    new Uint8Array(createHash('sha256').update(token).digest()),
    new Uint8Array(createHash('blake2b512').update(token).digest().subarray(0, 32)),
  ];
  for (const [i, plain] of unkeyed.entries())
    t.notOk(same(stored, plain), `not an unpeppered hash of the token (#${i})`);
});

t.test('two servers with different peppers store different hashes for one token', async (t) => {
  const a = await build(t, { secrets: secretsWith(new Uint8Array(randomBytes(32))) });
  const b = await build(t, { secrets: secretsWith(new Uint8Array(randomBytes(32))) });
  const hashA = await submit(a.app, a.db);
  const hashB = await submit(b.app, b.db);
  t.notOk(same(hashA, hashB));
});

t.test('without the pepper, the stored case cannot be found by its receipt', async (t) => {
  const db = await testDatabase(t);
  const original = await build(t, { db, secrets: secretsWith(new Uint8Array(randomBytes(32))) });
  await submit(original.app, db);
  const lookup = (app: FastifyInstance) =>
    app.inject({ method: 'POST', url: '/v1/status', payload: { lookupToken: toBase64Url(token) } });
  t.equal((await lookup(original.app)).statusCode, 200, 'the real server finds the case');
  // The same database served with another pepper: the receipt leads nowhere.
  const seized = await build(t, { db, secrets: secretsWith(new Uint8Array(randomBytes(32))) });
  const res = await lookup(seized.app);
  t.equal(res.statusCode, 404);
  t.equal(res.json<{ error: { code: string } }>().error.code, 'CASE_NOT_FOUND');
});
