// First start: the DEMO organisation, reviewer and courier; a configured
// keyset file; refusals that name the variable.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import {
  fingerprint,
  fromBase64Url,
  decodeReviewerSecrets,
  sealingKeys,
  unlockKeyFile,
  verifyEpochKey,
  verifyKeyset,
  toBase64Url,
} from '../../client-crypto/index.ts';
import { ConfigError } from '../../server/config.ts';
import { today } from '../../server/db/dates.ts';
import { latestKeyset } from '../../server/db/keysets.ts';
import { DEMO_PASSPHRASE } from '../../server/demo.ts';
import { epochCoverage } from '../../server/epochs.ts';
import { ensureKeyset } from '../../server/startup.ts';
import { makeKeyset, testConfig, testDatabase } from '../helper.ts';

const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);

async function scratch(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-start-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test('no keyset and no organisation key: a DEMO keyset', async (t) => {
  const db = await testDatabase(t);
  const dataDir = await scratch(t);
  const notes: string[] = [];
  const config = await ensureKeyset(testConfig({ SEALBOX_DATA_DIR: dataDir }), db, notes);
  t.match(notes.join('\n'), /DEMO keys created in .*demo/);
  const files = await readdir(join(dataDir, 'demo'));
  for (const f of [
    'README.txt',
    'organisation.key',
    'reviewer.key',
    'courier.key',
    'keyset.json',
    'epochs.jsonl',
  ]) {
    t.ok(files.includes(f), `demo/${f}`);
  }
  t.match(await readFile(join(dataDir, 'demo', 'README.txt'), 'utf8'), /NOT FOR REAL CASES/);

  const stored = await latestKeyset(db);
  t.equal(stored?.version, 1);
  const keyset = await verifyKeyset(JSON.parse(stored!.signed), {
    publicKey: fromBase64Url(config.org.publicKey!),
  });
  t.match(keyset.reviewers[0]?.name, /DEMO/);

  // The reviewer key file opens with the printed passphrase and matches the card.
  const file: unknown = JSON.parse(await readFile(join(dataDir, 'demo', 'reviewer.key'), 'utf8'));
  const { kind, secret } = await unlockKeyFile(file, DEMO_PASSPHRASE);
  t.equal(kind, 'reviewer');
  const secrets = await decodeReviewerSecrets(secret);
  t.equal(toBase64Url(secrets.kemPublicKey), keyset.reviewers[0]?.kemPublicKey);
  t.equal(toBase64Url(secrets.signPublicKey), keyset.reviewers[0]?.signPublicKey);

  // Weekly epoch keys from the week of today until the keyset expires: their
  // seeds in the key file, their signed halves in epochs.jsonl and published.
  const day = today();
  const lines = (await readFile(join(dataDir, 'demo', 'epochs.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
  const verified = await Promise.all(lines.map((line) => verifyEpochKey(line, keyset)));
  t.ok(verified.length >= 53, `${verified.length} weekly epochs`);
  t.ok(verified[0]!.starts <= day && day < verified[0]!.ends, 'the first is this week’s');
  t.equal(new Date(`${verified[0]!.starts}T00:00:00Z`).getUTCDay(), 1, 'weeks start on Monday');
  t.ok(verified.at(-1)!.ends >= keyset.expires, 'they last as long as the keyset');
  t.ok(
    verified.every((k, i) => k.epoch === i + 1 && (i === 0 || k.starts === verified[i - 1]!.ends)),
    'numbered from 1, with no gap',
  );
  t.same(
    secrets.epochs.map((e) => toBase64Url(e.keyPair.publicKey)),
    verified.map((k) => k.kemPublicKey),
    'the key file holds the seed of every one',
  );
  t.same(
    (await epochCoverage(db, day)).map((r) => r.daysLeft),
    [daysBetween(day, verified.at(-1)!.ends)],
    'all of them are published',
  );
  const sealing = await sealingKeys(keyset, lines);
  t.equal(sealing.recipients[0]!.epoch, 1, 'a page can seal at once');

  await t.test('the next start keeps the demo and its pin', async (t) => {
    const again: string[] = [];
    const next = await ensureKeyset(testConfig({ SEALBOX_DATA_DIR: dataDir }), db, again);
    t.equal(next.org.publicKey, config.org.publicKey);
    t.match(again.join('\n'), /DEMO organisation in use/);
    t.equal((await latestKeyset(db))?.version, 1, 'no second demo');
  });
});

t.test('a configured keyset file is verified and published', async (t) => {
  const db = await testDatabase(t);
  const dataDir = await scratch(t);
  const { org, signed } = await makeKeyset(3); // made offline, elsewhere
  const path = join(dataDir, 'keyset.json');
  await writeFile(path, JSON.stringify(signed));
  const env = {
    SEALBOX_DATA_DIR: dataDir,
    SEALBOX_KEYSET_FILE: path,
    SEALBOX_ORG_FINGERPRINT: await fingerprint(org.publicKey),
  };
  const notes: string[] = [];
  await ensureKeyset(testConfig(env), db, notes);
  t.equal((await latestKeyset(db))?.version, 3);
  t.match(notes.join('\n'), /published keyset version 3/);
  await ensureKeyset(testConfig(env), db, notes);
  t.match(notes.join('\n'), /not newer/);

  const { org: stranger } = await makeKeyset(1);
  await t.rejects(
    ensureKeyset(
      testConfig({ ...env, SEALBOX_ORG_FINGERPRINT: await fingerprint(stranger.publicKey) }),
      db,
      [],
    ),
    /SEALBOX_KEYSET_FILE: .*KEYSET_ROOT_MISMATCH/,
  );
  await t.rejects(
    ensureKeyset(testConfig({ SEALBOX_DATA_DIR: dataDir, SEALBOX_KEYSET_FILE: path }), db, []),
    ConfigError,
    'a keyset file needs a pinned organisation',
  );
  await t.rejects(
    ensureKeyset(
      testConfig({ ...env, SEALBOX_KEYSET_FILE: join(dataDir, 'missing.json') }),
      db,
      [],
    ),
    /cannot read/,
  );
});
