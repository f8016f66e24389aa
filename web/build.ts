// Builds the page into web/dist: content-hashed assets, two app builds (libsodium
// on WebAssembly, and its pure-JavaScript build for browsers without it), a tiny
// loader that picks one, the HTML pages and a manifest with every file's digest.
//   npx tsx web/build.ts [--out DIR] [--org-fingerprint FPR] [--form FILE] [--no-minify]
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { formI18nKeys, parseFormDefinition } from './form/schema.ts';

const WEB = dirname(fileURLToPath(import.meta.url));
const SRC = join(WEB, 'src');
const LOCALES = ['ar', 'en', 'es', 'fr', 'ru', 'zh'] as const;
const require = createRequire(import.meta.url);

export interface BuildOptions {
  outDir?: string;
  /** Baked into the bundle; the served <meta> must then agree with it. */
  orgFingerprint?: string;
  formPath?: string;
  minify?: boolean;
}

export interface Manifest {
  format: 'sealbox-web-manifest-v1';
  pages: { submit: 'index.html'; status: 'status.html' };
  assets: {
    loader: string;
    app: string;
    appNoWasm: string;
    powWorker: string;
    styles: string;
    catalogues: Record<string, string>;
  };
  /** The <meta> names the server may fill in when it serves the pages. */
  meta: { orgFingerprint: 'sealbox-org-fingerprint'; exitUrl: 'sealbox-exit-url' };
  orgFingerprintBaked: boolean;
  /** Every file in the build (each text file also as name.gz), with its size and SHA-256. */
  files: Record<string, { bytes: number; sha256: string }>;
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
    __SEALBOX_POW_WORKER__: JSON.stringify(powWorker),
    __SEALBOX_FORM__: JSON.stringify(form),
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
  const appNoWasm = await esbuild.build({
    ...common,
    entryPoints: { 'app-nowasm': join(SRC, 'main.ts') },
    format: 'esm',
    define,
    external,
    plugins: [sodiumWithoutWasm],
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

  const assets = {
    loader: assetPath(loader, 'loader.ts'),
    app: assetsApp,
    appNoWasm: assetsNoWasm,
    powWorker,
    styles: assetPath(styles, 'styles.css'),
    catalogues: catalogueAssets,
  };
  const template = await readFile(join(SRC, 'index.html'), 'utf8');
  const noscript = LOCALES.map(
    (l) =>
      `<p lang="${l}"${l === 'ar' ? ' dir="rtl"' : ''}>${escapeHtml(catalogues[l]!.noscript!)}</p>`,
  ).join('\n    ');
  for (const [file, view] of [
    ['index.html', 'submit'],
    ['status.html', 'status'],
  ] as const) {
    const html = template
      .replace('{{TITLE}}', escapeHtml(catalogues.en!['app.title']!))
      .replace('{{STYLES}}', assets.styles)
      .replace('{{LOADER}}', assets.loader)
      .replace('{{VIEW}}', view)
      .replace('{{NOSCRIPT}}', noscript);
    await writeFile(join(outDir, file), html);
  }

  // Precompressed siblings (name.gz), for a server that answers Accept-Encoding: gzip
  // without compressing on every request.
  const compress = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await compress(path);
      else if (/\.(html|js|css|json)$/.test(entry.name)) {
        await writeFile(`${path}.gz`, gzipSync(await readFile(path), { level: 9 }));
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
  const manifest: Manifest = {
    format: 'sealbox-web-manifest-v1',
    pages: { submit: 'index.html', status: 'status.html' },
    assets,
    meta: { orgFingerprint: 'sealbox-org-fingerprint', exitUrl: 'sealbox-exit-url' },
    orgFingerprintBaked: fingerprint !== '',
    files,
  };
  await writeFile(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      'org-fingerprint': { type: 'string' },
      form: { type: 'string' },
      'no-minify': { type: 'boolean' },
    },
  });
  buildWeb({
    outDir: values.out,
    orgFingerprint: values['org-fingerprint'],
    formPath: values.form,
    minify: !values['no-minify'],
  }).then(
    (manifest) => {
      const total = Object.values(manifest.files).reduce((n, f) => n + f.bytes, 0);
      console.log(`web: built ${Object.keys(manifest.files).length} files (${total} bytes)`);
    },
    (error: unknown) => {
      console.error(`web: build failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
