// A real organisation made through the real commands: root key, one reviewer,
// one courier, and the keyset the root signed. Key files are locked with the
// test passphrase at the low test cost.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyKeyset } from '../../client-crypto/index.ts';
import type { Keyset } from '../../client-crypto/index.ts';
import { courierKeygen } from '../../reviewer/courier/commands.ts';
import {
  organisationCreate,
  organisationSignKeyset,
} from '../../reviewer/commands/organisation.ts';
import { reviewerCreate } from '../../reviewer/commands/reviewer-identity.ts';
import { testIo } from '../reviewer/fixtures.ts';
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
}

export async function makeOrganisation(dir: string): Promise<Organisation> {
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
  };
}
