// Two server instances on one PostgreSQL database while cases keep arriving on
// both: a courier that pulls from either instance in turn, acknowledging each
// bundle, receives every case exactly once — none twice, none skipped.
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { readBundle, toBase64Url } from '../../client-crypto/index.ts';
import { postgresDatabase } from '../../server/db/database.ts';
import { call, courierClient, send, signRequest } from '../../reviewer/courier/http.ts';
import type { CourierClient } from '../../reviewer/courier/http.ts';
import { build, onPostgres, seedKeyset, testPostgres } from '../helper.ts';
import { addSubmission } from './courier-fixtures.ts';

async function pullOnce(client: CourierClient): Promise<string[]> {
  const response = await send(await signRequest(client, 'GET', '/v1/courier/export'));
  const ids: string[] = [];
  let cursor: number | undefined;
  for await (const item of readBundle([new Uint8Array(await response.arrayBuffer())])) {
    if (item.type === 'submission') ids.push(item.meta.id);
    if (item.type === 'end') cursor = item.meta.cursor;
  }
  await call(client, 'POST', '/v1/courier/ack', { cursor });
  return ids;
}

t.test(
  'exports from two instances hand out each case once',
  { skip: onPostgres ? false : 'needs DATABASE_URL: PGlite is a single process' },
  async (t) => {
    const { db, url } = await testPostgres(t);
    const second = postgresDatabase(url, 4);
    t.teardown(() => second.destroy());
    const { org, courier, keyset } = await seedKeyset(db);
    const env = { SEALBOX_ORG_PUBLIC_KEY: toBase64Url(org.publicKey) };
    const clients: CourierClient[] = [];
    for (const handle of [db, second]) {
      const { app } = await build(t, { db: handle, env });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const port = (app.server.address() as AddressInfo).port;
      clients.push(courierClient(`http://127.0.0.1:${port}`, courier));
    }

    const written: string[] = [];
    let writing = true;
    const writer = async (handle: typeof db) => {
      // Paced, so that writes keep landing while the pulls run, not all before them.
      while (writing && written.length < 400) {
        written.push((await addSubmission(handle, keyset.version)).caseId);
        await sleep(10);
      }
    };
    const writers = [writer(db), writer(second), writer(db)];

    const received: string[] = [];
    let busyRounds = 0;
    for (let round = 0; round < 12; round++) {
      const ids = await pullOnce(clients[round % 2]!);
      if (ids.length > 0) busyRounds += 1;
      received.push(...ids);
    }
    writing = false;
    await Promise.all(writers);
    received.push(...(await pullOnce(clients[0]!)));

    t.ok(written.length > 20, `${written.length} cases written during the pulls`);
    t.ok(busyRounds >= 3, `${busyRounds} pulls brought cases while writes went on`);
    t.equal(new Set(received).size, received.length, 'no case handed out twice');
    t.same([...received].sort(), [...written].sort(), 'every case handed out');
  },
);
