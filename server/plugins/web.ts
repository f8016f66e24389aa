// Serves the built submission and status pages (web/dist, made by
// `npm run build:web`) from memory, byte for byte as the build wrote them: the
// organisation fingerprint, the DEMO flag and the quick-exit address are baked in
// by the build, so the published manifest digest covers what browsers get. Only
// files listed in the build manifest exist, and each must still have the digest
// the manifest gives it; a file the build also compressed (name.gz) goes out
// as that gzip to browsers that accept it. A page pinned to another organisation than the server's,
// or built for another quick-exit address, is refused, never served. The
// organisation's signature over the build, when there is one, must be for these
// very bytes (web-signature.ts); it is served unchanged at PAGE_SIGNATURE_PATH.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import {
  PAGE_SIGNATURE_PATH,
  fingerprint,
  fromBase64Url,
  sameFingerprint,
} from '../../client-crypto/index.ts';
import type { Config } from '../config.ts';
import { ConfigError } from '../config.ts';
import { ApiError } from '../errors.ts';
import { PAGE_CSP_BY_PATH } from '../page-csp.ts';
import { checkPageSignature } from './web-signature.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export const WEB_MANIFEST_FORMAT = 'sealbox-web-manifest-v3';

interface WebManifest {
  format?: unknown;
  pages: { submit: string; status: string };
  org?: { fingerprint?: string | null; demo?: boolean };
  exitUrl?: string | null;
  title?: string | null;
  csp?: unknown;
  files: Record<string, { sha256?: unknown }>;
}

interface Served {
  body: Buffer;
  /** The build's own gzip of body (name.gz, digest-checked like every file), if any. */
  gzip?: Buffer;
  type: string;
  /** Content-hashed assets never change under their name. */
  immutable: boolean;
}

/**
 * Whether a request's Accept-Encoding takes gzip: listed (or `*`) without
 * `q=0`. Over Tor's slow links the page's scripts arrive in a third of the time.
 */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  let star = false;
  for (const part of value.split(',')) {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    const wanted = Number.isFinite(weight) && weight > 0;
    if (coding.trim() === 'gzip') return wanted;
    if (coding.trim() === '*') star = wanted;
  }
  return star;
}

/** What the page must have been built with to be served by this server. */
export interface PageExpectation {
  /** The organisation the server trusts; undefined: none configured, nothing to compare. */
  fingerprint: string | undefined;
  demo: boolean;
  /** SEALBOX_EXIT_URL, if set. */
  exitUrl: string | undefined;
  /** SEALBOX_PAGE_TITLE, if set. */
  title: string | undefined;
}

/** The fingerprint the page must trust: the operator's pin (or the DEMO one), never the keyset's own signer. */
export async function pageExpectation(config: Config): Promise<PageExpectation> {
  const pinned =
    config.org.fingerprint ??
    (config.org.publicKey ? await fingerprint(fromBase64Url(config.org.publicKey)) : undefined);
  return {
    fingerprint: pinned,
    demo: config.org.demo,
    exitUrl: config.exitUrl,
    title: config.pageTitle,
  };
}

function refuse(dir: string, problem: string, fix: string): ConfigError {
  return new ConfigError(`cannot serve the page in ${dir}\n  ${problem}\n  ${fix}`);
}

/** Checks what the build baked in against what the server trusts; throws a ConfigError saying how to rebuild. */
function checkBaked(dir: string, manifest: WebManifest, expected: PageExpectation): void {
  const baked = manifest.org?.fingerprint ?? null;
  const demo = manifest.org?.demo === true;
  const rebuild = (env: string) =>
    `rebuild it: ${env} npm run build:web (Docker: docker build --build-arg ${env} .)`;
  if (expected.fingerprint !== undefined) {
    const pin = `SEALBOX_ORG_FINGERPRINT=${expected.fingerprint}`;
    if (baked === null) {
      throw refuse(
        dir,
        `it was built without an organisation fingerprint, but the server trusts ${expected.fingerprint}`,
        expected.demo
          ? 'rebuild it with `npm run build:web`, which takes the DEMO organisation from the data directory'
          : rebuild(pin),
      );
    }
    if (!sameFingerprint(baked, expected.fingerprint)) {
      throw refuse(
        dir,
        `it is pinned to organisation ${baked}, but the server trusts ${expected.fingerprint}`,
        expected.demo
          ? 'rebuild it with `npm run build:web`, which takes the DEMO organisation from the data directory'
          : rebuild(pin),
      );
    }
    if (demo !== expected.demo) {
      throw refuse(
        dir,
        expected.demo
          ? 'it does not say that the organisation is a DEMO one, and it is'
          : 'it says that the organisation is a DEMO one, and it is not',
        expected.demo
          ? 'rebuild it with `npm run build:web`, which takes the DEMO organisation from the data directory'
          : rebuild(pin),
      );
    }
  }
  const exitUrl = manifest.exitUrl ?? null;
  if (expected.exitUrl !== undefined && exitUrl !== expected.exitUrl) {
    throw refuse(
      dir,
      `SEALBOX_EXIT_URL is ${expected.exitUrl}, but the page was built with ${exitUrl ?? 'no exit address (about:blank)'}`,
      rebuild(`SEALBOX_EXIT_URL=${expected.exitUrl}`),
    );
  }
  const title = manifest.title ?? null;
  if (expected.title !== undefined && title !== expected.title) {
    throw refuse(
      dir,
      `SEALBOX_PAGE_TITLE is "${expected.title}", but the page was built with ${title === null ? "the catalogue's own title" : `"${title}"`}`,
      rebuild(`SEALBOX_PAGE_TITLE="${expected.title}"`),
    );
  }
}

/**
 * Reads a built page, checks it (format, what it pins, every file's digest) and
 * returns its files as they are to be served; undefined when there is no build.
 */
export async function loadWeb(
  dir: string,
  expected: PageExpectation,
): Promise<WebFiles | undefined> {
  let raw: Buffer;
  try {
    raw = await readFile(join(dir, 'manifest.json'));
  } catch {
    return undefined;
  }
  let manifest: WebManifest;
  try {
    manifest = JSON.parse(raw.toString('utf8')) as WebManifest;
  } catch {
    throw refuse(dir, 'its manifest.json is not JSON', 'rebuild it: npm run build:web');
  }
  if (manifest.format !== WEB_MANIFEST_FORMAT) {
    throw refuse(
      dir,
      `its manifest.json is ${String(manifest.format)}, not ${WEB_MANIFEST_FORMAT} (an older build that the server had to alter when serving)`,
      'rebuild it: npm run build:web',
    );
  }
  checkBaked(dir, manifest, expected);
  if (JSON.stringify(manifest.csp) !== JSON.stringify(PAGE_CSP_BY_PATH)) {
    throw refuse(
      dir,
      'its manifest.json states another Content-Security-Policy than the one this server sends',
      'rebuild it with this version: npm run build:web',
    );
  }
  const files: WebFiles = new Map();
  const pages = new Set([manifest.pages.submit, manifest.pages.status]);
  for (const [name, entry] of Object.entries(manifest.files)) {
    if (name.includes('..') || name.startsWith('/')) continue;
    const body = await readFile(join(dir, name));
    if (createHash('sha256').update(body).digest('hex') !== entry.sha256) {
      throw refuse(
        dir,
        `${name} is not the file the build made (its SHA-256 differs from manifest.json)`,
        'rebuild it: npm run build:web',
      );
    }
    files.set('/' + name, {
      body,
      type: TYPES[extname(name)] ?? 'application/octet-stream',
      immutable: !pages.has(name) && /[.-][A-Za-z0-9_-]{8,}\.[a-z0-9]+$/.test(name),
    });
  }
  // Each file with a precompressed sibling is served from it to browsers that take gzip.
  for (const [path, served] of files) {
    const compressed = files.get(`${path}.gz`);
    if (compressed) served.gzip = compressed.body;
  }
  const submit = files.get('/' + manifest.pages.submit);
  const status = files.get('/' + manifest.pages.status);
  if (!submit || !status) {
    throw refuse(dir, 'its manifest.json lists no pages', 'rebuild it: npm run build:web');
  }
  files.set('/', submit);
  files.set('/status', status);
  // The manifest itself, so anyone can compare it with the published digest.
  files.set('/manifest.json', { body: raw, type: TYPES['.json']!, immutable: false });
  const signature = await checkPageSignature(
    dir,
    raw,
    expected.fingerprint ?? manifest.org?.fingerprint ?? undefined,
  );
  if (signature.state === 'signed') {
    // Byte for byte as signed; never cached, so that a new signature is seen at once.
    files.set(PAGE_SIGNATURE_PATH, {
      body: signature.body,
      type: TYPES['.json']!,
      immutable: false,
    });
  }
  return files;
}

/** A built page as loadWeb returns it: each path with what is served there. */
export type WebFiles = Map<string, Served>;

/**
 * Serves the files of a page loaded by loadWeb (every other path: 404), or
 * none when there is no build. Not encapsulated, so the app's error handler
 * and limits apply as to every route.
 */
function web(
  app: FastifyInstance,
  { files }: { files: WebFiles | undefined },
  done: (err?: Error) => void,
): void {
  app.get('/*', { schema: { hide: true }, config: { rateClass: 'read' } }, (request, reply) => {
    const path = request.url.split('?')[0]!;
    const file = files?.get(path);
    if (!file) throw new ApiError(404, 'NOT_FOUND', 'no such resource');
    if (file.immutable) reply.header('cache-control', 'public, max-age=31536000, immutable');
    if (!file.gzip) return reply.type(file.type).send(file.body);
    reply.header('vary', 'accept-encoding');
    if (!acceptsGzip(request.headers['accept-encoding']))
      return reply.type(file.type).send(file.body);
    return reply.type(file.type).header('content-encoding', 'gzip').send(file.gzip);
  });
  done();
}

export default fp(web, { name: 'sealbox-web' });
