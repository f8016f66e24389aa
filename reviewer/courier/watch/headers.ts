// Response headers other than the CSP that decide what a browser does with
// the page, as the Sealbox server sends them (server/plugins/security.ts): no
// referrer leaves the page, no content is sniffed into script, no cookie is
// ever set, and nothing sends the browser elsewhere or loads more than the
// page lists. These are not in the signed manifest; the watcher knows them.
import { shown } from './shown.ts';

const REQUIRED: Record<string, string> = {
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

// Set-Cookie: Sealbox never sets one, so one is a tracker. Refresh: goes to another
// address. Link: can make a browser load a stylesheet the page does not list.
const ABSENT = ['set-cookie', 'refresh', 'link'];

/** How the headers of one answer differ from what the server sends; empty when they do not. */
export function headerDifferences(headers: Headers): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(REQUIRED)) {
    const found = headers.get(name);
    if (found === null) out.push(`no ${name} header (expected ${shown(value)})`);
    else if (found.trim().toLowerCase() !== value) {
      out.push(`${name} is ${shown(found)}, expected ${shown(value)}`);
    }
  }
  for (const name of ABSENT) {
    // The value is not shown: a cookie may well identify whoever the server tracks.
    if (headers.has(name)) out.push(`sends a ${name} header, which the server never sends`);
  }
  return out;
}
