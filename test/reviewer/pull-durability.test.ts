// `courier pull` acknowledges a cursor only once the bundle holding everything
// up to it is flushed to disk and renamed into place. The pull is stopped at
// each durable step in turn, as a crash would stop it; the next run must then
// deliver every item (none lost), each complete bundle must hold an item at
// most once, and nothing may be acknowledged that is not in a complete bundle.
import { open, readFile, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parseCourierCard, readBundle } from '../../client-crypto/index.ts';
import { courierPull, type PullStep, PullStopped } from '../../reviewer/courier/pull.ts';
import { ackedSeq } from '../../server/db/acks.ts';
import { storeKeyset } from '../../server/db/keysets.ts';
import { makeOrganisation } from '../audit/organisation.ts';
import { build, testDatabase } from '../helper.ts';
import { addFollowup, addSubmission, randomFile } from '../server/courier-fixtures.ts';
import { tempDir } from './fixtures.ts';

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** The ids (kind:id) of the submissions and follow-ups in a complete bundle, in order. */
async function itemsIn(path: string): Promise<string[]> {
  const ids: string[] = [];
  let ended = false;
  for await (const item of readBundle([await readFile(path)])) {
    if (item.type === 'submission' || item.type === 'followup')
      ids.push(`${item.type}:${item.meta.id}`);
    if (item.type === 'attachment') for await (const _ of item.body) void _;
    if (item.type === 'damaged') throw new Error(`${path} is damaged: ${item.error.message}`);
    if (item.type === 'end') ended = true;
  }
  if (!ended) throw new Error(`${path} has no end record`);
  return ids;
}

async function setup(t: Test) {
  const dir = await tempDir(t);
  const org = await makeOrganisation(dir);
  const db = await testDatabase(t);
  await storeKeyset(db, 1, JSON.stringify(org.signed));
  const { app } = await build(t, { db, env: { SEALBOX_ORG_FINGERPRINT: org.fingerprint } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const server = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const card = parseCourierCard(JSON.parse(await readFile(join(dir, 'courier.card.json'), 'utf8')));
  const acked = () => ackedSeq(db, card.publicKey);
  /** One case with a file and a follow-up; returns their bundle ids and the last seq. */
  const addCase = async () => {
    const s = await addSubmission(db, 1, [randomFile(70_000)]);
    const f = await addFollowup(db, s.seq, [randomFile(500)]);
    return { ids: [`submission:${s.caseId}`, `followup:${f.id}`], seq: f.seq };
  };
  return { dir, org, db, server, acked, addCase, connection: { server, key: org.courierKey } };
}

t.test('each step happens in order, and the server hears last', async (t) => {
  const s = await setup(t);
  const added = await s.addCase();
  const out = join(s.dir, 'bundle.sealbox');
  const seen: string[] = [];
  // Node's file handles, watched (not replaced): every fsync the pull asks for
  // joins the sequence. The PGlite server in this process does not use them.
  const probe = await open(join(s.dir, 'courier.key'), 'r');
  const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
  await probe.close();
  const realSync = proto.sync;
  proto.sync = function (this: unknown) {
    seen.push('fsync');
    return realSync.call(this);
  };
  t.teardown(() => {
    proto.sync = realSync;
  });
  const result = await courierPull(
    {
      ...s.connection,
      out,
      onStep: async (step) => {
        const state = {
          partial: await exists(`${out}.partial`),
          bundle: await exists(out),
          acked: await s.acked(),
        };
        seen.push(`${step} partial=${state.partial} bundle=${state.bundle} acked=${state.acked}`);
      },
    },
    s.org.io,
  );
  t.equal(result.cursor, added.seq);
  t.equal(result.items, added.ids.length, 'the items it reports are the items it wrote');
  proto.sync = realSync;
  t.same(seen, [
    'written partial=true bundle=false acked=0',
    'fsync', // the bundle file
    'synced partial=true bundle=false acked=0',
    'fsync', // its folder, after the rename
    'renamed partial=false bundle=true acked=0',
    `acknowledged partial=false bundle=true acked=${added.seq}`,
  ]);
  t.same(await itemsIn(out), added.ids);
});

const STEPS: PullStep[] = ['written', 'synced', 'renamed', 'acknowledged'];

for (const stop of STEPS) {
  t.test(`stopped after "${stop}": the next run loses nothing and doubles nothing`, async (t) => {
    const s = await setup(t);
    const before = await s.addCase();
    const first = join(s.dir, 'first.sealbox');
    await courierPull({ ...s.connection, out: first }, s.org.io);
    t.equal(await s.acked(), before.seq);

    const added = await s.addCase();
    const out = join(s.dir, 'second.sealbox');
    await t.rejects(
      courierPull(
        {
          ...s.connection,
          out,
          onStep: (step) => {
            if (step === stop) throw new PullStopped(`stopped after ${step}`);
          },
        },
        s.org.io,
      ),
      PullStopped,
    );
    const renamed = STEPS.indexOf(stop) >= STEPS.indexOf('renamed');
    t.equal(await exists(out), renamed, renamed ? 'the bundle is in place' : 'no bundle yet');
    t.equal(
      await s.acked(),
      stop === 'acknowledged' ? added.seq : before.seq,
      'nothing acknowledged that is not in a bundle in place',
    );

    // The next run: the same name while it is free (it finishes the partial
    // file), a new name once a bundle took it.
    const next = renamed ? join(s.dir, 'third.sealbox') : out;
    const again = await courierPull({ ...s.connection, out: next }, s.org.io);
    t.equal(again.cursor, added.seq);
    t.equal(await s.acked(), added.seq, 'everything is acknowledged now');
    t.notOk(await exists(`${out}.partial`), 'no partial file remains');

    const bundles = [first, out, ...(next === out ? [] : [next])];
    const delivered = new Map<string, number>();
    for (const path of bundles) {
      const ids = await itemsIn(path);
      t.equal(new Set(ids).size, ids.length, `${path}: each item once`);
      for (const id of ids) delivered.set(id, (delivered.get(id) ?? 0) + 1);
    }
    for (const id of [...before.ids, ...added.ids])
      t.ok((delivered.get(id) ?? 0) >= 1, `${id} was delivered`);
    t.same(await itemsIn(first), before.ids, 'the first bundle holds only the first case');
    // Stopped between the rename and the acknowledgement, the server did not
    // hear of the second bundle and sends its items again in the third;
    // review-open skips what it has already opened. Stopped anywhere else,
    // nothing is delivered twice.
    const twice = [...delivered].filter(([, n]) => n > 1).map(([id]) => id);
    t.same(twice, stop === 'renamed' ? added.ids : []);

    const empty = await courierPull(
      { ...s.connection, out: join(s.dir, 'last.sealbox') },
      s.org.io,
    );
    t.equal(empty.items, 0, 'a further pull brings nothing new');
  });
}
