// Browser test scaffolding: the real server app (test/helper.ts) on a fresh
// database with a seeded keyset, the page built from web/ into a temp folder,
// and Debian's Chromium driven by playwright-core (never a browser download).
// Every request the page makes is recorded so tests can inspect what left it.
// Every page is served with its manifest and the organisation's signature over
// it, as the page checks them (web/src/page-check.ts).
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import tap from 'tap';
import axe from 'axe-core';
import type { FastifyInstance } from 'fastify';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { PAGE_SIGNATURE_PATH, fingerprint, signPage } from '../../client-crypto/index.ts';
import { keyOptions } from '../../reviewer/io.ts';
import { loadSigningKey } from '../../reviewer/keys.ts';
import { buildApp } from '../../server/app.ts';
import { storeKeyset } from '../../server/db/keysets.ts';
import { ensureKeyset, preparePage } from '../../server/startup.ts';
import { type Manifest, buildWeb } from '../../web/build.ts';
import {
  type TestKeyset,
  build,
  makeKeyset,
  seedKeyset,
  testConfig,
  testDatabase,
  testSecrets,
} from '../helper.ts';
import { makeOrganisation, publishOrganisation } from '../audit/organisation.ts';
import { signBuild } from '../page-signing.ts';
import { pageCoverageArgs, sourcemapDir, startPageCoverage } from './page-coverage.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface Captured {
  method: string;
  url: string;
  body: Buffer | null;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/** An organisation root's key pair: the page pins it, and it signs the page. */
export interface OrgKeys {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/** The organisation's signature over dist/manifest.json, as `sign-page` makes it. */
export async function pageSignature(dist: string, org: OrgKeys): Promise<unknown> {
  const manifest = await readFile(join(dist, 'manifest.json'));
  const { version } = JSON.parse(manifest.toString('utf8')) as { version: string };
  const digest = createHash('sha256').update(manifest).digest('hex');
  return signPage({ manifest: digest, version }, org);
}

/**
 * Serves a page built without a pin as some other static host could: the HTML with
 * the organisation fingerprint written into its <meta>, the hashed assets and
 * manifest.json as they are, so one build serves every test site, and `org`'s
 * signature over that manifest at PAGE_SIGNATURE_PATH (made here, as sites of
 * several organisations share the build). The HTML's own digest then differs from
 * the manifest's: the page does not hash its HTML. `signature` serves another
 * (undefined: none, 404). Files are read at each request, so a test may change
 * them. (The Sealbox server itself serves only pages built with the pin baked in:
 * `startServedSite`.) Skipped when the server already serves the page itself.
 */
export function serveWeb(
  app: FastifyInstance,
  dist: string,
  org: OrgKeys,
  options: { signature?: () => Promise<unknown> } = {},
): void {
  if (app.hasRoute({ method: 'GET', url: '/' })) return;
  const pinned = fingerprint(org.publicKey);
  const signature = options.signature ?? (() => pageSignature(dist, org));
  const page = async (file: string) =>
    (await readFile(join(dist, file), 'utf8')).replace(
      '<meta name="sealbox-org-fingerprint" content="" />',
      `<meta name="sealbox-org-fingerprint" content="${await pinned}" />`,
    );
  for (const [url, file] of [
    ['/', 'index.html'],
    ['/index.html', 'index.html'],
    ['/status.html', 'status.html'],
  ] as const) {
    app.get(url, { schema: { hide: true } }, async (_request, reply) =>
      reply.type(TYPES['.html']!).send(await page(file)),
    );
  }
  app.get('/assets/:file', { schema: { hide: true } }, async (request, reply) => {
    const { file } = request.params as { file: string };
    const path = normalize(join(dist, 'assets', file));
    if (!path.startsWith(join(dist, 'assets')) || !TYPES[extname(path)]) {
      return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'no such file' } });
    }
    return reply.type(TYPES[extname(path)]!).send(await readFile(path));
  });
  app.get('/manifest.json', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(TYPES['.json']!).send(await readFile(join(dist, 'manifest.json'))),
  );
  app.get(PAGE_SIGNATURE_PATH, { schema: { hide: true } }, async (_request, reply) => {
    const signed = await signature();
    if (signed === undefined)
      return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'no such file' } });
    return reply.type(TYPES['.json']!).send(JSON.stringify(signed));
  });
}

let built: Promise<{ dist: string; manifest: Manifest }> | undefined;

/** One build of the page per test file, removed when the file's tests end. */
export function builtPage(): Promise<{ dist: string; manifest: Manifest }> {
  built ??= (async () => {
    const dist = await mkdtemp(join(tmpdir(), 'sealbox-web-'));
    tap.teardown(() => rm(dist, { recursive: true, force: true }));
    return { dist, manifest: await buildWeb({ outDir: dist, sourcemapDir: await sourcemapDir() }) };
  })();
  return built;
}

export interface Site {
  url: string;
  app: FastifyInstance;
  trust: TestKeyset;
  /** The fingerprint the page pins. */
  pinned: string;
}

/**
 * The server on a socket, with a keyset and the reviewer's current epoch key
 * (without it when `epochs` is false: the test stores its own); the page pins
 * `pin` and is signed by it (the seeded root by default), and is served from
 * `dist` (the shared build by default).
 */
export async function startSite(
  t: Teardown,
  options: {
    pin?: OrgKeys;
    epochs?: boolean;
    dist?: string;
    signature?: () => Promise<unknown>;
    /** Server settings over the test defaults (test/helper.ts testConfig). */
    env?: Record<string, string>;
  } = {},
): Promise<Site> {
  const dist = options.dist ?? (await builtPage()).dist;
  const { app, db } = await build(t, options.env ? { env: options.env } : {});
  let trust: TestKeyset;
  if (options.epochs === false) {
    trust = await makeKeyset();
    await storeKeyset(db, trust.keyset.version, JSON.stringify(trust.signed));
  } else {
    trust = await seedKeyset(db);
  }
  const pin = options.pin ?? trust.org;
  const pinned = await fingerprint(pin.publicKey);
  serveWeb(app, dist, pin, { signature: options.signature });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, app, trust, pinned };
}

/**
 * The page served by the Sealbox server itself, built with the pin baked in. DEMO:
 * a first start on an empty data directory, as `npm start` makes it (the DEMO
 * organisation is created, and start-up builds the page for it since the one in
 * the web directory pins nothing). Otherwise: a configured organisation and a
 * page built for it, as an operator does.
 */
export async function startServedSite(
  t: Teardown,
  options: { demo: boolean },
): Promise<{ url: string; app: FastifyInstance; notes: string[] }> {
  const db = await testDatabase(t);
  const notes: string[] = [];
  let config;
  if (options.demo) {
    const dataDir = await mkdtemp(join(tmpdir(), 'sealbox-data-'));
    t.teardown(() => rm(dataDir, { recursive: true, force: true }));
    const { dist } = await builtPage();
    const first = testConfig({ SEALBOX_DATA_DIR: dataDir, SEALBOX_WEB_DIR: dist });
    config = await preparePage(await ensureKeyset(first, db, notes), notes);
  } else {
    const trust = await seedKeyset(db);
    const pinned = await fingerprint(trust.org.publicKey);
    const dist = await mkdtemp(join(tmpdir(), 'sealbox-web-'));
    t.teardown(() => rm(dist, { recursive: true, force: true }));
    await buildWeb({ outDir: dist, orgFingerprint: pinned, sourcemapDir: await sourcemapDir() });
    await signBuild(dist, trust.org);
    const configured = testConfig({ SEALBOX_WEB_DIR: dist, SEALBOX_ORG_FINGERPRINT: pinned });
    config = await preparePage(configured, notes);
  }
  const app = await buildApp({ config, secrets: testSecrets, db });
  t.teardown(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, app, notes };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  requests: Captured[];
  errors: string[];
}

export async function openBrowser(
  t: Teardown,
  options: { noWasm?: boolean; locale?: string } = {},
): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'sealbox-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    locale: options.locale ?? 'en-GB',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...pageCoverageArgs,
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const stopCoverage = await startPageCoverage(page);
  t.teardown(async () => {
    await stopCoverage();
    await context.close();
    await rm(profile, { recursive: true, force: true });
  });
  // Tor Browser at "Safer" has no WebAssembly; removing it before any page script
  // is the only way to get that here (--js-flags=--no-expose-wasm leaves it defined).
  if (options.noWasm) await context.addInitScript('delete globalThis.WebAssembly;');
  const requests: Captured[] = [];
  const errors: string[] = [];
  context.on('request', (request) => {
    requests.push({ method: request.method(), url: request.url(), body: request.postDataBuffer() });
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, requests, errors };
}

/** axe-core in the page; returns serious and critical violations only. */
/** axe-core's serious and critical violations (with `every`, all of them, moderate and minor too). */
export async function axeViolations(
  page: Page,
  options: { every?: boolean } = {},
): Promise<string[]> {
  // Evaluated through the DevTools protocol: the page's CSP forbids inline scripts.
  await page.evaluate(axe.source);
  const results = await page.evaluate(async () => {
    const run = (window as unknown as { axe: typeof axe }).axe.run;
    const r = await run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
  return results
    .filter((v) => options.every || v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}, ${v.nodes} nodes)`);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname, fullPage: true });
}

/** What the page keeps in the browser: must stay empty. */
export async function browserTraces(browser: Browser) {
  const inPage = await browser.page.evaluate(async () => ({
    localStorage: localStorage.length,
    sessionStorage: sessionStorage.length,
    indexedDB: (await indexedDB.databases()).length,
    serviceWorkers: (await navigator.serviceWorker?.getRegistrations())?.length ?? 0,
    cookie: document.cookie,
  }));
  return { ...inPage, cookies: (await browser.context.cookies()).length };
}

export const today = () => new Date().toISOString().slice(0, 10);

/** Answers every required question of the default form (nothing else). */
export async function fillRequired(page: Page): Promise<void> {
  await page.check('[data-field=un_body] input[value=treaty_bodies]');
  await page.selectOption('[data-field=country] select', 'NI');
  await page.check('[data-field=reprisal_kinds] input[value=threats]');
  await page.check('[data-field=consent_public] input[value=no]');
  await page.check('[data-field=publicity_risk] input[value=unsure]');
  await page.check('[data-field=safe_contact] input[value=no_contact]');
}

/**
 * An organisation made with the real commands in `dir` (test/audit/organisation.ts),
 * published on a server that pins only its root's fingerprint, serving the page
 * the root signed: what the loop tests file reports into and carry bundles from.
 * With `desks`, its keyset has two desks, "a" (Ana) and "b" (Ben): makeOrganisation.
 */
export async function startOrganisationSite(
  t: Teardown,
  dir: string,
  options: { desks?: boolean } = {},
) {
  const org = await makeOrganisation(dir, options);
  const { dist } = await builtPage();
  const { app, db } = await build(t, { env: { SEALBOX_ORG_FINGERPRINT: org.fingerprint } });
  await publishOrganisation(db, org);
  const root = await loadSigningKey(join(dir, 'org.key'), 'organisation', keyOptions(org.io));
  serveWeb(app, dist, root);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const server = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return { org, app, db, server, courier: { server, key: org.courierKey } };
}

/**
 * A report through the submission page's default form, as a person files it,
 * with the safe contact "this status page"; returns the receipt. `dangerNow`
 * answers "in danger right now?" (left unanswered without it); `desk` chooses the
 * desk of that name, where the organisation has desks.
 */
export async function fileReport(
  page: Page,
  server: string,
  report: {
    country: string;
    message: string;
    dangerNow?: 'yes' | 'no' | 'unsure';
    desk?: string;
  },
): Promise<string> {
  await page.goto(server);
  await page.getByText(/keys are verified/).waitFor();
  await page.check('[data-field=un_body] input[value=human_rights_council]');
  await page.selectOption('[data-field=country] select', report.country);
  await page.check('[data-field=reprisal_kinds] input[value=threats]');
  await page.check('[data-field=consent_public] input[value=no]');
  await page.check('[data-field=publicity_risk] input[value=yes]');
  if (report.dangerNow)
    await page.check(`[data-field=danger_now] input[value=${report.dangerNow}]`);
  await page.check('[data-field=safe_contact] input[value=status_page]');
  if (report.desk) await page.locator('[data-field=desk]').getByLabel(report.desk).check();
  await page.getByLabel('Your account').fill(report.message);
  await page.getByRole('button', { name: 'Lock and send' }).click();
  await page.locator('.receipt').waitFor({ timeout: 60_000 });
  const receipt = (await page.textContent('.receipt'))!.trim();
  await page.getByLabel('I have written down my receipt').check();
  await page.getByRole('button', { name: 'Finish' }).click();
  return receipt;
}

/** The status page, opened afresh with a receipt, once it has shown the case. */
export async function checkStatus(page: Page, server: string, receipt: string): Promise<void> {
  await page.goto(server);
  await page.getByRole('button', { name: 'Check a report' }).click();
  await page.getByLabel('Receipt', { exact: true }).fill(receipt);
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.locator('.status-line').waitFor();
}
