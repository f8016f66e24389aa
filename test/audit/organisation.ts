// A real organisation made through the real commands: root key, one reviewer,
// one courier, and the keyset the root signed; the reviewer holds epoch keys
// for the weeks around today, their seeds in its key file (secret version 2)
// and their signed public halves ready to publish. Key files are locked with
// the test passphrase at the low test cost. With desks, a second reviewer and
// a keyset with two desks, signed through `sign-keyset --desks`.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addDays, isoDate, reviewerFingerprint, verifyKeyset } from '../../client-crypto/index.ts';
import type { Keyset, ReviewerCard, SignedEpochKey } from '../../client-crypto/index.ts';
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
  /** With `desks`: Ben's key file, the one reviewer of desk B (Ana is desk A's). */
  benKey?: string;
  courierKey: string;
  keysetFile: string;
  signed: unknown;
  keyset: Keyset;
  /** The reviewers' signed epoch keys: last week, this week, the next two. */
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

/**
 * With `epochs: false` the reviewer holds no epoch key yet (the test makes them,
 * with `sealbox reviewer epochs`). With `desks`, a second reviewer, Ben, and a
 * keyset signed with `--desks`: desk "a" (Treaty bodies) is Ana's alone, desk
 * "b" (Special procedures) Ben's alone.
 */
export async function makeOrganisation(
  dir: string,
  options: { epochs?: boolean; desks?: boolean } = {},
): Promise<Organisation> {
  const io = testIo();
  const p = (name: string): string => join(dir, name);
  const org = await organisationCreate({ out: p('org.key') }, io);
  await reviewerCreate({ name: 'Ana', out: p('ana.key'), card: p('ana.card.json') }, io);
  await courierKeygen({ name: 'Courier', out: p('courier.key'), card: p('courier.card.json') }, io);
  const reviewers = [p('ana.card.json')];
  if (options.desks) {
    await reviewerCreate({ name: 'Ben', out: p('ben.key'), card: p('ben.card.json') }, io);
    reviewers.push(p('ben.card.json'));
    const [ana, ben] = await Promise.all(
      reviewers.map(async (card) =>
        reviewerFingerprint(JSON.parse(await readFile(card, 'utf8')) as ReviewerCard),
      ),
    );
    const desks = [
      { id: 'a', names: { en: 'Treaty bodies' }, reviewers: [ana] },
      { id: 'b', names: { en: 'Special procedures' }, reviewers: [ben] },
    ];
    await writeFile(p('desks.json'), JSON.stringify(desks));
  }
  await organisationSignKeyset(
    {
      key: p('org.key'),
      reviewers,
      ...(options.desks ? { desks: p('desks.json') } : {}),
      couriers: [p('courier.card.json')],
      version: 1,
      expires: '2099-12-31',
      out: p('keyset.json'),
    },
    io,
  );
  const signed: unknown = JSON.parse(await readFile(p('keyset.json'), 'utf8'));
  const keyset = await verifyKeyset(signed, { fingerprint: org.fingerprint });
  const epochs: SignedEpochKey[] = [];
  if (options.epochs !== false) {
    epochs.push(...(await addEpochKeys(p('ana.key'))));
    if (options.desks) epochs.push(...(await addEpochKeys(p('ben.key'))));
  }
  return {
    dir,
    io,
    fingerprint: org.fingerprint,
    publicKey: org.publicKey,
    reviewerKey: p('ana.key'),
    ...(options.desks ? { benKey: p('ben.key') } : {}),
    courierKey: p('courier.key'),
    keysetFile: p('keyset.json'),
    signed,
    keyset,
    epochs,
  };
}
