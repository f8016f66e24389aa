// A real organisation made through the real commands: root key, one reviewer,
// one courier, and the keyset the root signed; the reviewer holds epoch keys
// for the weeks around today, their seeds in its key file (secret version 2)
// and their signed public halves ready to publish. Key files are locked with
// the test passphrase at the low test cost.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addDays, isoDate, verifyKeyset } from '../../client-crypto/index.ts';
import type { Keyset, SignedEpochKey } from '../../client-crypto/index.ts';
import type { Db } from '../../server/db/database.ts';
import { storeKeyset } from '../../server/db/keysets.ts';
import { keyFileCost } from '../../reviewer/keys.ts';
import { courierKeygen } from '../../reviewer/courier/commands.ts';
import {
  organisationCreate,
  organisationSignKeyset,
} from '../../reviewer/commands/organisation.ts';
import { reviewerCreate } from '../../reviewer/commands/reviewer-identity.ts';
import { addEpochsToKeyFile } from '../../bench/lib/epochs.ts';
import { storeSignedEpochs } from '../helper.ts';
import { PASSPHRASE, TEST_ENV, testIo } from '../reviewer/fixtures.ts';
import type { TestIo } from '../reviewer/fixtures.ts';

export interface Organisation {
  dir: string;
  io: TestIo;
  fingerprint: string;
  publicKey: string;
  reviewerKey: string;
  courierKey: string;
  keysetFile: string;
  signed: unknown;
  keyset: Keyset;
  /** The reviewer's signed epoch keys: last week, this week, the next two. */
  epochs: SignedEpochKey[];
}

/**
 * Adds to a reviewer key file the epoch keys of four weeks, from a week
 * before `now`: their seeds go into the file, their signed halves are returned.
 */
export async function addEpochKeys(path: string, now = new Date()): Promise<SignedEpochKey[]> {
  const first = addDays(isoDate(now), -10);
  return addEpochsToKeyFile(path, PASSPHRASE, keyFileCost(TEST_ENV), first, 4);
}

/** Publishes the organisation on a server's database: its keyset and the reviewer's epoch keys. */
export async function publishOrganisation(db: Db, org: Organisation): Promise<void> {
  await storeKeyset(db, org.keyset.version, JSON.stringify(org.signed));
  await storeSignedEpochs(db, org.epochs);
}

/** With `epochs: false` the reviewer holds no epoch key yet (the test makes them, with `sealbox reviewer epochs`). */
export async function makeOrganisation(
  dir: string,
  options: { epochs?: boolean } = {},
): Promise<Organisation> {
  const io = testIo();
  const p = (name: string): string => join(dir, name);
  const org = await organisationCreate({ out: p('org.key') }, io);
  await reviewerCreate({ name: 'Ana', out: p('ana.key'), card: p('ana.card.json') }, io);
  await courierKeygen({ name: 'Courier', out: p('courier.key'), card: p('courier.card.json') }, io);
  await organisationSignKeyset(
    {
      key: p('org.key'),
      reviewers: [p('ana.card.json')],
      couriers: [p('courier.card.json')],
      version: 1,
      expires: '2099-12-31',
      out: p('keyset.json'),
    },
    io,
  );
  const signed: unknown = JSON.parse(await readFile(p('keyset.json'), 'utf8'));
  const keyset = await verifyKeyset(signed, { fingerprint: org.fingerprint });
  const epochs = options.epochs === false ? [] : await addEpochKeys(p('ana.key'));
  return {
    dir,
    io,
    fingerprint: org.fingerprint,
    publicKey: org.publicKey,
    reviewerKey: p('ana.key'),
    courierKey: p('courier.key'),
    keysetFile: p('keyset.json'),
    signed,
    keyset,
    epochs,
  };
}
