// First start without any keyset and without a configured organisation key:
// make a clearly labelled DEMO organisation, one reviewer and one courier in
// the data directory, so that `npm start` shows the whole cycle at once.
// Their key files are locked with a passphrase that is printed and written
// next to them: they protect nothing and must never receive real cases. The
// DEMO reviewer holds weekly epoch keys for the keyset's whole year, their
// seeds in its key file and their signed halves in epochs.jsonl (stored by
// startup.ts), so that the page can seal from the first start.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  addDays,
  courierCard,
  encodeReviewerSecrets,
  generateEpochKey,
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
import type {
  EpochKey,
  EpochSecret,
  Keyset,
  ReviewerIdentity,
  SignedEpochKey,
  SignedKeyset,
} from '../client-crypto/index.ts';

export const DEMO_PASSPHRASE = 'sealbox-demo-not-a-secret';
// Argon2id INTERACTIVE: the demo passphrase is public anyway.
const DEMO_COST = { opsLimit: 2, memLimit: 67_108_864 };

export interface Demo {
  dir: string;
  organisationPublicKey: Uint8Array;
  signed: SignedKeyset;
  keyset: Keyset;
  /** The DEMO reviewer's epoch keys, as made: each with its signed public half. */
  epochs: { key: EpochKey; signed: SignedEpochKey }[];
}

export const DEMO_EPOCH_DAYS = 7;

/** The Monday of the week of `day` (UTC). */
export function weekOf(day: string): string {
  const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
  return addDays(day, -weekday);
}

/**
 * Weekly epoch keys from the week of `from` until `until` is covered, with
 * their seeds (for the key file) and their signed public halves.
 */
export async function demoEpochs(
  reviewer: ReviewerIdentity,
  from: string,
  until: string,
): Promise<{ secrets: EpochSecret[]; epochs: Demo['epochs'] }> {
  const secrets: EpochSecret[] = [];
  const epochs: Demo['epochs'] = [];
  for (
    let starts = weekOf(from), n = 1;
    starts < until;
    starts = addDays(starts, DEMO_EPOCH_DAYS)
  ) {
    const ends = addDays(starts, DEMO_EPOCH_DAYS);
    const made = await generateEpochKey(reviewer, n, starts, ends);
    secrets.push(made.secret);
    epochs.push({ key: made.key, signed: made.signed });
    n += 1;
  }
  return { secrets, epochs };
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
  const { secrets, epochs } = await demoEpochs(reviewer, keyset.issued, keyset.expires);
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
      `The DEMO reviewer has weekly epoch keys until ${keyset.expires}; epochs.jsonl`,
      'holds their signed public halves, which the server publishes at start.',
      '',
    ].join('\n'),
  );
  await write('passphrase.txt', DEMO_PASSPHRASE + '\n');
  const lock = async (kind: 'organisation' | 'reviewer' | 'courier', secret: Uint8Array) =>
    json(await lockKeyFile(kind, secret, DEMO_PASSPHRASE, DEMO_COST));
  await write('organisation.key', await lock('organisation', org.secretKey));
  // Secret version 2. The identity X-Wing seed is kept: a demo has no
  // sealed past to protect, and it opens anything sealed before epoch keys.
  await write(
    'reviewer.key',
    await lock(
      'reviewer',
      encodeReviewerSecrets({
        signPublicKey: reviewer.signPublicKey,
        signSecretKey: reviewer.signSecretKey,
        kemPublicKey: reviewer.kemPublicKey,
        kemSecretKey: reviewer.kemSecretKey,
        epochs: secrets,
      }),
    ),
  );
  await write('courier.key', await lock('courier', courier.secretKey));
  await write('reviewer-card.json', json(reviewerCard(reviewer)));
  await write('courier-card.json', json(courierCard(courier)));
  await write('keyset.json', json(signed));
  await write('epochs.jsonl', epochs.map((e) => `${JSON.stringify(e.signed)}\n`).join(''));
  await write(
    'organisation-public.json',
    json({
      demo: true,
      publicKey: toBase64Url(org.publicKey),
      fingerprint: await fingerprint(org.publicKey),
    }),
  );
  return { dir, organisationPublicKey: org.publicKey, signed, keyset, epochs };
}
