// The organisation's signature over the page, on the server (server/plugins/
// web-signature.ts), over real HTTP: served byte for byte at PAGE_SIGNATURE_PATH;
// a signature by another root or for another build refuses the start, saying how
// to fix it; an unsigned page starts with a loud warning; the DEMO organisation
// signs its own page at start, and that signature verifies. The icon is served
// like any other file the signed manifest lists.
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import {
  PAGE_SIGNATURE_FILE,
  PAGE_SIGNATURE_PATH,
  fingerprint,
  verifyPageSignature,
} from '../../client-crypto/index.ts';
import { buildApp } from '../../server/app.ts';
import { ConfigError } from '../../server/config.ts';
import { ensureKeyset, preparePage } from '../../server/startup.ts';
import { buildWeb } from '../../web/build.ts';
import { build, makeKeyset, testConfig, testDatabase, testSecrets } from '../helper.ts';
import { signBuild } from '../page-signing.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-page-sig-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const { org } = await makeKeyset();
const pin = await fingerprint(org.publicKey);
const { org: stranger } = await makeKeyset();

const dist = await scratch();
await buildWeb({ outDir: dist, orgFingerprint: pin });
async function copyOfDist(): Promise<string> {
  const dir = await scratch();
  await cp(dist, dir, { recursive: true });
  return dir;
}

async function served(app: Awaited<ReturnType<typeof buildApp>>, path: string) {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const res = await fetch(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}${path}`);
  return { res, body: new Uint8Array(await res.arrayBuffer()) };
}

void t.test('the signature is served byte for byte at the well-known path', async (t) => {
  const dir = await copyOfDist();
  await signBuild(dir, org);
  const { app } = await build(t, { env: { SEALBOX_WEB_DIR: dir, SEALBOX_ORG_FINGERPRINT: pin } });
  const { res, body } = await served(app, PAGE_SIGNATURE_PATH);
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /^application\/json/);
  t.equal(res.headers.get('cache-control'), 'no-store');
  t.same(
    Buffer.from(body),
    await readFile(join(dir, PAGE_SIGNATURE_FILE)),
    'the bytes of the file',
  );
  const payload = await verifyPageSignature(JSON.parse(Buffer.from(body).toString('utf8')), pin);
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const manifest = new Uint8Array(await (await fetch(`${base}/manifest.json`)).arrayBuffer());
  t.equal(payload.manifest, sha256(manifest), 'it covers the manifest the server serves');
  // The icon browsers ask for on every page: served, and covered by that manifest.
  const icon = await fetch(`${base}/favicon.ico`);
  t.equal(icon.status, 200, '/favicon.ico is no 404');
  t.equal(icon.headers.get('content-type'), 'image/x-icon');
  const iconBytes = new Uint8Array(await icon.arrayBuffer());
  const listed = (
    JSON.parse(Buffer.from(manifest).toString('utf8')) as {
      files: Record<string, { sha256: string }>;
    }
  ).files['favicon.ico'];
  t.equal(listed?.sha256, sha256(iconBytes), 'the signed manifest lists its digest');
});

void t.test('a signature by another root refuses the start', async (t) => {
  const dir = await copyOfDist();
  await signBuild(dir, stranger);
  await t.rejects(
    build(t, { env: { SEALBOX_WEB_DIR: dir, SEALBOX_ORG_FINGERPRINT: pin } }),
    new RegExp(
      `is signed by organisation ${await fingerprint(stranger.publicKey)}, but the server trusts ${pin}\\n.*sign this build again: sealbox organisation sign-page ${dir}`,
    ),
  );
  await t.rejects(
    preparePage(testConfig({ SEALBOX_WEB_DIR: dir, SEALBOX_ORG_FINGERPRINT: pin }), []),
    ConfigError,
    'on the way `npm start` goes too',
  );
});

void t.test('a signature left from another build refuses the start', async (t) => {
  const dir = await copyOfDist();
  await signBuild(dir, org);
  // The next build: another manifest.json (here the same content, written compactly).
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as unknown;
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  await t.rejects(
    build(t, { env: { SEALBOX_WEB_DIR: dir, SEALBOX_ORG_FINGERPRINT: pin } }),
    new RegExp(
      `signs another build \\(manifest.json SHA-256 [0-9a-f]{64}\\), not this one .*\\n.*sign this build again: sealbox organisation sign-page ${dir}`,
    ),
  );
  await writeFile(join(dir, PAGE_SIGNATURE_FILE), '{"format":');
  await t.rejects(
    build(t, { env: { SEALBOX_WEB_DIR: dir, SEALBOX_ORG_FINGERPRINT: pin } }),
    /page-signature.json is not JSON/,
  );
});

void t.test('an unsigned page starts, with a loud warning', async (t) => {
  const notes: string[] = [];
  await preparePage(testConfig({ SEALBOX_WEB_DIR: dist, SEALBOX_ORG_FINGERPRINT: pin }), notes);
  t.match(notes.join('\n'), /WARNING: the page is NOT SIGNED .*sealbox organisation sign-page/);
  const { app } = await build(t, { env: { SEALBOX_WEB_DIR: dist, SEALBOX_ORG_FINGERPRINT: pin } });
  t.equal((await served(app, PAGE_SIGNATURE_PATH)).res.status, 404);
});

void t.test('the DEMO organisation signs its page at start', async (t) => {
  const db = await testDatabase(t);
  const dataDir = await scratch();
  const notes: string[] = [];
  // web/dist as an image ships it: not built for this DEMO organisation.
  const config = await ensureKeyset(
    testConfig({ SEALBOX_DATA_DIR: dataDir, SEALBOX_WEB_DIR: await copyOfDist() }),
    db,
    notes,
  );
  const demoPin = await fingerprint(Buffer.from(config.org.publicKey!, 'base64url'));
  const first = await preparePage(config, notes);
  t.equal(first.webDir, join(dataDir, 'demo', 'web'));
  t.match(notes.join('\n'), /page signature: by the DEMO organisation, for this build/);
  t.notMatch(notes.join('\n'), /NOT SIGNED/);
  const signature = await readFile(join(first.webDir, PAGE_SIGNATURE_FILE));

  // The next start serves the same build with the same signature.
  const again = await preparePage({ ...config, webDir: first.webDir }, []);
  t.equal(again.webDir, first.webDir);
  t.same(await readFile(join(first.webDir, PAGE_SIGNATURE_FILE)), signature, 'not signed again');

  const app = await buildApp({ config: again, secrets: testSecrets, db });
  t.teardown(() => app.close());
  const { res, body } = await served(app, PAGE_SIGNATURE_PATH);
  t.equal(res.status, 200);
  const payload = await verifyPageSignature(JSON.parse(Buffer.from(body).toString()), demoPin);
  t.equal(payload.manifest, sha256(await readFile(join(first.webDir, 'manifest.json'))));
});
