// The page checks what it runs, once per load, beside the keyset. It fetches
// /manifest.json and the organisation's signature over it, verifies the
// signature against the pinned root, and compares with the signed digests: the
// manifest's own bytes; the scripts it runs (the loader the HTML names, the app
// build running this code, libsodium's WebAssembly inside it as bytes, the
// proof-of-work worker); its stylesheet; every catalogue it loads. The CSP the
// server sends with the page must be the one the manifest states for its path.
// On any difference, or without a valid signature, the page seals nothing and
// reads no receipt.
//
// Its limit: a fully hostile server sends a page without this check. It catches
// partial tampering (one file changed on a server or a mirror), stale caches
// mixing two builds, and middleboxes that rewrite scripts or drop the CSP.
//
// The HTML is not hashed: a page cannot read the bytes it was parsed from (a
// refetch is another answer), and a host may write the pin into its <meta>. The
// page checks what the HTML made it run instead: every script of this origin is
// the loader or the app build, the stylesheet is the signed one, and the CSP
// (checked) keeps out inline scripts and other origins.
import {
  PAGE_SIGNATURE_PATH,
  isSealboxError,
  verifyPageSignature,
} from '../../client-crypto/index.ts';
import { cspFor } from '../../server/page-csp.ts';
import { pinnedFingerprint } from './config.ts';

export type PageCheck =
  { ok: true; skipped: boolean } | { ok: false; reason: string; retry: boolean; file?: string };

interface SignedManifest {
  assets: { loader: string; app: string; appNoWasm: string; powWorker: string; styles: string };
  org?: { fingerprint?: string | null };
  csp: { default: string; extra: Record<string, string> };
  files: Record<string, { sha256?: unknown } | undefined>;
}

const MANIFEST_PATH = `/manifest.json`;
const REQUEST: RequestInit = {
  credentials: 'omit',
  referrerPolicy: 'no-referrer',
  mode: 'same-origin',
};

class Mismatch extends Error {
  constructor(
    readonly reason: string,
    readonly file?: string,
    readonly retry = false,
  ) {
    super(reason);
  }
}

async function get(path: string, cache: RequestCache): Promise<Response> {
  try {
    return await fetch(path, { ...REQUEST, cache });
  } catch {
    throw new Mismatch('page.unreachable', path, true);
  }
}

async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

const bare = (fingerprint: string) => fingerprint.replace(/[\s-]/g, '').toUpperCase();

/** The manifest, once its signature by the pinned root and its digest have checked out. */
async function signedManifest(pin: string): Promise<SignedManifest> {
  const [manifest, signature] = await Promise.all([
    get(MANIFEST_PATH, 'no-store'),
    get(PAGE_SIGNATURE_PATH, 'no-store'),
  ]);
  if (signature.status >= 500 || signature.status === 429)
    throw new Mismatch('page.unreachable', PAGE_SIGNATURE_PATH, true);
  if (!signature.ok) throw new Mismatch('page.no_signature', PAGE_SIGNATURE_PATH);
  let payload;
  try {
    payload = await verifyPageSignature(JSON.parse(await signature.text()), pin);
  } catch (error) {
    const other = isSealboxError(error, 'KEYSET_ROOT_MISMATCH');
    throw new Mismatch(other ? 'page.other_organisation' : 'page.bad_signature');
  }
  if (!manifest.ok) throw new Mismatch('page.manifest_changed', MANIFEST_PATH);
  const bytes = await manifest.arrayBuffer();
  if ((await sha256Hex(bytes)) !== payload.manifest)
    throw new Mismatch('page.manifest_changed', MANIFEST_PATH);
  const parsed = JSON.parse(new TextDecoder().decode(bytes)) as SignedManifest;
  // Signed by the pinned root, yet baked for another one: not this page's manifest.
  const baked = parsed.org?.fingerprint;
  if (typeof baked === 'string' && bare(baked) !== bare(pin))
    throw new Mismatch('page.manifest_changed', MANIFEST_PATH);
  return parsed;
}

/** `name` (a path under the origin's root) has the digest the signed manifest gives it. */
async function compare(manifest: SignedManifest, name: string, bytes: ArrayBuffer): Promise<void> {
  const expected = manifest.files[name]?.sha256;
  if (typeof expected !== 'string' || (await sha256Hex(bytes)) !== expected)
    throw new Mismatch('page.file_changed', name);
}

/**
 * Fetches asked for before the manifest arrived, by name: the proof-of-work
 * worker has not run yet, so no cache holds it, and over Tor waiting for the
 * manifest first would cost a round trip.
 */
const early = new Map<string, Promise<Response>>();

/** Fetched again from the browser's cache, so that the bytes that ran are hashed. */
async function checkFile(manifest: SignedManifest, name: string): Promise<void> {
  const asked = early.get(name);
  early.delete(name); // a response is read once; a second check fetches again
  const response = await (asked ?? get(`/${name}`, 'force-cache'));
  if (!response.ok) throw new Mismatch('page.file_changed', name);
  await compare(manifest, name, await response.arrayBuffer());
}

/** A URL of this origin as a manifest name ("assets/…"); undefined for another origin. */
function nameOf(url: string): string | undefined {
  const u = new URL(url, document.baseURI);
  return u.origin === location.origin ? u.pathname.slice(1) : undefined;
}

async function checkScripts(manifest: SignedManifest): Promise<void> {
  const { assets } = manifest;
  const app = nameOf(import.meta.url);
  if (!app || (app !== assets.app && app !== assets.appNoWasm))
    throw new Mismatch('page.extra_script', app);
  const scripts = [...document.scripts].map((s) => (s.src ? nameOf(s.src) : undefined));
  for (const name of scripts) {
    if (name !== undefined && name !== assets.loader && name !== app)
      throw new Mismatch('page.extra_script', name);
  }
  if (nameOf(__SEALBOX_POW_WORKER__) !== assets.powWorker)
    throw new Mismatch('page.extra_script', __SEALBOX_POW_WORKER__);
  const styles = [...document.querySelectorAll<HTMLLinkElement>('link[rel~="stylesheet"]')].map(
    (link) => nameOf(link.href),
  );
  for (const name of styles) {
    if (name !== undefined && name !== assets.styles) throw new Mismatch('page.file_changed', name);
  }
  const ran = new Set([assets.loader, app, assets.powWorker]);
  for (const name of styles) if (name !== undefined) ran.add(name);
  await Promise.all([...ran].map((name) => checkFile(manifest, name)));
}

async function checkCsp(manifest: SignedManifest, asked: Promise<Response>): Promise<void> {
  const response = await asked;
  void response.body?.cancel();
  const sent = (response.headers.get('content-security-policy') ?? '').replace(/\s+/g, ' ');
  if (sent.trim() !== cspFor(manifest.csp, location.pathname).replace(/\s+/g, ' ').trim())
    throw new Mismatch('page.csp_changed', location.pathname);
}

let manifestReady: Promise<SignedManifest> | undefined;

async function run(): Promise<PageCheck> {
  // A page saved to disk is checked before it is opened (sha256sum, verify-page).
  if (location.protocol === 'file:') return { ok: true, skipped: true };
  if (!globalThis.crypto?.subtle) return { ok: false, reason: 'page.no_webcrypto', retry: false };
  const pin = pinnedFingerprint();
  if (!pin.ok) return { ok: false, reason: pin.reason, retry: false };
  const worker = nameOf(__SEALBOX_POW_WORKER__);
  if (worker !== undefined) {
    const fetched = get(`/${worker}`, 'force-cache');
    fetched.catch(() => undefined); // seen by checkFile, or dropped if the manifest fails
    early.set(worker, fetched);
  }
  // The header the server sends with this page now, asked for beside the manifest.
  const page = get(location.pathname, 'no-store');
  page.catch(() => undefined); // seen by checkCsp, or dropped if the manifest fails
  manifestReady = signedManifest(pin.fingerprint);
  try {
    const manifest = await manifestReady;
    await Promise.all([checkScripts(manifest), checkCsp(manifest, page)]);
    return { ok: true, skipped: false };
  } catch (error) {
    if (error instanceof Mismatch)
      return { ok: false, reason: error.reason, retry: error.retry, file: error.file };
    return { ok: false, reason: 'page.unchecked', retry: false };
  }
}

let running: Promise<PageCheck> | undefined;
/** A catalogue that failed its check after the page check had answered. */
let later: PageCheck | undefined;
const catalogues: Promise<unknown>[] = [];

function mark(check: PageCheck): PageCheck {
  const data = document.documentElement.dataset;
  data.pageCheck = check.ok ? (check.skipped ? 'skipped' : 'ok') : 'failed';
  delete data.pageCheckReason;
  delete data.pageCheckFile;
  if (!check.ok) data.pageCheckReason = check.reason;
  if (!check.ok && check.file) data.pageCheckFile = check.file;
  return check;
}

/**
 * The page's check of itself, run once per page load (again only after a
 * network failure), including the catalogues loaded so far; a catalogue that
 * fails later turns every later answer into a refusal.
 */
export async function pageCheck(): Promise<PageCheck> {
  running ??= run().then((check) => {
    if (!check.ok && check.retry) running = undefined;
    return check;
  });
  const check = await running;
  await Promise.all(catalogues);
  return mark(check.ok && later ? later : check);
}

/**
 * A catalogue's bytes, compared with the signed manifest before the page shows
 * them. When the page could not get a signed manifest it refuses anyway; the
 * catalogue is then still used, so that the refusal reads in the person's language.
 */
export function fetchCatalogue(path: string): Promise<ArrayBuffer> {
  void pageCheck();
  const ready = manifestReady?.catch(() => undefined);
  const result = (async () => {
    // As before the check: a saved page (file:) may load its catalogues its own way.
    const response = await fetch(path, { credentials: 'omit', referrerPolicy: 'no-referrer' });
    if (!response.ok) throw new Error(`catalogue: HTTP ${response.status}`);
    const bytes = await response.arrayBuffer();
    const manifest = await ready;
    if (manifest) await compare(manifest, nameOf(path) ?? path, bytes);
    return bytes;
  })();
  const failed = result.catch((error: unknown) => {
    if (error instanceof Mismatch)
      later ??= { ok: false, reason: error.reason, retry: false, file: error.file };
  });
  catalogues.push(failed);
  return result;
}

/** The headline over a refusal: the page itself, or the organisation's keys. */
export function refusalHeadline(reason: string): string {
  return reason.startsWith('page.') ? 'page.failed' : 'trust.failed';
}
