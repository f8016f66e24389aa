// What an organisation signs and publishes: the build is reproducible (two
// builds with the same options, in two different folders, give the same
// manifest.json bytes and the same bytes in every file), and its WEBCAT
// manifest follows WEBCAT's rules: the shape of its manifest specification, the
// CSP rules, no inline script, and every WebAssembly module the page compiles
// listed — checked against what libsodium really hands to WebAssembly.instantiate.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { PAGE_CSP, PAGE_CSP_BY_PATH } from '../../server/page-csp.ts';
import { buildWeb } from '../../web/build.ts';
import {
  WEBCAT_CONFIG_FILE,
  WEBCAT_MANIFEST_FILE,
  type WebcatManifest,
  inlineScriptProblems,
  writeWebcat,
} from '../../web/webcat.ts';
import { webcatCspProblems } from '../../web/webcat-csp.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const sha256 = (bytes: Uint8Array, encoding: 'hex' | 'base64url' = 'hex') =>
  createHash('sha256').update(bytes).digest(encoding);

async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-release-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function filesIn(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(relative(dir, join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

const options = {
  orgFingerprint: '3DKM-TKMZ-321B-6SQ6-NVYQ-FQA9-SM08-WBKJ',
  exitUrl: 'https://www.example.org/weather',
  webcat: { app: 'https://example.org/sealbox' },
};
const first = await scratch();
const second = join(await scratch(), 'a', 'deeper', 'folder');
const manifest = await buildWeb({ ...options, outDir: first });
await buildWeb({ ...options, outDir: second });

void t.test('two builds in two folders give the same bytes', async (t) => {
  const [a, b] = await Promise.all([
    readFile(join(first, 'manifest.json')),
    readFile(join(second, 'manifest.json')),
  ]);
  t.equal(sha256(a), sha256(b), 'manifest.json, byte for byte');
  const names = await filesIn(first);
  t.same(await filesIn(second), names, 'the same files');
  for (const name of names) {
    const [x, y] = await Promise.all([readFile(join(first, name)), readFile(join(second, name))]);
    t.equal(sha256(x), sha256(y), name);
    for (const path of [first, second, ROOT]) {
      t.notOk(x.includes(path), `${name} names no folder of the machine that built it`);
    }
    if (name.endsWith('.gz')) {
      t.same([...x.subarray(4, 10)], [0, 0, 0, 0, 2, 3], `${name}: no time, a fixed OS byte`);
    }
  }
  t.same(
    Object.keys(manifest.files).sort(),
    names.filter((n) => n !== 'manifest.json'),
    'manifest.json lists every other file, the WEBCAT ones too',
  );
});

const webcat = JSON.parse(await readFile(join(first, WEBCAT_MANIFEST_FILE), 'utf8')) as {
  manifest: WebcatManifest;
};

void t.test('the WEBCAT manifest has the shape WEBCAT specifies', async (t) => {
  t.same(Object.keys(webcat), ['manifest'], 'unsigned: signatures are added by WEBCAT tools');
  const m = webcat.manifest;
  for (const field of ['app', 'version', 'default_csp', 'default_index', 'default_fallback']) {
    t.type(m[field as keyof WebcatManifest], 'string', field);
  }
  t.equal(m.app, options.webcat.app);
  t.equal(m.version, manifest.version);
  t.equal(m.default_csp, PAGE_CSP, 'the CSP the server sends, exactly (WEBCAT compares strings)');
  t.same(m.extra_csp, PAGE_CSP_BY_PATH.extra);
  t.ok(m.files[`/${m.default_index}`], 'default_index resolves to a listed file');
  t.ok(m.files[m.default_fallback], 'default_fallback is a listed file');
  const base64url = /^[A-Za-z0-9_-]{43}$/;
  for (const [path, digest] of Object.entries(m.files)) {
    t.match(path, /^\/[^/]/, `${path}: a path from /`);
    t.match(digest, base64url, `${path}: SHA-256 in base64url, no padding`);
  }
  for (const [name, entry] of Object.entries(manifest.files)) {
    if (name.startsWith('webcat/')) continue;
    t.equal(m.files[`/${name}`], Buffer.from(entry.sha256, 'hex').toString('base64url'), name);
    t.equal(m.files[`/${name}`], sha256(await readFile(join(first, name)), 'base64url'));
  }
  t.equal(m.files['/status'], m.files['/status.html'], '/status is served the status page');
  t.ok(Array.isArray(m.wasm) && m.wasm.every((w) => base64url.test(w)), 'wasm: base64url');

  const config = JSON.parse(await readFile(join(first, WEBCAT_CONFIG_FILE), 'utf8')) as object;
  const { files: _files, ...rest } = m;
  t.same(config, rest, 'webcat.config.json: the same settings, for WEBCAT’s own generator');
});

void t.test('every WebAssembly module libsodium compiles is listed', async (t) => {
  // What WEBCAT's extension hashes: the bytes handed to WebAssembly.instantiate.
  const seen: string[] = [];
  const instantiate = WebAssembly.instantiate.bind(WebAssembly);
  const hooked = (source: unknown, imports?: WebAssembly.Imports) => {
    if (ArrayBuffer.isView(source)) seen.push(sha256(source as Uint8Array, 'base64url'));
    return instantiate(source as BufferSource, imports);
  };
  (WebAssembly as { instantiate: unknown }).instantiate = hooked;
  t.teardown(() => {
    (WebAssembly as { instantiate: unknown }).instantiate = instantiate;
  });
  // The module the page's bundles embed (libsodium's ESM build), loaded afresh.
  // (esbuild takes the package's "import" entry for the browser, as import.meta.resolve does).
  const url = import.meta.resolve('libsodium');
  t.match(url, /\.mjs$/);
  const factory = ((await import(`${url}?webcat-test`)) as { default: () => Promise<unknown> })
    .default;
  await factory();
  t.ok(seen.length > 0, 'libsodium compiled WebAssembly');
  for (const digest of seen) t.ok(webcat.manifest.wasm.includes(digest), `${digest} is listed`);
  t.ok(
    webcat.manifest.wasm.every((w) => seen.includes(w)),
    'and nothing else is listed (no stale hash)',
  );
});

void t.test('WEBCAT rules: the page complies, and the checks can fail', async (t) => {
  t.same(webcatCspProblems(PAGE_CSP), [], 'the page’s CSP');
  const before = [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "img-src 'self' blob:",
    "object-src 'none'",
  ].join('; ');
  const problems = webcatCspProblems(before).join('\n');
  t.match(problems, /style-src must be stated/);
  t.match(problems, /worker-src must be stated/);
  t.match(problems, /frame-src or child-src must be stated/);
  t.same(webcatCspProblems("default-src 'none'"), [], "default-src 'none' alone is enough");
  for (const [policy, pattern] of [
    [
      `${PAGE_CSP}; `.replace("'wasm-unsafe-eval'", "'unsafe-eval'"),
      /script-src may not hold 'unsafe-eval'/,
    ],
    [
      PAGE_CSP.replace("'wasm-unsafe-eval'", "'sha256-abc='"),
      /script-src may not hold 'sha256-abc='/,
    ],
    [PAGE_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'"), /'unsafe-inline'/],
    [PAGE_CSP.replace("default-src 'self'", 'default-src https:'), /default-src may hold only/],
    [PAGE_CSP.replace("object-src 'none'", "object-src 'self'"), /object-src may not hold/],
    [PAGE_CSP.replace("worker-src 'self'", 'worker-src blob:'), /worker-src may not hold blob:/],
    [PAGE_CSP.replace("frame-src 'none'", 'frame-src https://elsewhere.example'), /frame-src/],
    [`${PAGE_CSP}, default-src *`, /comma/],
  ] as const) {
    t.match(webcatCspProblems(policy).join('\n'), pattern, policy);
  }

  for (const page of ['index.html', 'status.html']) {
    t.same(inlineScriptProblems(page, await readFile(join(first, page), 'utf8')), [], page);
  }
  t.ok(inlineScriptProblems('x', '<script>alert(1)</script>').length > 0, 'inline script');
  t.ok(inlineScriptProblems('x', '<img src=x onerror="alert(1)">').length > 0, 'handler');
  t.ok(inlineScriptProblems('x', '<a href="javascript:alert(1)">x</a>').length > 0, 'URL');

  const refused = await scratch();
  await t.rejects(
    writeWebcat(refused, {
      app: options.webcat.app,
      version: '1',
      csp: { default: before, extra: {} },
      pages: { submit: 'index.html', status: 'status.html' },
      files: {},
    }),
    /does not satisfy WEBCAT:\n.*worker-src/s,
    'a build that WEBCAT would refuse is refused',
  );
  t.same(await readdir(refused), [], 'and nothing is written');
  await t.rejects(
    buildWeb({ outDir: refused, webcat: { app: 'http://plain.example' } }),
    /not an https:\/\/ address/,
  );
});
