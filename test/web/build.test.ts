// The build: hashed assets, a manifest whose digests match the files, HTML with
// no inline script and no other origin, no browser storage in the bundles, the
// weight budget, the organisation pin, DEMO flag and exit address baked in (and
// refused when malformed), the pin taken from the environment or the DEMO
// organisation, and a refusal to build a form whose labels a catalogue lacks.
import t from 'tap';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fingerprint, generateOrganisationKey, toBase64Url } from '../../client-crypto/index.ts';
import { buildWeb, pinFromEnvironment } from '../../web/build.ts';

const out = await mkdtemp(join(tmpdir(), 'sealbox-web-'));
t.teardown(() => rm(out, { recursive: true, force: true }));
const manifest = await buildWeb({ outDir: out });
const read = (path: string) => readFile(join(out, path));

void t.test('manifest lists hashed assets whose digests match', async (t) => {
  for (const name of ['loader', 'app', 'appNoWasm', 'powWorker', 'styles'] as const) {
    t.match(manifest.assets[name], /^assets\/[\w-]+-[A-Z0-9]{8}\.(js|css)$/, name);
  }
  t.same(Object.keys(manifest.assets.catalogues).sort(), ['ar', 'es', 'fr', 'ru', 'zh']);
  for (const [path, entry] of Object.entries(manifest.files)) {
    const bytes = await read(path);
    t.equal(createHash('sha256').update(bytes).digest('hex'), entry.sha256, path);
  }
  t.ok(manifest.files['index.html'] && manifest.files['status.html']);
  t.same(manifest.org, { fingerprint: null, demo: false }, 'nothing pinned unless asked');
  t.equal(manifest.exitUrl, null);
});

void t.test('pages have no inline script and name no other origin', async (t) => {
  for (const page of ['index.html', 'status.html']) {
    const html = (await read(page)).toString();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    t.equal(scripts.length, 1, 'one script: the loader');
    t.match(scripts[0]![1], /src="assets\/loader-/);
    t.equal(scripts[0]![2]!.trim(), '', 'no inline code');
    t.notMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
    t.notMatch(html, /(https?:)?\/\/[a-z]/i, 'no absolute URL');
    t.match(html, /<meta name="sealbox-org-fingerprint" content="" \/>/);
    t.match(html, /<meta name="sealbox-exit-url" content="" \/>/);
  }
  t.match((await read('status.html')).toString(), /data-view="status"/);
});

void t.test('bundles touch no browser storage', async (t) => {
  for (const name of ['app', 'appNoWasm'] as const) {
    const js = (await read(manifest.assets[name])).toString();
    for (const word of ['localStorage', 'sessionStorage', 'indexedDB', 'serviceWorker', 'cookie']) {
      t.notOk(js.includes(word), `${name}: no ${word}`);
    }
  }
  const loader = (await read(manifest.assets.loader)).toString();
  t.ok(loader.includes(manifest.assets.app), 'loader names the WebAssembly build');
  t.ok(loader.includes(manifest.assets.appNoWasm), 'loader names the pure-JS build');
});

void t.test('the WebAssembly path stays under 200 KiB gzip', async (t) => {
  const gz = async (path: string) => gzipSync(await read(path), { level: 9 }).length;
  const a = manifest.assets;
  const total =
    (await gz('index.html')) +
    (await gz(a.loader)) +
    (await gz(a.styles)) +
    (await gz(a.app)) +
    (await gz(a.powWorker));
  t.ok(total <= 200 * 1024, `WebAssembly path ${(total / 1024).toFixed(1)} KiB gzip`);
});

void t.test('a baked fingerprint and a form missing a translation', async (t) => {
  const other = await mkdtemp(join(tmpdir(), 'sealbox-web-'));
  t.teardown(() => rm(other, { recursive: true, force: true }));
  const fpr = 'ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789';
  const baked = await buildWeb({
    outDir: other,
    orgFingerprint: fpr,
    demo: true,
    exitUrl: 'https://www.example.org/weather',
    minify: false,
  });
  t.same(baked.org, { fingerprint: fpr, demo: true });
  t.equal(baked.exitUrl, 'https://www.example.org/weather');
  t.match((await readFile(join(other, baked.assets.app))).toString(), fpr);
  for (const page of ['index.html', 'status.html']) {
    const html = (await readFile(join(other, page))).toString();
    t.match(html, `<meta name="sealbox-org-fingerprint" content="${fpr}" />`, page);
    t.match(html, '<meta name="sealbox-exit-url" content="https://www.example.org/weather" />');
  }
  await t.rejects(buildWeb({ outDir: other, orgFingerprint: 'ABCD-EFGH' }), /32 symbols/);
  await t.rejects(buildWeb({ outDir: other, orgFingerprint: '<x>' }), /not a fingerprint/);
  await t.rejects(buildWeb({ outDir: other, demo: true }), /DEMO page needs/);
  await t.rejects(
    buildWeb({ outDir: other, exitUrl: 'http://example.org/"' }),
    /not an https:\/\/ address/,
  );
  const form = join(other, 'form.json');
  await writeFile(
    form,
    JSON.stringify({
      id: 'custom',
      version: 1,
      titleKey: 'form.title',
      fields: [
        { id: 'x', kind: 'text', required: false, labelKey: 'field.nowhere', maxLength: 10 },
      ],
    }),
  );
  await t.rejects(buildWeb({ outDir: other, formPath: form }), /lacks "field\.nowhere"/);
  await writeFile(
    form,
    JSON.stringify({ id: 'Bad Id', version: 1, titleKey: 'form.title', fields: [] }),
  );
  await t.rejects(buildWeb({ outDir: other, formPath: form }), /form definition invalid at id/);
});

void t.test('the pin a build takes from the environment', async (t) => {
  const data = await mkdtemp(join(tmpdir(), 'sealbox-data-'));
  t.teardown(() => rm(data, { recursive: true, force: true }));
  t.same(await pinFromEnvironment({ SEALBOX_DATA_DIR: data }), {
    fingerprint: undefined,
    demo: false,
    source: 'nothing',
  });
  await mkdir(join(data, 'demo'));
  await writeFile(
    join(data, 'demo', 'organisation-public.json'),
    JSON.stringify({ demo: true, publicKey: 'x', fingerprint: 'DEMO-FPR' }),
  );
  const demo = await pinFromEnvironment({ SEALBOX_DATA_DIR: data });
  t.same([demo.fingerprint, demo.demo], ['DEMO-FPR', true], 'the DEMO organisation');
  const configured = await pinFromEnvironment({
    SEALBOX_DATA_DIR: data,
    SEALBOX_ORG_FINGERPRINT: 'REAL-FPR',
  });
  t.same([configured.fingerprint, configured.demo], ['REAL-FPR', false], 'a configured one wins');
  const org = await generateOrganisationKey();
  const fromKey = await pinFromEnvironment({
    SEALBOX_DATA_DIR: data,
    SEALBOX_ORG_PUBLIC_KEY: toBase64Url(org.publicKey),
  });
  t.same([fromKey.fingerprint, fromKey.demo], [await fingerprint(org.publicKey), false]);
});
