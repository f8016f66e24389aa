// First start without any keyset and without a configured organisation key:
// make a clearly labelled DEMO organisation, one reviewer and one courier in
// the data directory, so that `npm start` shows the whole cycle at once.
// Their key files are locked with a passphrase that is printed and written
// next to them: they protect nothing and must never receive real cases.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  concatBytes,
  courierCard,
  fingerprint,
  fromBase64Url,
  generateCourierKey,
  generateOrganisationKey,
  generateReviewerIdentity,
  isoDate,
  lockKeyFile,
  reviewerCard,
  signKeyset,
  toBase64Url,
} from '../client-crypto/index.ts';
import type { Keyset, SignedKeyset } from '../client-crypto/index.ts';

export const DEMO_PASSPHRASE = 'sealbox-demo-not-a-secret';
// Argon2id INTERACTIVE: the demo passphrase is public anyway.
const DEMO_COST = { opsLimit: 2, memLimit: 67_108_864 };

export interface Demo {
  dir: string;
  organisationPublicKey: Uint8Array;
  signed: SignedKeyset;
  keyset: Keyset;
}

const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n';

export function demoDir(dataDir: string): string {
  return join(dataDir, 'demo');
}

/** The DEMO organisation's public key, if a demo was made in this data directory. */
export async function readDemoOrganisation(dataDir: string): Promise<Uint8Array | undefined> {
  try {
    const text = await readFile(join(demoDir(dataDir), 'organisation-public.json'), 'utf8');
    return fromBase64Url((JSON.parse(text) as { publicKey: string }).publicKey);
  } catch {
    return undefined;
  }
}

export async function createDemo(dataDir: string, now = new Date()): Promise<Demo> {
  const dir = demoDir(dataDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const org = await generateOrganisationKey();
  const reviewer = await generateReviewerIdentity('DEMO reviewer');
  const courier = await generateCourierKey('DEMO courier');
  const keyset: Keyset = {
    version: 1,
    issued: isoDate(now),
    expires: isoDate(new Date(now.getTime() + 365 * 86_400_000)),
    reviewers: [reviewerCard(reviewer)],
    couriers: [courierCard(courier)],
  };
  const signed = await signKeyset(keyset, org);
  const write = (name: string, text: string) =>
    writeFile(join(dir, name), text, { mode: 0o600, flag: 'wx' });

  await write(
    'README.txt',
    [
      'DEMO KEYS - NOT FOR REAL CASES',
      '',
      'Sealbox made these keys because it started without a keyset and without an',
      'organisation key. Anyone who reads this folder can decrypt every case sealed',
      `to them: the key files are locked with the public passphrase "${DEMO_PASSPHRASE}".`,
      'For real use, create the organisation key offline (sealbox organisation create),',
      'and give the server SEALBOX_ORG_FINGERPRINT and SEALBOX_KEYSET_FILE.',
      '',
    ].join('\n'),
  );
  await write('passphrase.txt', DEMO_PASSPHRASE + '\n');
  const lock = async (kind: 'organisation' | 'reviewer' | 'courier', secret: Uint8Array) =>
    json(await lockKeyFile(kind, secret, DEMO_PASSPHRASE, DEMO_COST));
  await write('organisation.key', await lock('organisation', org.secretKey));
  await write(
    'reviewer.key',
    await lock('reviewer', concatBytes(reviewer.kemSecretKey, reviewer.signSecretKey)),
  );
  await write('courier.key', await lock('courier', courier.secretKey));
  await write('reviewer-card.json', json(reviewerCard(reviewer)));
  await write('courier-card.json', json(courierCard(courier)));
  await write('keyset.json', json(signed));
  await write(
    'organisation-public.json',
    json({
      demo: true,
      publicKey: toBase64Url(org.publicKey),
      fingerprint: await fingerprint(org.publicKey),
    }),
  );
  return { dir, organisationPublicKey: org.publicKey, signed, keyset };
}
