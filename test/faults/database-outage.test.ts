// PostgreSQL unavailable (a proxy in front of it is cut): /readyz and writes
// answer 503 with the error shape, reads of the process (/healthz) still
// answer, nothing acknowledged is lost, and the service recovers by itself
// when the database comes back. Only on the PostgreSQL run.
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { toBase64Url } from '../../client-crypto/index.ts';
import { postgresDatabase } from '../../server/db/database.ts';
import { migrateToLatest } from '../../server/db/migrate.ts';
import { storeKeyset } from '../../server/db/keysets.ts';
import { build, emptyPostgres, makeKeyset, storeEpochs } from '../helper.ts';
import { Submitter, submitCase } from '../audit/submitter.ts';
import { tcpProxy } from './tcp-proxy.ts';

const url = process.env.DATABASE_URL;

t.test(
  'database outage: 503, then recovery by itself',
  {
    skip: url ? false : 'needs DATABASE_URL (PostgreSQL)',
  },
  async (t) => {
    const target = new URL(url!);
    const { name } = await emptyPostgres(t, 'sealbox_outage');
    const proxy = await tcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    t.teardown(() => proxy.close());
    const viaProxy = new URL(url!);
    viaProxy.port = String(proxy.port);
    viaProxy.pathname = `/${name}`;
    const db = postgresDatabase(viaProxy.toString(), 4);
    t.teardown(() => db.destroy());
    await migrateToLatest(db);
    const made = await makeKeyset(1);
    await storeKeyset(db, 1, JSON.stringify(made.signed));
    await storeEpochs(db, made.epochs);
    const { app } = await build(t, {
      db,
      env: { SEALBOX_ORG_PUBLIC_KEY: toBase64Url(made.org.publicKey) },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const client = new Submitter(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);

    const before = await submitCase(client, made.keyset, {
      answers: {},
      message: 'before the outage',
    });
    t.equal((await client.request('GET', '/readyz')).status, 200);
    const proof = await client.proof();

    proxy.cut();
    const ready = await client.request('GET', '/readyz');
    t.equal(ready.status, 503, '/readyz says the database is gone');
    t.match(await ready.json(), { error: { code: String, message: String } });
    t.equal((await client.request('GET', '/healthz')).status, 200, 'the process still answers');
    for (const [method, path, body] of [
      ['POST', '/v1/uploads', { challenge: proof, size: 10, partSize: 65_536 }],
      ['POST', '/v1/status', { lookupToken: before.lookupToken }],
      ['GET', '/v1/keyset', undefined],
    ] as const) {
      const res = await client.request(method, path, body);
      t.equal(res.status, 503, `${method} ${path} answers 503 while the database is away`);
      t.match(await res.json(), { error: { code: String, message: String } });
    }

    proxy.restore();
    let readyAgain = 0;
    for (let i = 0; i < 50 && readyAgain !== 200; i++) {
      readyAgain = (await client.request('GET', '/readyz')).status;
      if (readyAgain !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    t.equal(readyAgain, 200, 'ready again without a restart');
    const after = await submitCase(client, made.keyset, {
      answers: {},
      message: 'after the outage',
    });
    for (const filed of [before, after]) {
      const status = await client.json<{ status: string }>('POST', '/v1/status', {
        lookupToken: filed.lookupToken,
      });
      t.equal(status.status, 'received', 'acknowledged case is there');
    }
  },
);
