// The watcher's checks, in the order trust flows: the organisation's signature
// (against the fingerprint the watcher was given, never one the site names),
// then manifest.json (its SHA-256 must be the signed one), then every file the
// manifest lists and the pages at / and /status (each file's SHA-256), then the
// headers of every answer (the CSP the manifest states for that path, and the
// others the server sends). Everything is collected into one report; nothing
// stops at the first difference, so one run shows all of them.
import { createHash } from 'node:crypto';
import {
  PAGE_SIGNATURE_PATH,
  type PageSignature,
  fingerprint,
  fromBase64Url,
  isSealboxError,
  sameFingerprint,
  verifyPageSignature,
} from '../../../client-crypto/index.ts';
import { cspFor } from '../../../server/page-csp.ts';
import { cspDifferences } from './csp.ts';
import { type Fetched, pageFetcher } from './fetch.ts';
import { headerDifferences } from './headers.ts';
import { htmlDifferences } from './html.ts';
import { type WatchedManifest, readManifest } from './manifest.ts';
import { WatchReport } from './report.ts';
import { shown } from './shown.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const LIMIT = { signature: 64 * KiB, manifest: 4 * MiB, page: 2 * MiB, file: 32 * MiB };
/** All answers together: a few times the largest build. */
const BUDGET = 256 * MiB;
/** Requests in flight at once: enough for Tor's latency, few enough to look like a browser. */
const PARALLEL = 4;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const short = (hex: string) => `${hex.slice(0, 16)}…`;

export async function watchPage(url: URL, pin: string, timeoutMs: number): Promise<WatchReport> {
  const report = new WatchReport();
  const fetcher = pageFetcher(url.origin, timeoutMs, BUDGET);
  const answers: Fetched[] = [];
  /** The body of a 200 answer; anything else is recorded in the report. */
  const body = (fetched: Fetched, missing = 'not served'): Uint8Array | undefined => {
    answers.push(fetched);
    switch (fetched.kind) {
      case 'unreachable':
        report.cannotReach(fetched.path, fetched.reason);
        return undefined;
      case 'off-origin':
        report.differs(fetched.path, `redirects to ${shown(fetched.location)} (not followed)`);
        return undefined;
      case 'too-large':
        report.differs(fetched.path, `larger than ${fetched.limit} bytes (not read further)`);
        return undefined;
      case 'answer':
        if (fetched.status === 200) return fetched.body;
        report.differs(fetched.path, `${missing}: HTTP ${fetched.status}, expected 200`);
        return undefined;
    }
  };

  const entry = url.pathname + url.search;
  const first = await fetcher.get(entry, LIMIT.page);
  const page = body(first);
  // Nothing answered at all: say so, and do not count one bad circuit as forty.
  if (first.kind === 'unreachable') return report;

  const signature = await checkSignature(
    body,
    await fetcher.get(PAGE_SIGNATURE_PATH, LIMIT.signature),
    pin,
    report,
  );
  const manifestBytes = body(await fetcher.get('/manifest.json', LIMIT.manifest));
  if (manifestBytes === undefined) return report;
  if (signature && sha256(manifestBytes) !== signature.manifest) {
    report.differs(
      '/manifest.json',
      `SHA-256 ${short(sha256(manifestBytes))}, the organisation signed ${short(signature.manifest)}`,
    );
  }
  const manifest = readManifest(manifestBytes);
  if (typeof manifest === 'string') {
    report.differs('/manifest.json', `${manifest}: no file can be checked`);
    return report;
  }
  checkManifest(manifest, signature, pin, report);
  const proven = signature !== undefined && sha256(manifestBytes) === signature.manifest;

  const isStatus = ['/status', `/${manifest.pages.status}`].includes(url.pathname);
  const pages = new Map<string, string>([
    [url.pathname, isStatus ? manifest.pages.status : manifest.pages.submit],
    ['/', manifest.pages.submit],
    ['/status', manifest.pages.status],
  ]);
  const compare = (path: string, name: string, bytes: Uint8Array | undefined) => {
    if (bytes === undefined) return;
    report.files++;
    const listed = manifest.files.get(name)!;
    const digest = sha256(bytes);
    if (digest !== listed.sha256) {
      report.differs(
        path,
        `SHA-256 ${short(digest)} (${bytes.length} bytes), the manifest lists ${short(listed.sha256)} (${listed.bytes} bytes) for ${shown(name)}`,
      );
    } else if (proven) return;
    // A page that is not the signed one, or that only an unsigned manifest vouches
    // for: say what in it differs from what the build writes.
    if (name !== manifest.pages.submit && name !== manifest.pages.status) return;
    const html = new TextDecoder().decode(bytes);
    const expected = {
      scripts: [manifest.assets.loader],
      stylesheets: [manifest.assets.styles],
      icons: manifest.assets.icon === undefined ? [] : [manifest.assets.icon],
      pin,
      exitUrl: manifest.exitUrl ?? '',
    };
    for (const what of htmlDifferences(html, expected, url.origin)) report.differs(path, what);
  };
  compare(url.pathname, pages.get(url.pathname)!, page);

  const queue: [string, string, number][] = [
    ...[...pages]
      .filter(([path]) => path !== url.pathname)
      .map(([path, name]) => [path, name, LIMIT.page] as [string, string, number]),
    ...[...manifest.files].map(
      ([name, f]) =>
        [`/${name}`, name, Math.min(f.bytes + MiB, LIMIT.file)] as [string, string, number],
    ),
  ];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [path, name, limit] = next;
      compare(path, name, body(await fetcher.get(path, limit)));
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));

  for (const answer of answers) {
    if (answer.kind !== 'answer' && answer.kind !== 'too-large') continue;
    if (answer.kind === 'answer' && answer.status !== 200) continue;
    report.responses++;
    const path = new URL(answer.path, url.origin).pathname;
    const csp = answer.headers.get('content-security-policy');
    for (const what of cspDifferences(cspFor(manifest.csp, path), csp)) report.differs(path, what);
    for (const what of headerDifferences(answer.headers)) report.differs(path, what);
  }
  return report;
}

async function checkSignature(
  body: (fetched: Fetched, missing?: string) => Uint8Array | undefined,
  fetched: Fetched,
  pin: string,
  report: WatchReport,
): Promise<PageSignature | undefined> {
  const bytes = body(fetched, 'no signature by the organisation');
  if (bytes === undefined) return undefined;
  let signed: unknown;
  try {
    signed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    report.differs(PAGE_SIGNATURE_PATH, 'the signature is not JSON');
    return undefined;
  }
  try {
    const payload = await verifyPageSignature(signed, pin);
    report.signed = { date: payload.signed, version: payload.version };
    return payload;
  } catch (error) {
    if (!isSealboxError(error)) throw error;
    if (error.code === 'KEYSET_ROOT_MISMATCH') {
      report.differs(
        PAGE_SIGNATURE_PATH,
        `signed by another organisation (${await signerOf(signed)}), expected ${shown(pin)}`,
      );
    } else if (error.code === 'PAGE_SIGNATURE_INVALID') {
      report.differs(PAGE_SIGNATURE_PATH, 'the signature does not verify: changed after signing');
    } else {
      report.differs(PAGE_SIGNATURE_PATH, `not a page signature (${error.message})`);
    }
    return undefined;
  }
}

async function signerOf(signed: unknown): Promise<string> {
  try {
    return await fingerprint(fromBase64Url((signed as { signer: string }).signer));
  } catch {
    return 'an unreadable key';
  }
}

/** What the signed manifest itself must say: the pin, the version, the saved page. */
function checkManifest(
  manifest: WatchedManifest,
  signature: PageSignature | undefined,
  pin: string,
  report: WatchReport,
): void {
  if (manifest.pin === null || !sameFingerprint(manifest.pin, pin)) {
    report.differs(
      '/manifest.json',
      `pins organisation ${manifest.pin === null ? 'none' : shown(manifest.pin)}, expected ${shown(pin)}`,
    );
  }
  if (signature && signature.version !== manifest.version) {
    report.differs(
      '/manifest.json',
      `version ${shown(manifest.version)}, the organisation signed version ${shown(signature.version)}`,
    );
  }
  if (signature && (signature.saved ?? null) !== (manifest.saved?.sha256 ?? null)) {
    report.differs(
      '/manifest.json',
      `the saved page's SHA-256 is ${manifest.saved ? short(manifest.saved.sha256) : 'none'}, the organisation signed ${signature.saved ? short(signature.saved) : 'none'}`,
    );
  }
}
