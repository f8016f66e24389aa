// Key files from before epoch keys (version 1: the identity X-Wing seed and
// the signing key) still open items sealed to the identity key; `sealbox
// reviewer epochs` turns them into version 2, and the identity seed is erased
// by the epoch rule with `ends` = the first day of the first epoch.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import {
  concatBytes,
  deriveReceiptKeys,
  fingerprint,
  generateReceipt,
  generateOrganisationKey,
  generateReviewerIdentity,
  lockKeyFile,
  reviewerCard,
  signKeyset,
} from '../../client-crypto/index.ts';
import { openOutcome, reviewOpen } from '../../reviewer/commands/review-open.ts';
import { keyFileCost } from '../../reviewer/keys.ts';
import { legacySealingKeys } from '../epochs.ts';
import { date, day, filesUnder, unlocked, whereIs } from './epoch-fixtures.ts';
import {
  type ItemSpec,
  PASSPHRASE,
  TEST_ENV,
  makeEpochKeys,
  sealItem,
  tempDir,
  testIo,
  writeBundle,
} from './fixtures.ts';

t.test('a version 1 key file opens legacy items until its seed is erased', async (t) => {
  const dir = await tempDir(t);
  const ana = await generateReviewerIdentity('Ana');
  const key = join(dir, 'ana.key');
  const v1 = concatBytes(ana.kemSecretKey, ana.signSecretKey);
  t.equal(v1.length, 96);
  await writeFile(
    key,
    JSON.stringify(await lockKeyFile('reviewer', v1, PASSPHRASE, keyFileCost(TEST_ENV))),
  );
  const org = await generateOrganisationKey();
  const keyset = {
    version: 1,
    issued: date(0),
    expires: '2099-12-31',
    reviewers: [reviewerCard(ana)],
    couriers: [],
  };
  const keysetFile = join(dir, 'keyset.json');
  await writeFile(keysetFile, JSON.stringify(await signKeyset(keyset, org)));
  const trust = { keyset: keysetFile, organisation: await fingerprint(org.publicKey) };
  const cases = join(dir, 'cases');
  const submitter = await deriveReceiptKeys(await generateReceipt());
  const legacy = legacySealingKeys(keyset);
  const spec: ItemSpec = { kind: 'submission', id: 'old-case', seq: 1 };
  const { envelope } = await sealItem(spec, legacy, submitter);
  const bundle1 = join(dir, 'b1.sbx');
  await writeBundle(bundle1, [{ ...spec, envelope }], legacy, submitter, { created: date(0) });
  const open = (bundle: string, n: number) =>
    reviewOpen({ bundle, key, cases, ...trust, now: day(n) }, testIo());
  t.same((await open(bundle1, 0)).opened, ['old-case'], 'the v1 file opens a legacy item');

  await makeEpochKeys({ key, cases, now: day(0) });
  const migrated = await unlocked(key);
  t.ok(migrated.secrets.kemSecretKey, 'the identity seed is kept while migrating');
  t.equal(migrated.secrets.epochs.length, 8);

  // Day 14: grace over for the identity key (its `ends` is day 0), and a bundle
  // of day 14 connects to the first: the identity seed goes, epoch 1 stays.
  const bundle2 = join(dir, 'b2.sbx');
  await writeBundle(bundle2, [], legacy, submitter, { after: 1, created: date(14) });
  await open(bundle2, 14);
  const after = await unlocked(key);
  t.equal(after.secrets.kemSecretKey, null, 'identity seed erased');
  t.equal(after.secrets.epochs[0]?.epoch, 1, 'epoch 1 kept (its grace runs to day 21)');
  t.same(
    await whereIs(ana.kemSecretKey, [key, ...(await filesUnder(cases))], after.secret),
    [],
    'the identity seed is nowhere',
  );
  const again = join(dir, 'again.sbx');
  await writeBundle(again, [{ ...spec, id: 'old-copy', seq: 2, envelope }], legacy, submitter, {
    after: 1,
    created: date(14),
  });
  const report = await open(again, 14);
  t.same(report.sealedToErased, [{ id: 'old-copy', epoch: 0 }]);
  t.equal(openOutcome(report)?.code, 'EPOCH_ERASED');
});
