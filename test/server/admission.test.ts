// Admitting a case (server/db/admission.ts): one statement spends the proof
// and stores the case, after the daily cap granted an admission. A proof never
// pays twice and the cap is never exceeded, however many requests race — on
// PostgreSQL through many connections and two server instances, on PGlite
// through its one session.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import t from 'tap';
import {} from '../../client-crypto/index.ts';
import { admitSubmission } from '../../server/db/admission.ts';
import type { Admission, AdmissionOutcome } from '../../server/db/admission.ts';
import type { Db } from '../../server/db/database.ts';
import { today } from '../../server/db/dates.ts';
import { storeKeyset } from '../../server/db/keysets.ts';
import { newId } from '../../server/ids.ts';
import {
  build,
  makeKeyset,
  postgresDatabase,
  sampleSubmission,
  seedKeyset,
  storeEpochs,
  dayCount,
  racingDatabase,
  solvedChallenge,
} from '../helper.ts';
import type { TestKeyset } from '../helper.ts';

type ErrorJson = { error: { code: string } };

const random32 = () => new Uint8Array(randomBytes(32));

function admission(
  day: string,
  over: { digest?: Uint8Array; lookupHash?: Uint8Array } = {},
): Admission {
  return {
    proof: { digest: over.digest ?? random32(), expiresOn: '2099-01-01' },
    submission: {
      caseId: newId(),
      lookupHash: over.lookupHash ?? random32(),
      keysetVersion: 1,
      envelope: new Uint8Array(randomBytes(64)),
      received: day,
      effortLevel: 0,
    },
  };
}

function tally(outcomes: AdmissionOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    const key = o.admitted ? 'admitted' : o.refused;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

async function casesOn(db: Db, day: string): Promise<number> {
  const row = await db
    .selectFrom('submissions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('received', '=', day)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function spentCount(db: Db): Promise<number> {
  const row = await db
    .selectFrom('spent_challenges')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

t.test('the statement that admits a case', async (t) => {
  const { db, wide } = await racingDatabase(t);
  await storeKeyset(db, 1, '{}');

  await t.test('one proof sent 50 times at once pays once', async (t) => {
    const day = '2030-01-02';
    const digest = random32();
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, () => admitSubmission(wide, admission(day, { digest }))),
    );
    t.same(tally(outcomes), { admitted: 1, 'proof spent': 49 });
    t.equal(await casesOn(db, day), 1);
  });

  await t.test('one receipt sent 10 times at once makes one case', async (t) => {
    const day = '2030-01-03';
    const lookupHash = random32();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => admitSubmission(wide, admission(day, { lookupHash }))),
    );
    t.same(tally(outcomes), { admitted: 1, 'receipt taken': 9 });
    t.equal(await casesOn(db, day), 1);
  });

  await t.test('one at a time: what each refusal leaves behind', async (t) => {
    const day = '2030-01-04';
    const lookupHash = random32();
    const first = admission(day, { lookupHash });
    t.match(await admitSubmission(db, first), { admitted: true, seq: Number });
    const spentBefore = await spentCount(db);

    const replay = admission(day, { digest: first.proof.digest });
    t.same(await admitSubmission(db, replay), { admitted: false, refused: 'proof spent' });
    t.equal(await spentCount(db), spentBefore, 'a replay records nothing');

    const taken = admission(day, { lookupHash });
    t.same(await admitSubmission(db, taken), { admitted: false, refused: 'receipt taken' });
    t.same(
      await admitSubmission(db, admission(day, { digest: taken.proof.digest })),
      { admitted: false, refused: 'proof spent' },
      'its proof is spent: a proof buys one attempt',
    );
    t.equal(await casesOn(db, day), 1);
  });

  await t.test('inside a transaction that rolls back, nothing stays', async (t) => {
    const day = '2030-01-06';
    const a = admission(day);
    await t.rejects(
      db.transaction().execute(async (trx) => {
        t.match(await admitSubmission(trx, a), { admitted: true });
        throw new Error('undo');
      }),
      /undo/,
    );
    t.equal(await casesOn(db, day), 0, 'no case');
    t.match(await admitSubmission(db, a), { admitted: true }, 'the proof is still unspent');
  });
});

t.test('POST /v1/submissions under a daily cap', async (t) => {
  const { db, url } = await racingDatabase(t);
  const seeded = await seedKeyset(db);
  // Published halfway, by another process (below).
  const next = await makeKeyset(2);
  // The cap alone: no level follows the day's fill, and no case past the cap at any level.
  const env = {
    SEALBOX_SUBMISSIONS_PER_DAY: '20',
    SEALBOX_SUBMISSIONS_HARD_PER_DAY: '20',
    SEALBOX_POW_LEVEL: '0',
    SEALBOX_WRITES_PER_MINUTE: '100000',
  };
  const apps = [(await build(t, { db, env })).app];
  if (url) {
    // A second instance with its own pool, as behind a load balancer.
    const second = postgresDatabase(url, 8);
    t.teardown(() => second.destroy());
    apps.push((await build(t, { db: second, env })).app);
  }
  const body = async (k: TestKeyset, uploads: string[] = []) => ({
    ...(await sampleSubmission(apps[0]!, k)),
    uploads,
  });

  await t.test('an unclaimable attachment stores nothing and spends the proof', async (t) => {
    const payload = await body(seeded, ['A'.repeat(22)]);
    const refused = await apps[0]!.inject({ method: 'POST', url: '/v1/submissions', payload });
    t.equal(refused.statusCode, 409);
    t.equal(refused.json<ErrorJson>().error.code, 'UPLOAD_NOT_CLAIMABLE');
    t.equal(await casesOn(db, today()), 0);
    t.equal(
      await dayCount(db, today()),
      1,
      'one admission reserved, and given back to the instance',
    );
    const again = await apps[0]!.inject({
      method: 'POST',
      url: '/v1/submissions',
      payload: { ...payload, uploads: [] },
    });
    t.equal(again.json<ErrorJson>().error.code, 'CHALLENGE_SPENT');
  });

  await t.test('a keyset published by another process is accepted at once', async (t) => {
    const payload = await body(next);
    const before = await apps[0]!.inject({ method: 'POST', url: '/v1/submissions', payload });
    t.equal(before.json<ErrorJson>().error.code, 'KEYSET_UNKNOWN');
    // Written behind the server's back, as another instance would.
    await storeEpochs(db, next.epochs);
    await sql`insert into keysets (version, signed, stored_on) values (2, ${JSON.stringify(next.signed)}, ${today()}::date)`.execute(
      db,
    );
    const after = await apps[0]!.inject({
      method: 'POST',
      url: '/v1/submissions',
      payload: { ...payload, challenge: await solvedChallenge(apps[0]!) },
    });
    t.equal(after.statusCode, 201, after.body);
    t.equal(await dayCount(db, today()), 1, 'the case used the admission given back');
  });

  await t.test('50 at once against a cap of 20: 19 more, then DAILY_LIMIT', async (t) => {
    // One case is already in today's count (the keyset test above).
    const spentBefore = await spentCount(db);
    const payloads = await Promise.all(Array.from({ length: 50 }, () => body(next)));
    const answers = await Promise.all(
      payloads.map((payload, i) =>
        apps[i % apps.length]!.inject({ method: 'POST', url: '/v1/submissions', payload }),
      ),
    );
    const codes: Record<string, number> = {};
    for (const a of answers) {
      const key = a.statusCode === 201 ? '201' : a.json<ErrorJson>().error.code;
      codes[key] = (codes[key] ?? 0) + 1;
    }
    t.same(codes, { 201: 19, DAILY_LIMIT: 31 });
    const limited = answers.find((a) => a.statusCode === 503)!;
    t.equal(limited.headers['retry-after'], '3600');
    t.equal(await casesOn(db, today()), 20);
    t.equal(await dayCount(db, today()), 20);
    t.equal(await spentCount(db), spentBefore + 19, 'a full day spends no proof');
  });
});
