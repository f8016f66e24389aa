// Many clients submit at once; every acknowledged case is exported and opened
// by the reviewer tool exactly once, and nothing else appears.
// SEALBOX_CONCURRENT_SUBMISSIONS sets the count (200 here; the soak runs 10,000).
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { storeKeyset } from '../../server/db/keysets.ts';
import { makeOrganisation } from '../audit/organisation.ts';
import { build, testDatabase } from '../helper.ts';
import { reviewAll, submitMany } from './many.ts';

const COUNT = Number(process.env.SEALBOX_CONCURRENT_SUBMISSIONS ?? 200);

t.test(`${COUNT} concurrent submissions are each opened exactly once`, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-many-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const db = await testDatabase(t);
  const org = await makeOrganisation(dir);
  await storeKeyset(db, 1, JSON.stringify(org.signed));
  const { app } = await build(t, {
    db,
    env: {
      SEALBOX_ORG_FINGERPRINT: org.fingerprint,
      SEALBOX_WRITES_PER_MINUTE: '1000000',
      SEALBOX_READS_PER_MINUTE: '1000000',
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const server = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const { acknowledged, refused } = await submitMany(server, org, COUNT, 40);
  t.equal(refused, 0, 'no submission refused');
  t.equal(acknowledged.size, COUNT);
  const { pulled, opened, seen } = await reviewAll(server, org);
  t.equal(pulled, COUNT, 'all exported');
  t.equal(opened, COUNT, 'all opened');
  const twice = [...seen].filter(([, times]) => times !== 1);
  t.same(twice, [], 'each exactly once');
  t.same(
    [...seen.keys()].sort((a, b) => a - b),
    [...acknowledged].sort((a, b) => a - b),
    'exactly the acknowledged ones',
  );
});
