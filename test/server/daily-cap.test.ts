// The daily cap (server/db/daily-cap.ts): one row per day counts the
// admissions reserved; instances reserve in blocks and hand them out from
// memory. Between them they never admit more than the cap, however many
// requests race — on PostgreSQL through many connections, on PGlite through
// its one session.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { FileMigrationProvider, Migrator } from 'kysely';
import t from 'tap';
import { DailyAllowance, MAX_BLOCK, reserveAdmissions } from '../../server/db/daily-cap.ts';
import { today } from '../../server/db/dates.ts';
import { storeKeyset } from '../../server/db/keysets.ts';
import { migrateToLatest, migrationFolder } from '../../server/db/migrate.ts';
import { runMaintenance } from '../../server/maintenance.ts';
import { dayCount, insertSubmission, racingDatabase, testDatabase } from '../helper.ts';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

t.test('reservations never pass the cap', async (t) => {
  const { db, wide } = await racingDatabase(t);

  await t.test('50 at once, one each, cap 20, on a day with no row yet', async (t) => {
    const day = '2030-02-01';
    const granted = await Promise.all(
      Array.from({ length: 50 }, () => reserveAdmissions(wide, day, 1, 20)),
    );
    t.equal(sum(granted.map((g) => g.granted)), 20);
    t.equal(await dayCount(db, day), 20);
    t.same(await reserveAdmissions(db, day, 1, 20), { granted: 0, count: 20 });
  });

  await t.test('50 at once, blocks of 3, cap 100: the last block shrinks to fit', async (t) => {
    const day = '2030-02-02';
    const granted = await Promise.all(
      Array.from({ length: 50 }, () => reserveAdmissions(wide, day, 3, 100)),
    );
    t.equal(sum(granted.map((g) => g.granted)), 100, 'the cap exactly, never more');
    t.ok(
      granted.every((g) => [0, 1, 3].includes(g.granted)),
      'a block, one, or nothing',
    );
    t.equal(await dayCount(db, day), 100);
  });
});

t.test('three instances, 1,500 requests at once, cap 1,000', async (t) => {
  const { db, wide } = await racingDatabase(t);
  const day = '2030-02-03';
  const instances = [0, 1, 2].map(() => new DailyAllowance(wide, 1000));
  const taken = await Promise.all(
    Array.from({ length: 1500 }, (_, i) => instances[i % 3]!.take(day)),
  );
  const admitted = taken.filter(Boolean).length;
  t.ok(admitted <= 1000, `never more than the cap (${admitted})`);
  t.equal(await dayCount(db, day), 1000, 'demand above the cap reserves all of it');
  // What the instances still hold unused is handed out before they refuse.
  let drained = 0;
  for (const instance of instances) while (await instance.take(day)) drained++;
  t.equal(admitted + drained, 1000, 'every reserved admission is used, none twice');
  t.ok(drained <= 3 * MAX_BLOCK, `held back at most a block per instance (${drained})`);
  t.equal(await dayCount(db, day), 1000);
});

t.test('an allowance', async (t) => {
  const db = await testDatabase(t);

  await t.test('reserves in blocks, and gives back what no case used', async (t) => {
    const day = '2030-03-01';
    const allowance = new DailyAllowance(db, 100_000);
    t.equal(await allowance.take(day), true);
    t.equal(await dayCount(db, day), MAX_BLOCK, 'one reservation for a block');
    for (let i = 1; i < MAX_BLOCK; i++) await allowance.take(day);
    t.equal(await dayCount(db, day), MAX_BLOCK, 'the block served from memory');
    allowance.giveBack(day);
    t.equal(await allowance.take(day), true);
    t.equal(await dayCount(db, day), MAX_BLOCK, 'what was given back is used first');
    t.equal(await allowance.take(day), true);
    t.equal(await dayCount(db, day), 2 * MAX_BLOCK, 'then the next block');
  });

  await t.test('one at a time near the cap, and a full day stays full', async (t) => {
    const day = '2030-03-02';
    const allowance = new DailyAllowance(db, 3);
    t.same(
      [
        await allowance.take(day),
        await allowance.take(day),
        await allowance.take(day),
        await allowance.take(day),
      ],
      [true, true, true, false],
    );
    t.equal(await dayCount(db, day), 3);
    await db.deleteFrom('submissions_per_day').where('day', '=', day).execute();
    t.equal(await allowance.take(day), false, 'no query once the day is full');
  });

  await t.test('past the soft cap, only what asks above it, up to the hard cap', async (t) => {
    const day = '2030-03-03';
    const counts: number[] = [];
    const allowance = new DailyAllowance(db, { soft: 2, hard: 4 }, undefined, (d, n) => {
      if (d === day) counts.push(n);
    });
    t.same([await allowance.take(day), await allowance.take(day)], [true, true], 'the soft cap');
    t.equal(await allowance.take(day), false, 'nothing more within it');
    t.notOk(allowance.isFull(day));
    t.same(
      [await allowance.takeAboveSoft(day), await allowance.takeAboveSoft(day)],
      [true, true],
      'two more above it',
    );
    t.equal(await allowance.takeAboveSoft(day), false, 'none past the hard cap');
    t.ok(allowance.isFull(day));
    t.equal(await allowance.take(day), false, 'and none within the soft cap either');
    t.equal(await dayCount(db, day), 4, 'one count for both caps');
    t.same(counts, [1, 2, 2, 3, 4, 4], 'the day count is told after each reservation');
    allowance.giveBack(day, 'hard');
    t.equal(await allowance.takeAboveSoft(day), true, 'what is given back above serves above');
    t.equal(await allowance.take(day), false, 'but not within the soft cap');
  });

  await t.test(
    'a new day starts afresh; a request from before midnight still counts',
    async (t) => {
      const allowance = new DailyAllowance(db, 100_000);
      t.equal(await allowance.take('2030-04-01'), true);
      t.equal(await allowance.take('2030-04-02'), true);
      t.equal(await dayCount(db, '2030-04-02'), MAX_BLOCK);
      t.equal(await allowance.take('2030-04-01'), true);
      t.equal(await dayCount(db, '2030-04-01'), MAX_BLOCK + 1, 'the late one reserved alone');
      allowance.giveBack('2030-04-01');
      t.equal(await allowance.take('2030-04-02'), true);
      t.equal(await dayCount(db, '2030-04-02'), MAX_BLOCK, 'nothing carried across days');
    },
  );

  await t.test('retention keeps only today and yesterday', async (t) => {
    const now = new Date('2030-04-03T12:00:00Z');
    await runMaintenance(db, { retentionDays: 30 }, now);
    const days = await db.selectFrom('submissions_per_day').select('day').orderBy('day').execute();
    t.same(
      days.map((d) => d.day),
      ['2030-04-02'],
    );
  });
});

t.test('the migration counts the cases already received', async (t) => {
  const db = await testDatabase(t);
  await storeKeyset(db, 1, '{}');
  const names = (await fs.readdir(migrationFolder)).filter((n) => n.endsWith('.ts')).sort();
  const mine = names.findIndex((n) => n.includes('_submissions_per_day'));
  t.ok(mine > 0);
  const migrator = new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder }),
  });
  const down = await migrator.migrateTo(names[mine - 1]!.replace(/\.ts$/, ''));
  t.error(down.error);
  const now = today();
  for (const [i, received] of [now, now, now, '2020-01-01'].entries()) {
    await insertSubmission(db, {
      caseId: `c${i}`,
      lookupHash: new Uint8Array(randomBytes(32)),
      keysetVersion: 1,
      envelope: new Uint8Array([i]),
      received,
    });
  }
  await migrateToLatest(db);
  t.equal(await dayCount(db, now), 3, "today's cases count from the first request");
  t.equal(await dayCount(db, '2020-01-01'), undefined, 'old days are not written');
});
