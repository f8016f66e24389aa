// The Content-Security-Policy of the served page, in one place: web/build.ts writes
// it into manifest.json (so the organisation's signature covers it) and the
// server sends exactly this string on every answer, page and API alike. No
// inline script, no other origin; 'wasm-unsafe-eval' lets libsodium's
// WebAssembly compile and allows no JavaScript eval. style-src, worker-src and
// frame-src only spell out what default-src 'self' already meant (frames: none
// at all): WEBCAT requires them stated when default-src is not 'none'
// (web/webcat.ts checks the policy against WEBCAT's rules).
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "worker-src 'self'",
  "frame-src 'none'",
  "img-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The CSP of every path of the page: `default` for all of them, `extra` for a
 * path prefix that needs another one (none does today). The manifest carries it.
 */
export const PAGE_CSP_BY_PATH: { default: string; extra: Record<string, string> } = {
  default: PAGE_CSP,
  extra: {},
};

/** The CSP a server must send for `path` (manifest `csp`): the longest matching extra prefix, else the default. */
export function cspFor(
  csp: { default: string; extra: Record<string, string> },
  path: string,
): string {
  let best: string | undefined;
  for (const prefix of Object.keys(csp.extra)) {
    if (path.startsWith(prefix) && (best === undefined || prefix.length > best.length)) {
      best = prefix;
    }
  }
  return best === undefined ? csp.default : csp.extra[best]!;
}
