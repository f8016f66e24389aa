// The served manifest.json, read as hostile input: only the fields the watcher
// uses, each checked for type and size before use. Its digest is compared with
// the signed one elsewhere; this only decides whether it can be read at all.

export const MANIFEST_FORMAT = 'sealbox-web-manifest-v3';
/** More files than any build makes; a manifest listing more is refused, not fetched. */
const MAX_FILES = 1000;
const SHA256_HEX = /^[0-9a-f]{64}$/;
// What web/build.ts writes: folders and names of letters, digits, ".", "_" and "-".
const PLAIN_PATH = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(?:\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;

export interface WatchedManifest {
  version: string;
  pages: { submit: string; status: string };
  /** icon: the page's favicon, linked from both pages; absent in older builds. */
  assets: { loader: string; styles: string; icon?: string };
  pin: string | null;
  exitUrl: string | null;
  csp: { default: string; extra: Record<string, string> };
  files: Map<string, { bytes: number; sha256: string }>;
  /** The saved page, if the build made one and says so. */
  saved: { file: string; sha256: string } | null;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.length <= 2000;

/** The manifest, or a sentence saying why it cannot be read. */
export function readManifest(bytes: Uint8Array): WatchedManifest | string {
  let m: unknown;
  try {
    m = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return 'is not JSON';
  }
  if (!isObject(m)) return 'is not a JSON object';
  if (m.format !== MANIFEST_FORMAT) {
    return `is not a ${MANIFEST_FORMAT} (a page of another Sealbox version: use the sealbox tool of that version)`;
  }
  const { pages, assets, org, csp, files, saved } = m;
  if (!isText(m.version)) return 'has no version';
  if (!isObject(pages) || !isText(pages.submit) || !isText(pages.status)) return 'names no pages';
  if (!isObject(assets) || !isText(assets.loader) || !isText(assets.styles)) {
    return 'names no loader script or stylesheet';
  }
  if (assets.icon !== undefined && !isText(assets.icon)) return 'names an icon that is not text';
  if (!isObject(org) || !(org.fingerprint === null || isText(org.fingerprint))) {
    return 'has no organisation';
  }
  if (m.exitUrl !== null && m.exitUrl !== undefined && !isText(m.exitUrl)) {
    return 'has a quick-exit address that is not text';
  }
  if (!isObject(csp) || !isText(csp.default) || !isObject(csp.extra)) return 'states no CSP';
  const extra: Record<string, string> = {};
  for (const [prefix, policy] of Object.entries(csp.extra)) {
    if (!isText(policy)) return 'states a CSP that is not text';
    extra[prefix] = policy;
  }
  if (!isObject(files)) return 'lists no files';
  const entries = Object.entries(files);
  if (entries.length > MAX_FILES) return `lists ${entries.length} files (more than ${MAX_FILES})`;
  const listed = new Map<string, { bytes: number; sha256: string }>();
  for (const [name, entry] of entries) {
    if (!PLAIN_PATH.test(name) || name.length > 300)
      return 'lists a file name that is not a plain path';
    if (
      !isObject(entry) ||
      !Number.isSafeInteger(entry.bytes) ||
      (entry.bytes as number) < 0 ||
      typeof entry.sha256 !== 'string' ||
      !SHA256_HEX.test(entry.sha256)
    ) {
      return 'lists a file without a size and SHA-256';
    }
    listed.set(name, { bytes: entry.bytes as number, sha256: entry.sha256 });
  }
  if (!listed.has(pages.submit) || !listed.has(pages.status)) return 'does not list its pages';
  return {
    version: m.version,
    pages: { submit: pages.submit, status: pages.status },
    assets: {
      loader: assets.loader,
      styles: assets.styles,
      ...(assets.icon === undefined ? {} : { icon: assets.icon }),
    },
    pin: org.fingerprint,
    exitUrl: typeof m.exitUrl === 'string' ? m.exitUrl : null,
    csp: { default: csp.default, extra },
    files: listed,
    saved:
      isObject(saved) && isText(saved.file) && typeof saved.sha256 === 'string'
        ? { file: saved.file, sha256: saved.sha256 }
        : null,
  };
}
