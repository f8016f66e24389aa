// The page a person gets must be the page whose manifest digest was published:
// the server may not write anything into it when it serves it (not even the
// organisation fingerprint), and it may not serve a page pinned to another
// organisation than the one it trusts, a page altered after the build, or a
// page that hides that the organisation is a DEMO.
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { fingerprint } from '../../client-crypto/index.ts';
import { buildApp } from '../../server/app.ts';
import { ConfigError } from '../../server/config.ts';
import { ensureKeyset, preparePage } from '../../server/startup.ts';
import { buildWeb } from '../../web/build.ts';
import type { Manifest } from '../../web/build.ts';
import { build, makeKeyset, testConfig, testDatabase, testSecrets } from '../helper.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const EXIT = 'https://www.example.org/weather';

async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-hostile-page-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const { org } = await makeKeyset();
const pin = await fingerprint(org.publicKey);
const { org: stranger } = await makeKeyset();
const strangerPin = await fingerprint(stranger.publicKey);

// Built once, as an operator does: `SEALBOX_ORG_FINGERPRINT=… SEALBOX_EXIT_URL=… npm run build:web`.
const dist = await scratch();
await buildWeb({ outDir: dist, orgFingerprint: pin, exitUrl: EXIT });
const manifestBytes = await readFile(join(dist, 'manifest.json'));
const published = sha256(manifestBytes);
const manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;

void t.test('every served byte is the byte the published manifest lists', async (t) => {
  const { app } = await build(t, {
    env: { SEALBOX_WEB_DIR: dist, SEALBOX_ORG_FINGERPRINT: pin, SEALBOX_EXIT_URL: EXIT },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    t.equal(res.status, 200, path);
    return new Uint8Array(await res.arrayBuffer());
  };
  t.equal(sha256(await get('/manifest.json')), published, 'the manifest is the published one');
  const names = Object.keys(manifest.files);
  t.ok(names.includes('index.html') && names.includes('status.html'));
  for (const name of names) {
    t.equal(sha256(await get(`/${name}`)), manifest.files[name]!.sha256, name);
  }
  t.equal(sha256(await get('/')), manifest.files['index.html']!.sha256, '/');
  t.equal(sha256(await get('/status')), manifest.files['status.html']!.sha256, '/status');
  // The pin is in what the digest covers, not added on the way out.
  const html = Buffer.from(await get('/')).toString('utf8');
  t.match(html, `<meta name="sealbox-org-fingerprint" content="${pin}" />`);
  t.match(
    (await readFile(join(dist, manifest.assets.app))).toString(),
    pin,
    'and baked in the bundle',
  );
});

void t.test('a server that trusts another organisation refuses the page', async (t) => {
  for (const env of [
    { SEALBOX_ORG_FINGERPRINT: strangerPin },
    { SEALBOX_ORG_PUBLIC_KEY: Buffer.from(stranger.publicKey).toString('base64url') },
  ] as Record<string, string>[]) {
    await t.rejects(
      build(t, { env: { SEALBOX_WEB_DIR: dist, ...env } }),
      new RegExp(`pinned to organisation ${pin}, but the server trusts ${strangerPin}`),
      Object.keys(env).join(),
    );
  }
  const unpinned = await scratch();
  await buildWeb({ outDir: unpinned });
  await t.rejects(
    build(t, { env: { SEALBOX_WEB_DIR: unpinned, SEALBOX_ORG_FINGERPRINT: pin } }),
    /built without an organisation fingerprint.*\n.*SEALBOX_ORG_FINGERPRINT=/,
    'nor one that pins nothing',
  );
  await t.rejects(
    build(t, {
      env: {
        SEALBOX_WEB_DIR: dist,
        SEALBOX_ORG_FINGERPRINT: pin,
        SEALBOX_EXIT_URL: 'https://elsewhere.example.net/',
      },
    }),
    /SEALBOX_EXIT_URL is https:\/\/elsewhere\.example\.net\/, but the page was built with https:\/\/www\.example\.org\/weather/,
    'nor one built for another quick-exit address',
  );
  await t.rejects(
    build(t, {
      env: { SEALBOX_WEB_DIR: dist, SEALBOX_ORG_FINGERPRINT: pin, SEALBOX_PAGE_TITLE: 'Weather' },
    }),
    /SEALBOX_PAGE_TITLE is "Weather", but the page was built with the catalogue's own title\n.*SEALBOX_PAGE_TITLE="Weather" npm run build:web/,
    'nor one whose title is not the neutral one the operator chose',
  );
  // The same refusal on the way `npm start` goes.
  await t.rejects(
    preparePage(testConfig({ SEALBOX_WEB_DIR: dist, SEALBOX_ORG_FINGERPRINT: strangerPin }), []),
    ConfigError,
  );
});

void t.test('a file changed after the build is refused', async (t) => {
  const altered = await scratch();
  await cp(dist, altered, { recursive: true });
  const app = join(altered, manifest.assets.app);
  await writeFile(app, `${await readFile(app, 'utf8')}\n/* one more line */`);
  await t.rejects(
    build(t, { env: { SEALBOX_WEB_DIR: altered, SEALBOX_ORG_FINGERPRINT: pin } }),
    new RegExp(`${manifest.assets.app} is not the file the build made`),
  );
  const page = join(altered, 'index.html');
  await cp(join(dist, manifest.assets.app), app);
  await writeFile(page, (await readFile(page, 'utf8')).replace(pin, strangerPin));
  await t.rejects(
    build(t, { env: { SEALBOX_WEB_DIR: altered, SEALBOX_ORG_FINGERPRINT: pin } }),
    /index\.html is not the file the build made/,
  );
});

void t.test('a page that hides the DEMO organisation is not served', async (t) => {
  const db = await testDatabase(t);
  const dataDir = await scratch();
  const notes: string[] = [];
  const config = await ensureKeyset(
    testConfig({ SEALBOX_DATA_DIR: dataDir, SEALBOX_WEB_DIR: dist }),
    db,
    notes,
  );
  t.equal(config.org.demo, true, 'a DEMO organisation');
  const demoPin = await fingerprint(Buffer.from(config.org.publicKey!, 'base64url'));
  // Pinned to the DEMO organisation, without saying it is one.
  const quiet = await scratch();
  await buildWeb({ outDir: quiet, orgFingerprint: demoPin });
  await t.rejects(
    buildApp({ config: { ...config, webDir: quiet }, secrets: testSecrets, db }),
    /does not say that the organisation is a DEMO one/,
  );
  // Start-up builds the DEMO page instead, and that one is served.
  const served = await preparePage({ ...config, webDir: quiet }, notes);
  t.equal(served.webDir, join(dataDir, 'demo', 'web'));
  t.match(notes.join('\n'), /built the page for the DEMO organisation/);
  const built = JSON.parse(
    await readFile(join(served.webDir, 'manifest.json'), 'utf8'),
  ) as Manifest;
  t.same(built.org, { fingerprint: demoPin, demo: true });
  const app = await buildApp({ config: served, secrets: testSecrets, db });
  t.teardown(() => app.close());
  const res = await app.inject({ url: '/manifest.json' });
  t.equal(sha256(res.rawPayload), sha256(await readFile(join(served.webDir, 'manifest.json'))));

  // A neutral title chosen at start reaches the DEMO page built at start.
  const titled = await preparePage({ ...served, pageTitle: 'Weather notes' }, notes);
  const rebuilt = JSON.parse(
    await readFile(join(titled.webDir, 'manifest.json'), 'utf8'),
  ) as Manifest;
  t.equal(rebuilt.title, 'Weather notes', 'the DEMO page is rebuilt with the title');
  t.match(
    await readFile(join(titled.webDir, 'index.html'), 'utf8'),
    '<title>Weather notes</title>',
  );
  const again = await buildApp({ config: titled, secrets: testSecrets, db });
  t.teardown(() => again.close());
  t.equal((await again.inject({ url: '/' })).statusCode, 200, 'and served');
});
