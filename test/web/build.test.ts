// The build: hashed assets, a manifest whose digests match the files, HTML with
// no inline script and no other origin, no browser storage in the bundles, the
// weight budget, the organisation pin, DEMO flag, exit address and page title
// baked in (and refused when malformed), the icon listed and linked, the pin taken from the environment or the DEMO
// organisation, a refusal to build a form whose labels a catalogue lacks, and the
// browser tests' source maps kept out of the build.
import t from 'tap';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { fingerprint, generateOrganisationKey, toBase64Url } from '../../client-crypto/index.ts';
import { buildWeb, pinFromEnvironment } from '../../web/build.ts';
import { parseApiOrigins } from '../../web/build-saved.ts';

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
  t.equal(manifest.title, null, "the catalogue's title unless asked");
  t.equal(manifest.saved, null, 'no saved page unless asked');
  // The icon browsers ask for: a 16×16 ICO, listed, so the signature covers it.
  const icon = await read('favicon.ico');
  t.equal(manifest.files['favicon.ico']?.bytes, icon.length);
  t.equal(manifest.assets.icon, 'favicon.ico', 'named, for the watcher');
  t.same([...icon.subarray(0, 8)], [0, 0, 1, 0, 1, 0, 16, 16], 'one 16×16 icon');
  t.equal(icon.readUInt32LE(18) + icon.readUInt32LE(14), icon.length, 'its image fills the file');
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
    t.match(html, '<link rel="icon" href="favicon.ico" />');
    t.match(html, '<title>Sealbox — confidential reports</title>', 'the default title');
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
    title: ' Weather & news ',
    minify: false,
    saved: { apiOrigins: ['http://sealboxexample.onion/', 'https://intake.example.org'] },
  });
  t.same(baked.org, { fingerprint: fpr, demo: true });
  t.equal(baked.exitUrl, 'https://www.example.org/weather');
  t.equal(baked.title, 'Weather & news', 'the chosen title, recorded');
  // In the bundle too, so that a change of language keeps it (web/src/i18n.ts).
  t.match((await readFile(join(other, baked.assets.app))).toString(), '"Weather & news"');
  t.match((await readFile(join(other, baked.assets.app))).toString(), fpr);
  for (const page of ['index.html', 'status.html']) {
    const html = (await readFile(join(other, page))).toString();
    t.match(html, `<meta name="sealbox-org-fingerprint" content="${fpr}" />`, page);
    t.match(html, '<meta name="sealbox-exit-url" content="https://www.example.org/weather" />');
    t.match(html, '<title>Weather &amp; news</title>', page);
  }

  // The saved page: one file, not served, everything inline and allowed by hash alone.
  const saved = baked.saved!;
  t.same(saved.apiOrigins, ['http://sealboxexample.onion', 'https://intake.example.org']);
  t.equal(baked.files[saved.file], undefined, 'not among the served files');
  const file = await readFile(join(other, saved.file));
  t.equal(file.length, saved.bytes);
  t.equal(createHash('sha256').update(file).digest('hex'), saved.sha256);
  const html = file.toString();
  t.match(html, `<meta name="sealbox-org-fingerprint" content="${fpr}" />`);
  t.match(html, '<title>Weather &amp; news</title>', 'the saved page has it too');
  t.notMatch(html, /\s(src|href)=/i, 'nothing loaded from anywhere');
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!;
  t.notMatch(csp, /'unsafe-inline'|'unsafe-eval'|\*/, 'no wildcard, no inline or eval allowance');
  t.match(csp, "default-src 'none'");
  t.match(csp, /connect-src http:\/\/sealboxexample\.onion https:\/\/intake\.example\.org;/);
  const inline = (tag: string) => {
    const all = [...html.matchAll(new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`, 'g'))];
    t.equal(all.length, 1, `one ${tag}`);
    return createHash('sha256').update(all[0]![1]!).digest('base64');
  };
  t.match(csp, `script-src 'sha256-${inline('script')}' 'wasm-unsafe-eval'`, 'script by hash');
  t.match(csp, `style-src 'sha256-${inline('style')}'`, 'style by hash');
  // esbuild writes non-ASCII text as \\xHH / \\uHHHH escapes.
  const escaped = (text: string) =>
    [...text]
      .map((c) => {
        const code = c.charCodeAt(0);
        if (code < 0x7f) return c;
        const hex = code.toString(16).toUpperCase();
        return code < 0x100 ? `\\x${hex}` : `\\u${hex.padStart(4, '0')}`;
      })
      .join('');
  for (const locale of ['ar', 'es', 'fr', 'ru', 'zh']) {
    const catalogue = JSON.parse(
      await readFile(new URL(`../../web/i18n/${locale}.json`, import.meta.url), 'utf8'),
    ) as Record<string, string>;
    t.ok(html.includes(escaped(catalogue['app.title']!)), `catalogue ${locale} inlined`);
  }

  for (const [origins, error] of [
    [[], /at least one/],
    [['http://intake.example.org'], /must be https/],
    [['https://intake.example.org/v1'], /origin alone/],
    [['https://user@intake.example.org'], /origin alone/],
    [['nowhere'], /not an address/],
    [['https://a.example', 'https://a.example/'], /given twice/],
  ] as const) {
    t.throws(() => parseApiOrigins(origins), error, origins.join(' '));
  }
  t.same(parseApiOrigins(['http://127.0.0.1:8080']), ['http://127.0.0.1:8080'], 'loopback');
  await t.rejects(buildWeb({ outDir: other, orgFingerprint: 'ABCD-EFGH' }), /32 symbols/);
  await t.rejects(buildWeb({ outDir: other, title: 'Two\nlines' }), /page title must be one line/);
  await t.rejects(buildWeb({ outDir: other, title: 'x'.repeat(121) }), /at most 120/);
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

void t.test('source maps for the browser tests stay outside the build', async (t) => {
  const mapped = await mkdtemp(join(tmpdir(), 'sealbox-web-'));
  const maps = await mkdtemp(join(tmpdir(), 'sealbox-maps-'));
  t.teardown(() => rm(mapped, { recursive: true, force: true }));
  t.teardown(() => rm(maps, { recursive: true, force: true }));
  const withMaps = await buildWeb({ outDir: mapped, sourcemapDir: maps });
  const served = Object.keys(withMaps.files);
  t.same(
    served.filter((path) => path.includes('.map')),
    [],
    'no map among the served files',
  );
  t.same(served.length, Object.keys(manifest.files).length, 'the same files otherwise');
  // The apps name the proof-of-work worker, whose hashed name differs too.
  const script = async (name: 'loader' | 'app' | 'appNoWasm') =>
    (await readFile(join(mapped, withMaps.assets[name])))
      .toString()
      .replaceAll(withMaps.assets.powWorker, manifest.assets.powWorker);
  // The hashed names differ (esbuild's hash covers the map); the code does not.
  t.equal(await script('app'), (await read(manifest.assets.app)).toString(), 'app: same code');
  t.equal(
    await script('appNoWasm'),
    (await read(manifest.assets.appNoWasm)).toString(),
    'appNoWasm: same code',
  );
  t.equal(
    (await script('loader'))
      .replace(withMaps.assets.app, manifest.assets.app)
      .replace(withMaps.assets.appNoWasm, manifest.assets.appNoWasm),
    (await read(manifest.assets.loader)).toString(),
    'loader: same code, naming the same apps',
  );
  const sourcesOf = async (asset: string) => {
    const map = JSON.parse(await readFile(join(maps, `${basename(asset)}.map`), 'utf8')) as {
      sourceRoot: string;
      sources: string[];
    };
    return map.sources.map((source) => resolve(map.sourceRoot, source));
  };
  const src = (file: string) => fileURLToPath(new URL(`../../web/src/${file}`, import.meta.url));
  t.ok((await sourcesOf(withMaps.assets.loader)).includes(src('loader.ts')), 'the loader mapped');
  for (const name of ['app', 'appNoWasm'] as const) {
    const sources = await sourcesOf(withMaps.assets[name]);
    t.ok(sources.includes(src('trust.ts')) && sources.includes(src('submit.ts')), `${name} mapped`);
    t.notMatch(await script(name), 'sourceMappingURL', `${name}: names no map`);
  }
});
