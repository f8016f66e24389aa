// Builds the page into web/dist: content-hashed assets, two app builds (libsodium
// on WebAssembly, and its pure-JavaScript build for browsers without it), a tiny
// loader that picks one, the HTML pages and a manifest with every file's digest.
// The organisation fingerprint, the DEMO flag and the quick-exit address are baked
// in here, so that the manifest's digests cover them: the server serves these
// bytes unchanged.
//   npx tsx web/build.ts [--out DIR] [--org-fingerprint FPR] [--exit-url URL] [--title TEXT] [--form FILE] [--no-minify]
//                        [--webcat --webcat-app URL] [--saved --api-origin URL [--api-origin URL]]
// The same commit, form and options give the same bytes on any machine (in any
// folder): the manifest.json SHA-256 it prints is what the organisation signs.
// --webcat also writes the page's manifest in WEBCAT's format (web/webcat.ts).
// --saved also writes the page as one self-contained file for opening from disk,
// talking to the API origins given, in that order (web/build-saved.ts).
// Without --org-fingerprint: SEALBOX_ORG_FINGERPRINT, else the fingerprint of
// SEALBOX_ORG_PUBLIC_KEY, else the DEMO organisation in $SEALBOX_DATA_DIR/demo
// (./data/demo), as the server would choose. Without --exit-url: SEALBOX_EXIT_URL.
// Without --title: SEALBOX_PAGE_TITLE, else the catalogue's own title, translated.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { fingerprint as fingerprintOf, fromBase64Url } from '../client-crypto/index.ts';
import { PAGE_CSP_BY_PATH } from '../server/page-csp.ts';
import { type SavedPage, buildSaved } from './build-saved.ts';
import { FAVICON_FILE, favicon } from './favicon.ts';
import { formI18nKeys, parseFormDefinition } from './form/schema.ts';
import { WEBCAT_CONFIG_FILE, WEBCAT_MANIFEST_FILE, writeWebcat } from './webcat.ts';

const WEB = dirname(fileURLToPath(import.meta.url));
const SRC = join(WEB, 'src');
const LOCALES = ['ar', 'en', 'es', 'fr', 'ru', 'zh'] as const;
const require = createRequire(import.meta.url);

export interface BuildOptions {
  outDir?: string;
  /** The organisation root the page trusts, baked into the bundle and the pages. */
  orgFingerprint?: string;
  /** That organisation is a DEMO: every view of the page says so. Needs orgFingerprint. */
  demo?: boolean;
  /** `https://` address for quick exit (default about:blank), baked into the pages. */
  exitUrl?: string;
  /** The tab's title the organisation chose (one in every language), e.g. a neutral one; default: the catalogue's, translated. */
  title?: string;
  formPath?: string;
  minify?: boolean;
  /** Also write the manifest in WEBCAT's format; `app` is the project's https:// address. */
  webcat?: { app: string };
  /** Also write the saved page (web/build-saved.ts), talking to these API origins in this order. */
  saved?: { apiOrigins: string[] };
  /**
   * Tests only, to measure what the page runs in a browser: write each script's source
   * map into this folder, outside the build (nothing serves or lists them). The scripts
   * are the same bytes; their hashed names differ, as esbuild's hash covers the map.
   */
  sourcemapDir?: string;
}

export interface Manifest {
  format: 'sealbox-web-manifest-v3';
  app: 'sealbox';
  /** package.json's version. */
  version: string;
  pages: { submit: 'index.html'; status: 'status.html' };
  assets: {
    loader: string;
    app: string;
    appNoWasm: string;
    powWorker: string;
    styles: string;
    /** The icon both pages link (web/favicon.ts). */
    icon: string;
    catalogues: Record<string, string>;
  };
  /**
   * What the build baked in: the organisation fingerprint (null: none, the page then
   * seals nothing), whether it is a DEMO organisation, the quick-exit address.
   * The server refuses to serve a page whose pin differs from its own.
   */
  org: { fingerprint: string | null; demo: boolean };
  exitUrl: string | null;
  /** The page title the organisation chose, baked into both pages; null: the catalogue's, translated. */
  title: string | null;
  /** The CSP the server sends on each path (server/page-csp.ts): `default`, or `extra`'s longest matching prefix. */
  csp: { default: string; extra: Record<string, string> };
  /** Every file in the build (each text file also as name.gz), with its size and SHA-256. */
  files: Record<string, { bytes: number; sha256: string }>;
  /** The saved page, not among `files` (the server does not serve it); null when not asked for. */
  saved: SavedPage | null;
}

async function packageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(WEB, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

async function loadCatalogues(): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  for (const locale of LOCALES) {
    out[locale] = JSON.parse(await readFile(join(WEB, 'i18n', `${locale}.json`), 'utf8')) as Record<
      string,
      string
    >;
  }
  return out;
}

/** libsodium-wrappers' CommonJS build: pure-JS fallback inside, works without WebAssembly. */
const sodiumWithoutWasm: esbuild.Plugin = {
  name: 'sodium-without-wasm',
  setup(build) {
    build.onResolve({ filter: /^libsodium-wrappers$/ }, () => ({
      path: require.resolve('libsodium-wrappers'),
    }));
  },
};

function outputOf(result: esbuild.BuildResult, outDir: string, entry: string): string {
  const outputs = Object.entries(result.metafile!.outputs);
  const found = outputs.find(([, o]) => o.entryPoint && o.entryPoint.endsWith(entry));
  if (!found) throw new Error(`no output for ${entry}`);
  return relative(outDir, resolve(found[0])).split('\\').join('/');
}

/**
 * gzip, level 9, the same bytes on every machine: the header's time is zero, and
 * its operating-system byte (which zlib sets to the one it was compiled for) is
 * always Unix's.
 */
function gzip(bytes: Uint8Array): Buffer {
  const out = gzipSync(bytes, { level: 9 });
  out[9] = 3;
  return out;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export async function buildWeb(options: BuildOptions = {}): Promise<Manifest> {
  const outDir = resolve(options.outDir ?? join(WEB, 'dist'));
  const minify = options.minify ?? true;
  const form = parseFormDefinition(
    JSON.parse(await readFile(options.formPath ?? join(WEB, 'form', 'default-form.json'), 'utf8')),
  );
  const catalogues = await loadCatalogues();
  for (const key of formI18nKeys(form)) {
    for (const locale of LOCALES) {
      if (!catalogues[locale]![key]) throw new Error(`i18n/${locale}.json lacks "${key}" (form)`);
    }
  }
  const fingerprint = (options.orgFingerprint ?? '').trim();
  if (fingerprint && !/^[0-9A-Za-z][0-9A-Za-z\s-]*$/.test(fingerprint)) {
    throw new Error(`organisation fingerprint "${fingerprint}" is not a fingerprint`);
  }
  if (fingerprint && fingerprint.replace(/[\s-]/g, '').length !== 32) {
    throw new Error(`organisation fingerprint "${fingerprint}" does not have 32 symbols`);
  }
  const demo = options.demo ?? false;
  if (demo && !fingerprint) throw new Error('a DEMO page needs the DEMO organisation fingerprint');
  const exitUrl = (options.exitUrl ?? '').trim();
  if (exitUrl && !/^https:\/\/[^\s"<>]+$/.test(exitUrl)) {
    throw new Error(`exit URL "${exitUrl}" is not an https:// address`);
  }

  const chosenTitle = (options.title ?? '').trim();
  if (/[\u0000-\u001f\u007f]/.test(chosenTitle) || chosenTitle.length > 120) {
    throw new Error('the page title must be one line of at most 120 characters');
  }

  if (options.webcat && !/^https:\/\/[^\s"<>]+$/.test(options.webcat.app)) {
    throw new Error(
      `--webcat-app "${options.webcat.app}" is not an https:// address of the project`,
    );
  }

  await rm(outDir, { recursive: true, force: true });
  await mkdir(join(outDir, 'assets'), { recursive: true });
  const common: esbuild.BuildOptions = {
    bundle: true,
    minify,
    platform: 'browser',
    target: ['es2022', 'chrome100', 'firefox115', 'safari16'],
    outdir: join(outDir, 'assets'),
    entryNames: '[name]-[hash]',
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
    // Sources as absolute paths, so that the maps can be read from anywhere.
    ...(options.sourcemapDir ? { sourcemap: 'external', sourceRoot: join(outDir, 'assets') } : {}),
  };
  const assetPath = (result: esbuild.BuildResult, entry: string) => outputOf(result, outDir, entry);

  const worker = await esbuild.build({
    ...common,
    entryPoints: [join(SRC, 'pow-worker.ts')],
    format: 'iife',
  });
  const powWorker = assetPath(worker, 'pow-worker.ts');
  const catalogueAssets: Record<string, string> = {};
  for (const locale of LOCALES) {
    if (locale === 'en') continue;
    const text = JSON.stringify(catalogues[locale]);
    const hash = createHash('sha256').update(text).digest('hex').slice(0, 10);
    catalogueAssets[locale] = `assets/i18n-${locale}-${hash}.json`;
    await writeFile(join(outDir, catalogueAssets[locale]), text);
  }
  const define = {
    __SEALBOX_CATALOGUES__: JSON.stringify(catalogueAssets),
    __SEALBOX_ORG_FINGERPRINT__: JSON.stringify(fingerprint),
    __SEALBOX_DEMO__: JSON.stringify(demo),
    __SEALBOX_POW_WORKER__: JSON.stringify(powWorker),
    __SEALBOX_FORM__: JSON.stringify(form),
    __SEALBOX_PAGE_TITLE__: JSON.stringify(chosenTitle),
    // The saved page's own (web/build-saved.ts); the served page calls its origin.
    __SEALBOX_API_ORIGINS__: '[]',
    __SEALBOX_INLINE_CATALOGUES__: '{}',
    __SEALBOX_POW_WORKER_SOURCE__: '""',
  };
  // Argon2id (sumo) is for key files in the reviewer tool only; node: built-ins are
  // referenced by libsodium's CommonJS build behind checks that fail in a browser.
  const external = [
    'libsodium-wrappers-sumo',
    'crypto',
    'fs',
    'path',
    'node:crypto',
    'node:fs',
    'node:path',
  ];
  const app = await esbuild.build({
    ...common,
    entryPoints: { app: join(SRC, 'main.ts') },
    format: 'esm',
    define,
    external,
  });
  const noWasmOptions: esbuild.BuildOptions = {
    ...common,
    format: 'esm',
    define,
    external,
    plugins: [sodiumWithoutWasm],
  };
  const appNoWasm = await esbuild.build({
    ...noWasmOptions,
    entryPoints: { 'app-nowasm': join(SRC, 'main.ts') },
  });
  for (const result of [app, appNoWasm]) {
    // The sumo build would add ~180 KiB gzip for Argon2id, which only key files need.
    const sumo = Object.keys(result.metafile!.inputs).find((p) => p.includes('sumo'));
    if (sumo) throw new Error(`the page must not bundle ${sumo}`);
  }
  const assetsApp = assetPath(app, 'main.ts');
  const assetsNoWasm = assetPath(appNoWasm, 'main.ts');
  const loader = await esbuild.build({
    ...common,
    entryPoints: [join(SRC, 'loader.ts')],
    format: 'iife',
    define: {
      __SEALBOX_APP__: JSON.stringify(assetsApp),
      __SEALBOX_APP_FALLBACK__: JSON.stringify(assetsNoWasm),
    },
  });
  const styles = await esbuild.build({ ...common, entryPoints: [join(SRC, 'styles.css')] });
  if (options.sourcemapDir) {
    await mkdir(options.sourcemapDir, { recursive: true });
    for (const name of await readdir(join(outDir, 'assets'))) {
      if (name.endsWith('.map')) {
        const from = join(outDir, 'assets', name);
        await writeFile(join(options.sourcemapDir, name), await readFile(from));
        await rm(from);
      }
    }
  }

  const assets = {
    loader: assetPath(loader, 'loader.ts'),
    app: assetsApp,
    appNoWasm: assetsNoWasm,
    powWorker,
    styles: assetPath(styles, 'styles.css'),
    icon: FAVICON_FILE,
    catalogues: catalogueAssets,
  };
  const template = await readFile(join(SRC, 'index.html'), 'utf8');
  const title = escapeHtml(chosenTitle || catalogues.en!['app.title']!);
  const noscript = LOCALES.map(
    (l) =>
      `<p lang="${l}"${l === 'ar' ? ' dir="rtl"' : ''}>${escapeHtml(catalogues[l]!.noscript!)}</p>`,
  ).join('\n    ');
  for (const [file, view] of [
    ['index.html', 'submit'],
    ['status.html', 'status'],
  ] as const) {
    const html = template
      .replace('{{TITLE}}', () => title)
      .replace('{{STYLES}}', assets.styles)
      .replace('{{LOADER}}', assets.loader)
      .replace('{{ICON}}', assets.icon)
      .replace('{{VIEW}}', view)
      .replace('{{ORG_FINGERPRINT}}', () => escapeHtml(fingerprint))
      .replace('{{EXIT_URL}}', () => escapeHtml(exitUrl))
      .replace('{{NOSCRIPT}}', noscript);
    await writeFile(join(outDir, file), html);
  }
  await writeFile(join(outDir, FAVICON_FILE), favicon());

  // Precompressed siblings (name.gz), for a server that answers Accept-Encoding: gzip
  // without compressing on every request.
  const compress = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await compress(path);
      else if (/\.(html|js|css|json)$/.test(entry.name)) {
        await writeFile(`${path}.gz`, gzip(await readFile(path)));
      }
    }
  };
  await compress(outDir);

  const files: Manifest['files'] = {};
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else {
        const bytes = await readFile(path);
        files[relative(outDir, path).split('\\').join('/')] = {
          bytes: bytes.length,
          sha256: createHash('sha256').update(bytes).digest('hex'),
        };
      }
    }
  };
  await walk(outDir);
  const version = await packageVersion();
  if (options.webcat) {
    await writeWebcat(outDir, {
      app: options.webcat.app,
      version,
      csp: PAGE_CSP_BY_PATH,
      pages: { submit: 'index.html', status: 'status.html' },
      files,
    });
    // Listed in manifest.json, so that the organisation's signature covers them too.
    for (const name of [WEBCAT_CONFIG_FILE, WEBCAT_MANIFEST_FILE]) {
      const bytes = await readFile(join(outDir, name));
      files[name] = {
        bytes: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      };
    }
  }
  // Written after the walk: the saved page is not among the served files.
  const saved = options.saved
    ? await buildSaved({
        outDir,
        apiOrigins: options.saved.apiOrigins,
        // Inlined in one HTML file: no source map (the saved page is not measured).
        app: { ...noWasmOptions, sourcemap: false, sourceRoot: undefined },
        entry: join(SRC, 'saved.ts'),
        catalogues,
        powWorkerFile: join(outDir, powWorker),
        stylesFile: join(outDir, assets.styles),
        html: {
          template: await readFile(join(SRC, 'saved.html'), 'utf8'),
          title,
          fingerprint: escapeHtml(fingerprint),
          exitUrl: escapeHtml(exitUrl),
          noscript,
        },
      })
    : null;
  const manifest: Manifest = {
    format: 'sealbox-web-manifest-v3',
    app: 'sealbox',
    version,
    pages: { submit: 'index.html', status: 'status.html' },
    assets,
    org: { fingerprint: fingerprint || null, demo },
    exitUrl: exitUrl || null,
    title: chosenTitle || null,
    csp: PAGE_CSP_BY_PATH,
    files,
    saved,
  };
  await writeFile(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

export interface Pin {
  fingerprint: string | undefined;
  demo: boolean;
  /** Where it came from, for the build's report. */
  source: string;
}

/**
 * The organisation a build pins when none is given on the command line, chosen as
 * the server chooses the one it trusts: SEALBOX_ORG_FINGERPRINT, else
 * SEALBOX_ORG_PUBLIC_KEY, else the DEMO organisation of the data directory.
 */
export async function pinFromEnvironment(
  env: Record<string, string | undefined> = process.env,
): Promise<Pin> {
  if (env.SEALBOX_ORG_FINGERPRINT) {
    return {
      fingerprint: env.SEALBOX_ORG_FINGERPRINT,
      demo: false,
      source: 'SEALBOX_ORG_FINGERPRINT',
    };
  }
  if (env.SEALBOX_ORG_PUBLIC_KEY) {
    return {
      fingerprint: await fingerprintOf(fromBase64Url(env.SEALBOX_ORG_PUBLIC_KEY)),
      demo: false,
      source: 'SEALBOX_ORG_PUBLIC_KEY',
    };
  }
  const file = join(env.SEALBOX_DATA_DIR || './data', 'demo', 'organisation-public.json');
  try {
    const demo = JSON.parse(await readFile(file, 'utf8')) as { fingerprint?: unknown };
    if (typeof demo.fingerprint === 'string') {
      return {
        fingerprint: demo.fingerprint,
        demo: true,
        source: `the DEMO organisation in ${file}`,
      };
    }
  } catch {
    // No demo organisation here.
  }
  return { fingerprint: undefined, demo: false, source: 'nothing' };
}

function webcatApp(app: string | undefined): string {
  const value = app ?? process.env.SEALBOX_WEBCAT_APP;
  if (!value) {
    throw new Error(
      '--webcat needs --webcat-app URL (or SEALBOX_WEBCAT_APP): the https:// address of the Sealbox source you deploy',
    );
  }
  return value;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      'org-fingerprint': { type: 'string' },
      'exit-url': { type: 'string' },
      title: { type: 'string' },
      form: { type: 'string' },
      'no-minify': { type: 'boolean' },
      webcat: { type: 'boolean' },
      'webcat-app': { type: 'string' },
      saved: { type: 'boolean' },
      'api-origin': { type: 'string', multiple: true },
    },
  });
  const main = async () => {
    const apiOrigins = values['api-origin'] ?? [];
    if (values.saved && apiOrigins.length === 0) {
      throw new Error('--saved needs --api-origin URL (the onion address, then a clearnet one)');
    }
    if (!values.saved && apiOrigins.length > 0) {
      throw new Error('--api-origin is for the saved page: add --saved');
    }
    const pin: Pin = values['org-fingerprint']
      ? { fingerprint: values['org-fingerprint'], demo: false, source: '--org-fingerprint' }
      : await pinFromEnvironment();
    const manifest = await buildWeb({
      outDir: values.out,
      orgFingerprint: pin.fingerprint,
      demo: pin.demo,
      exitUrl: values['exit-url'] ?? process.env.SEALBOX_EXIT_URL,
      title: values.title ?? process.env.SEALBOX_PAGE_TITLE,
      formPath: values.form,
      minify: !values['no-minify'],
      webcat: values.webcat ? { app: webcatApp(values['webcat-app']) } : undefined,
      ...(values.saved ? { saved: { apiOrigins } } : {}),
    });
    const total = Object.values(manifest.files).reduce((n, f) => n + f.bytes, 0);
    const outDir = resolve(values.out ?? join(WEB, 'dist'));
    const digest = createHash('sha256')
      .update(await readFile(join(outDir, 'manifest.json')))
      .digest('hex');
    console.log(
      `web: built ${Object.keys(manifest.files).length} files (${total} bytes) into ${outDir}`,
    );
    console.log(`web: manifest.json SHA-256 ${digest} (version ${manifest.version})`);
    if (values.webcat) {
      console.log(
        `web: WEBCAT manifest in ${join(outDir, WEBCAT_MANIFEST_FILE)} (docs/operations.md, "WEBCAT")`,
      );
    }
    if (manifest.org.fingerprint) {
      console.log(
        `web: pinned to ${manifest.org.demo ? 'DEMO ' : ''}organisation ${manifest.org.fingerprint} (from ${pin.source})`,
      );
    } else {
      console.log(
        'web: no organisation fingerprint: this page seals nothing until it is built with --org-fingerprint or SEALBOX_ORG_FINGERPRINT (on its first start, `npm start` builds the page for its DEMO organisation itself)',
      );
    }
    if (manifest.saved) {
      const path = join(values.out ?? join(WEB, 'dist'), manifest.saved.file);
      console.log(
        `web: saved page (${manifest.saved.bytes} bytes), for ${manifest.saved.apiOrigins.join(' then ')}; publish its SHA-256 (check: sha256sum FILE):`,
      );
      console.log(`${manifest.saved.sha256}  ${path}`);
    }
  };
  main().catch((error: unknown) => {
    console.error(`web: build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
