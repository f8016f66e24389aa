import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { resolveSecrets } from '../../server/secrets.ts';

t.test('defaults', async (t) => {
  const c = loadConfig({});
  t.equal(c.host, '127.0.0.1');
  t.equal(c.port, 3000);
  t.equal(c.databaseUrl, undefined);
  t.equal(c.dataDir, './data');
  t.equal(c.upload.maxBytes, 2 * 1024 ** 3, 'at least 2 GiB per file');
  t.equal(c.trustProxy, false);
  t.equal(c.migrateOnStart, true);
  t.equal(c.commitWindowMs, 5_000, 'anonymous writes commit in 5-second windows');
});

t.test('values from the environment', async (t) => {
  const c = loadConfig({
    HOST: '0.0.0.0',
    PORT: '8080',
    DATABASE_URL: 'postgres://u@db:5432/sealbox',
    SEALBOX_TRUST_PROXY: 'on',
    SEALBOX_MIGRATE_ON_START: '0',
    SEALBOX_ONION_LOCATION: 'http://example.onion',
    SEALBOX_POW_DIFFICULTY: '1000',
    SEALBOX_PEPPER: '', // empty counts as unset
  });
  t.equal(c.port, 8080);
  t.equal(c.trustProxy, true);
  t.equal(c.migrateOnStart, false);
  t.equal(c.pow.difficulty, 1000);
  t.equal(c.pepper, undefined);
});

t.test('a bad value stops the start and names the variable', async (t) => {
  const bad: Record<string, string>[] = [
    { PORT: 'eighty' },
    { PORT: '70000' },
    { DATABASE_URL: 'mysql://x' },
    { SEALBOX_TRUST_PROXY: 'maybe' },
    { SEALBOX_UPLOAD_MAX_BYTES: '-1' },
    { SEALBOX_PEPPER: 'short' },
    { SEALBOX_ONION_LOCATION: 'ftp://x.onion' },
    { SEALBOX_LOG_LEVEL: 'chatty' },
    { SEALBOX_COMMIT_WINDOW_MS: '-1' },
    { SEALBOX_COMMIT_WINDOW_MS: '2.5' },
    { SEALBOX_COMMIT_WINDOW_MS: '60001' },
  ];
  for (const env of bad) {
    const name = Object.keys(env)[0]!;
    t.throws(() => loadConfig(env), ConfigError, name);
    try {
      loadConfig(env);
    } catch (error) {
      t.match((error as Error).message, name, `message names ${name}`);
    }
  }
  t.throws(
    () =>
      loadConfig({ SEALBOX_UPLOAD_MAX_BYTES: '100000', SEALBOX_UPLOAD_PART_MAX_BYTES: '200000' }),
    /SEALBOX_UPLOAD_PART_MAX_BYTES/,
  );
});

t.test('secrets are generated once, kept with mode 0600', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-secrets-'));
  t.teardown(() => import('node:fs/promises').then((fs) => fs.rm(dir, { recursive: true })));
  const config = loadConfig({ SEALBOX_DATA_DIR: dir });
  const a = await resolveSecrets(config);
  const b = await resolveSecrets(config);
  t.equal(a.pepper.length, 32);
  t.same(a, b, 'the same secrets on the next start');
  const mode = (await stat(join(dir, 'secrets', 'pepper'))).mode & 0o777;
  t.equal(mode, 0o600);
  t.match(await readFile(join(dir, 'secrets', 'pow-secret'), 'utf8'), /^[A-Za-z0-9_-]{43}\n$/);

  const given = await resolveSecrets(
    loadConfig({ SEALBOX_DATA_DIR: dir, SEALBOX_PEPPER: 'A'.repeat(43) }),
  );
  t.equal(given.pepper.length, 32);
  t.notSame(given.pepper, a.pepper, 'the environment wins');
});
