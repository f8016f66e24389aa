// The saved page: the whole app in ONE self-contained HTML file, that an
// organisation hands out through a trusted channel and a person opens from disk
// (file://). Styles, the app (libsodium's CommonJS build, which falls back to plain
// JavaScript where WebAssembly is missing), all six catalogues and the
// proof-of-work worker's code are inlined; the only network requests it may make
// go to the API origins baked in (the organisation's onion address and a
// clearnet one, in the order to try). Its own CSP, in a <meta>, allows exactly
// its inline script and style (by hash, never 'unsafe-inline'), the worker from a
// blob: URL, and connections to those origins alone.
//
// It is written at SAVED_FILE, outside what the server serves (only files listed
// in manifest.json's `files` are served, and this one is not), and recorded in
// the manifest as `saved` with its SHA-256, which anyone can check with sha256sum.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as esbuild from 'esbuild';

/** Where the saved page lands in the build folder (relative, '/'-separated). */
export const SAVED_FILE = 'saved/sealbox.html';

/** What manifest.json records of the saved page (`saved`), or null when none was asked for. */
export interface SavedPage {
  file: string;
  bytes: number;
  sha256: string;
  apiOrigins: string[];
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Checks and normalises the API origins: each an origin alone (no path, query,
 * fragment or credentials), `https://`, or `http://` for an onion address (Tor
 * encrypts and authenticates it) or loopback (tests, a local demo).
 */
export function parseApiOrigins(values: readonly string[]): string[] {
  if (values.length === 0) throw new Error('the saved page needs at least one --api-origin');
  const origins: string[] = [];
  for (const value of values) {
    let url: URL;
    try {
      url = new URL(value.trim());
    } catch {
      throw new Error(`API origin "${value}" is not an address`);
    }
    if (url.username || url.password || url.search || url.hash || url.pathname !== '/') {
      throw new Error(`API origin "${value}" must be an origin alone, like https://example.org`);
    }
    const onion = url.hostname.endsWith('.onion');
    if (
      url.protocol !== 'https:' &&
      !(url.protocol === 'http:' && (onion || LOOPBACK.has(url.hostname)))
    ) {
      throw new Error(
        `API origin "${value}" must be https:// (http:// only for an .onion address or loopback)`,
      );
    }
    if (origins.includes(url.origin)) throw new Error(`API origin "${value}" is given twice`);
    origins.push(url.origin);
  }
  return origins;
}

const sha256Base64 = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64');

/** The saved page's CSP: its own inline code by hash, a blob: worker, the API origins. */
export function savedPageCsp(script: string, style: string, apiOrigins: readonly string[]): string {
  return [
    "default-src 'none'",
    `script-src 'sha256-${sha256Base64(script)}' 'wasm-unsafe-eval'`,
    `style-src 'sha256-${sha256Base64(style)}'`,
    'worker-src blob:',
    `connect-src ${apiOrigins.join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Inline code must not end its element early or open an HTML comment in it. */
function checkInlinable(code: string, element: 'script' | 'style'): void {
  const bad = new RegExp(`</${element}|<!--`, 'i').exec(code);
  if (bad) throw new Error(`the saved page's inline ${element} contains "${bad[0]}"`);
}

export interface SavedInput {
  outDir: string;
  apiOrigins: readonly string[];
  /** The esbuild options of the served page's pure-JS app build (define, external, plugins, …). */
  app: esbuild.BuildOptions;
  /** The source of the app's entry point for the saved page. */
  entry: string;
  /** Every catalogue, English included. */
  catalogues: Record<string, Record<string, string>>;
  /** Paths of the built proof-of-work worker and styles. */
  powWorkerFile: string;
  stylesFile: string;
  /** index.html's replacements, already escaped for HTML. */
  html: { template: string; title: string; fingerprint: string; exitUrl: string; noscript: string };
}

export async function buildSaved(input: SavedInput): Promise<SavedPage> {
  const apiOrigins = parseApiOrigins(input.apiOrigins);
  const [worker, styles] = await Promise.all([
    readFile(input.powWorkerFile, 'utf8'),
    readFile(input.stylesFile, 'utf8'),
  ]);
  const { en: _english, ...others } = input.catalogues;
  const result = await esbuild.build({
    ...input.app,
    entryPoints: { saved: input.entry },
    write: false,
    define: {
      ...input.app.define,
      __SEALBOX_API_ORIGINS__: JSON.stringify(apiOrigins),
      __SEALBOX_INLINE_CATALOGUES__: JSON.stringify(others),
      __SEALBOX_CATALOGUES__: '{}',
      __SEALBOX_POW_WORKER__: '""',
      __SEALBOX_POW_WORKER_SOURCE__: JSON.stringify(worker),
    },
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  if (!js || result.outputFiles.length !== 1) throw new Error('the saved app is not one file');
  const script = js.text.trimEnd();
  const style = styles.trimEnd();
  checkInlinable(script, 'script');
  checkInlinable(style, 'style');
  const html = input.html.template
    .replace('{{CSP}}', () => savedPageCsp(script, style, apiOrigins))
    .replace('{{TITLE}}', () => input.html.title)
    .replace('{{ORG_FINGERPRINT}}', () => input.html.fingerprint)
    .replace('{{EXIT_URL}}', () => input.html.exitUrl)
    .replace('{{NOSCRIPT}}', () => input.html.noscript)
    .replace('<style></style>', () => `<style>${style}</style>`)
    .replace('<script type="module"></script>', () => `<script type="module">${script}</script>`);
  const bytes = Buffer.from(html, 'utf8');
  const path = join(input.outDir, SAVED_FILE);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
  return {
    file: SAVED_FILE,
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    apiOrigins,
  };
}
