// `sealbox reviewer create` keeps no identity X-Wing seed, and `sealbox
// reviewer epochs` makes epoch keys ahead, numbered on, published once per
// outbox, verified by the keyset's chain.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { parseReviewerCard, verifyEpochKey } from '../../client-crypto/index.ts';
import { run } from '../../reviewer/cli.ts';
import { EXIT } from '../../reviewer/exit-codes.ts';
import { date, day, unlocked } from './epoch-fixtures.ts';
import { epochKeysIn, makeEpochKeys, makeSetup, tempDir, testIo } from './fixtures.ts';

t.test(
  'a new reviewer key file holds no identity seed; its card and keyset still work',
  async (t) => {
    const dir = await tempDir(t);
    const s = await makeSetup(dir);
    const { secrets, secret } = await unlocked(s.anaKey);
    t.equal(secrets.kemSecretKey, null, 'no identity X-Wing seed');
    t.equal(new TextDecoder().decode(secret.subarray(0, 4)), 'SBR2', 'version 2 secret');
    const card = parseReviewerCard(JSON.parse(await readFile(join(dir, 'ana.card.json'), 'utf8')));
    t.same(card.kem, secrets.kemPublicKey, 'the card carries the identity X-Wing public key');
    for (const signed of s.epochs) {
      const verified = await verifyEpochKey(signed, s.keyset);
      t.ok(['Ana', 'Ben'].includes(verified.reviewerName));
    }
    t.same(
      s.sealing.recipients.map((r) => [r.reviewerName, r.epoch]),
      [
        ['Ana', 1],
        ['Ben', 1],
      ],
    );
  },
);

t.test('epochs ahead, numbered on, each published once per outbox', async (t) => {
  const dir = await tempDir(t);
  const s = await makeSetup(dir);
  const cases = join(dir, 'ana-cases');
  const outbox = join(dir, 'ana-outbox.jsonl');
  const again = await makeEpochKeys({ key: s.anaKey, cases, outbox, now: day(0) });
  t.same(again.made, [], 'enough keys already');
  t.equal(again.published, 0, 'nothing appended twice');
  t.equal(again.reachesUntil, date(56));

  // Five weeks on, with --ahead 10 and two-week epochs: numbers go on from 8.
  const io = testIo();
  const later = await makeEpochKeys(
    { key: s.anaKey, cases, outbox, ahead: 10, days: 14, now: day(35) },
    io,
  );
  t.same(later.made, [9, 10, 11, 12, 13, 14, 15]);
  const keys = await epochKeysIn(outbox);
  const payloads = await Promise.all(keys.map((k) => verifyEpochKey(k, s.keyset)));
  const nine = payloads.find((p) => p.epoch === 9)!;
  t.equal(nine.starts, date(56), 'the next starts when the last one ends');
  t.equal(nine.ends, date(70));
  t.match(io.lines.join('\n'), /Your keys now reach until/);
  t.match(io.lines.join('\n'), /carry it to the courier computer/);

  // An emptied outbox (carried away) gets every live key again.
  const fresh = join(dir, 'fresh.jsonl');
  const republished = await makeEpochKeys({ key: s.anaKey, cases, outbox: fresh, now: day(35) });
  t.equal(
    republished.published,
    (await unlocked(s.anaKey)).secrets.epochs.filter((e) => e.ends > date(35)).length,
  );
  const published = new Set(keys.map((k) => k.signature));
  t.ok(
    (await epochKeysIn(fresh)).every((k) => published.has(k.signature)),
    'the same signed objects, byte for byte',
  );
});

t.test('the command line checks its numbers', async (t) => {
  const dir = await tempDir(t);
  const s = await makeSetup(dir);
  const base = ['reviewer', 'epochs', '--key', s.anaKey, '--cases', join(dir, 'c')];
  for (const extra of [
    ['--ahead', '0'],
    ['--days', '93'],
    ['--grace', '1'],
    ['--ahead', 'x'],
  ]) {
    const io = testIo();
    t.equal(await run([...base, ...extra], io), EXIT.usage, extra.join(' '));
  }
  const io = testIo();
  t.equal(await run([...base, '--grace', '30'], io), EXIT.ok);
  const state = JSON.parse(await readFile(join(dir, 'c', '.sealbox', 'state.json'), 'utf8')) as {
    graceDays?: number;
  };
  t.equal(state.graceDays, 30, 'the folder keeps the grace period for review open');
});
