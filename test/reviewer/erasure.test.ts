// Forward secrecy on the reviewer's laptop: epoch keys made by `sealbox
// reviewer epochs`, items opened with them, and their seeds erased once the
// rule holds (docs/protocol.md, "Reviewer erasure"). After erasure, the same
// key file and passphrase cannot open the items again, and the seed's bytes
// are nowhere in the key file, its side files or the case folder's state.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { sealingKeys } from '../../client-crypto/index.ts';
import { openOutcome, reviewOpen } from '../../reviewer/commands/review-open.ts';
import { EXIT, exitCodeOf } from '../../reviewer/exit-codes.ts';
import { date, day, filesUnder, unlocked, whereIs } from './epoch-fixtures.ts';
import {
  type ItemSpec,
  makeEpochKeys,
  makeSetup,
  sealItem,
  tempDir,
  testIo,
  writeBundle,
} from './fixtures.ts';

t.test('epoch 1 is erased once the rule holds, and then stays closed', async (t) => {
  const dir = await tempDir(t);
  const s = await makeSetup(dir);
  const cases = join(dir, 'cases');
  const trust = { keyset: s.keysetFile, organisation: s.orgFingerprint };
  const open = (bundle: string, now: Date, folder = cases) =>
    reviewOpen({ bundle, key: s.anaKey, cases: folder, ...trust, now }, testIo());

  // Day 0: a submission sealed to epoch 1, opened.
  const spec: ItemSpec = { kind: 'submission', id: 'case-1', seq: 1, message: 'Epoch one' };
  const { envelope } = await sealItem(spec, s.sealing, s);
  const submission = { ...spec, envelope };
  const bundle1 = join(dir, 'b1.sbx');
  await writeBundle(bundle1, [submission], s.sealing, s, { created: date(0) });
  t.same((await open(bundle1, day(0))).opened, ['case-1']);
  const { secrets: before } = await unlocked(s.anaKey);
  const epoch1 = before.epochs.find((e) => e.epoch === 1)!;
  t.equal(epoch1.starts, date(0), 'epoch 1 starts the day the keys were made');
  const seed = epoch1.keyPair.secretKey.slice();

  // Day 8: a follow-up to the same case, sealed to epoch 2, joins its case.
  const epoch2Sealing = await sealingKeys(s.keyset, s.epochs, day(8));
  t.same(
    epoch2Sealing.recipients.map((r) => r.epoch),
    [2, 2],
  );
  const followup: ItemSpec = {
    kind: 'followup',
    id: 'fu-1',
    caseId: 'case-1',
    seq: 2,
    received: date(8),
  };
  const bundle2 = join(dir, 'b2.sbx');
  await writeBundle(bundle2, [followup], epoch2Sealing, s, { after: 1, created: date(9) });
  t.same((await open(bundle2, day(9))).opened, ['fu-1']);
  const record = JSON.parse(await readFile(join(cases, 'case-1', 'case.json'), 'utf8')) as {
    items: { itemId: string }[];
  };
  t.same(
    record.items.map((i) => i.itemId),
    ['case-1', 'fu-1'],
    'the epoch 2 follow-up joins the case that began in epoch 1',
  );
  const state = () =>
    readFile(join(cases, '.sealbox', 'state.json'), 'utf8').then(
      (text) => JSON.parse(text) as Record<string, unknown>,
    );
  t.same(
    Object.fromEntries(
      Object.entries((await state()).opened as Record<string, { epoch: number }>).map(([id, o]) => [
        id,
        o.epoch,
      ]),
    ),
    { 'case-1': 1, 'fu-1': 2 },
    'the folder remembers which epoch opened each item',
  );
  t.ok(
    (await unlocked(s.anaKey)).secrets.epochs.some((e) => e.epoch === 1),
    'grace: kept',
  );

  // Day 21: epoch 1 ended on day 7, its grace of 14 days is over, and a bundle
  // made on day 21 connects to the ones before: opening it erases epoch 1.
  const bundle3 = join(dir, 'b3.sbx');
  await writeBundle(bundle3, [], s.sealing, s, { after: 2, created: date(21) });
  const io = testIo();
  await reviewOpen({ bundle: bundle3, key: s.anaKey, cases, ...trust, now: day(21) }, io);
  t.match(io.lines.join('\n'), /Erased for good: key 1\./);
  t.match(io.lines.join('\n'), /NOT encrypted/);

  const after = await unlocked(s.anaKey);
  t.same(
    after.secrets.epochs.map((e) => e.epoch),
    [2, 3, 4, 5, 6, 7, 8],
    'only epoch 1 is gone',
  );
  t.same(
    await whereIs(seed, [s.anaKey, ...(await filesUnder(join(cases, '.sealbox')))], after.secret),
    [],
    'the erased seed is nowhere: key file, unlocked secret, folder state',
  );
  t.same(
    (await readdir(dir)).filter((name) => name.startsWith('ana.key')),
    ['ana.key'],
    'no side file of the key file is left',
  );
  const erased = (await state()).erased as { epoch: number; recipientId: string }[];
  t.same(
    erased.map((e) => e.epoch),
    [1],
    'the folder records the erased epoch (public)',
  );

  // A copy of the first bundle, opened with the same key file and passphrase
  // into a fresh folder: nothing opens.
  const fresh = await open(bundle1, day(21), join(dir, 'elsewhere'));
  t.same(fresh.opened, []);
  t.equal(exitCodeOf(openOutcome(fresh)), EXIT.wrongKey);

  // The same envelope under another id (a copy a courier or a backup kept),
  // into the reviewer's folder: named as sealed to an erased epoch, with its
  // own code, instead of "not for this key".
  const again = join(dir, 'again.sbx');
  await writeBundle(again, [{ ...submission, id: 'case-1-copy', seq: 3 }], s.sealing, s, {
    after: 2,
    created: date(21),
  });
  const report = await open(again, day(21));
  t.same(report.sealedToErased, [{ id: 'case-1-copy', epoch: 1 }]);
  const outcome = openOutcome(report);
  t.equal(outcome?.code, 'EPOCH_ERASED');
  t.equal(exitCodeOf(outcome), EXIT.epochErased);
});

t.test('no erasure across a cursor gap, nor while an item sealed to it waits', async (t) => {
  const dir = await tempDir(t);
  const s = await makeSetup(dir);
  const cases = join(dir, 'cases');
  const trust = { keyset: s.keysetFile, organisation: s.orgFingerprint };
  const open = (bundle: string, now: Date) =>
    reviewOpen({ bundle, key: s.anaKey, cases, ...trust, now }, testIo());
  const held = async () => (await unlocked(s.anaKey)).secrets.epochs.map((e) => e.epoch);

  // A follow-up sealed in epoch 1 whose case has not arrived: it waits.
  const waiting = join(dir, 'waiting.sbx');
  const followup: ItemSpec = { kind: 'followup', id: 'fu-x', caseId: 'case-x', seq: 1 };
  await writeBundle(waiting, [followup], s.sealing, s, { created: date(0) });
  t.same((await open(waiting, day(0))).waiting, ['fu-x']);

  // Day 30, bundle made that day but not connected (after 5: items 2 to 5 missing).
  const gap = join(dir, 'gap.sbx');
  await writeBundle(gap, [], s.sealing, s, { after: 5, created: date(30) });
  await open(gap, day(30));
  t.ok((await held()).includes(1), 'a gap: epoch 1 kept');

  // The missing items arrive (the case's submission among them): the chain
  // now reaches day 30, but the follow-up sealed to epoch 1 still waits.
  const fill = join(dir, 'fill.sbx');
  const submission: ItemSpec = { kind: 'submission', id: 'case-x', seq: 5 };
  await writeBundle(fill, [submission], s.sealing, s, { after: 1, created: date(2) });
  t.same((await open(fill, day(30))).opened, ['case-x']);
  t.ok((await held()).includes(1), 'a waiting item sealed to epoch 1: kept');
  const io = testIo();
  const report = await makeEpochKeys({ key: s.anaKey, cases, now: day(30) }, io);
  t.same(
    report.erased.map((e) => e.epoch),
    [],
  );
  t.match(io.lines.join('\n'), /Kept for now: key 1 .*1 waiting follow-up/);

  // Opening the waiting follow-up again (now its case is there) lets epoch 1 go.
  const opened = await open(waiting, day(30));
  t.same(opened.opened, ['fu-x']);
  t.notOk((await held()).includes(1), 'epoch 1 erased once nothing sealed to it waits');
});
