// When a served HTML page is not the signed one, its digest already says so;
// this says why, for a report a person can act on: the tags that load or run
// code (script, style, link, base, frames, plugins, meta refresh), inline
// event handlers, and the two values the build bakes in (the organisation pin
// and the quick-exit address). The build's pages load exactly one script
// (the loader), one stylesheet and link one icon, all listed in the manifest.
import { sameFingerprint } from '../../../client-crypto/index.ts';
import { shown } from './shown.ts';

export interface PageExpectation {
  /** Paths (from the manifest's assets) of the scripts and stylesheets the page loads. */
  scripts: string[];
  stylesheets: string[];
  /** The icon the pages link (`<link rel="icon">`), if the build names one. */
  icons: string[];
  pin: string;
  exitUrl: string;
}

interface Tag {
  name: string;
  attributes: Map<string, string>;
  /** For script and style: the text between the tags. */
  text: string;
}

const TAG = /<(script|style|link|meta|base|iframe|frame|object|embed)\b([^>]*)>/gi;
const ATTRIBUTE = /([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
const EVENT_HANDLER = /<([a-z][\w-]*)\b[^>]*?\s(on[a-z]+)\s*=/gi;

function tags(html: string): Tag[] {
  const out: Tag[] = [];
  for (const match of html.matchAll(TAG)) {
    const name = match[1]!.toLowerCase();
    const attributes = new Map<string, string>();
    for (const a of match[2]!.matchAll(ATTRIBUTE)) {
      const key = a[1]!.toLowerCase();
      if (!attributes.has(key)) attributes.set(key, a[2] ?? a[3] ?? a[4] ?? '');
    }
    let text = '';
    if (name === 'script' || name === 'style') {
      const from = match.index + match[0].length;
      const end = html.toLowerCase().indexOf(`</${name}`, from);
      text = html.slice(from, end === -1 ? html.length : end);
    }
    out.push({ name, attributes, text });
  }
  return out;
}

/** What in `html` differs from what the build writes into its pages; each a short sentence. */
export function htmlDifferences(html: string, expected: PageExpectation, origin: string): string[] {
  // Comments are not run; what is inside them only hides real tags from a reader.
  const page = html.replace(/<!--[\s\S]*?-->/g, '');
  const resolve = (ref: string) => {
    try {
      const url = new URL(ref, `${origin}/`);
      return url.origin === origin ? url.pathname : url.href;
    } catch {
      return ref;
    }
  };
  const out: string[] = [];
  const compare = (kind: string, want: string[], found: string[]) => {
    const wanted = [...want];
    for (const ref of found) {
      const at = wanted.findIndex((w) => resolve(w) === resolve(ref));
      if (at === -1) out.push(`an extra ${kind} ${shown(ref)}, not in the build`);
      else wanted.splice(at, 1);
    }
    for (const ref of wanted) out.push(`${kind} ${shown(ref)} of the build is missing`);
  };
  const all = tags(page);
  const scripts: string[] = [];
  const stylesheets: string[] = [];
  const icons: string[] = [];
  const pins: string[] = [];
  const exits: string[] = [];
  for (const tag of all) {
    const src = tag.attributes.get('src');
    const href = tag.attributes.get('href');
    const rel = tag.attributes.get('rel')?.toLowerCase();
    const meta = tag.attributes.get('name')?.toLowerCase();
    if (tag.name === 'script') {
      if (src !== undefined) scripts.push(src);
      else out.push(`an inline <script> (${tag.text.length} characters), not in the build`);
    } else if (tag.name === 'style') {
      out.push(`an inline <style> (${tag.text.length} characters), not in the build`);
    } else if (tag.name === 'link' && rel === 'stylesheet' && href !== undefined) {
      stylesheets.push(href);
    } else if (tag.name === 'link' && rel === 'icon' && href !== undefined) {
      icons.push(href);
    } else if (tag.name === 'link') {
      out.push(`an extra <link rel=${shown(rel ?? '')}> to ${shown(href ?? '')}, not in the build`);
    } else if (tag.name === 'meta' && meta === 'sealbox-org-fingerprint') {
      pins.push(tag.attributes.get('content') ?? '');
    } else if (tag.name === 'meta' && meta === 'sealbox-exit-url') {
      exits.push(tag.attributes.get('content') ?? '');
    } else if (tag.name === 'meta' && tag.attributes.has('http-equiv')) {
      out.push(
        `an extra <meta http-equiv=${shown(tag.attributes.get('http-equiv')!)}> (content ${shown(tag.attributes.get('content') ?? '')}), not in the build`,
      );
    } else if (tag.name !== 'meta') {
      out.push(
        `an extra <${tag.name}> ${shown(src ?? href ?? tag.attributes.get('data') ?? '')}, not in the build`,
      );
    }
  }
  compare('<script src>', expected.scripts, scripts);
  compare('stylesheet <link href>', expected.stylesheets, stylesheets);
  compare('icon <link href>', expected.icons, icons);
  const baked = (
    what: string,
    want: string,
    found: string[],
    same = (a: string, b: string) => a === b,
  ) => {
    if (found.length !== 1) {
      out.push(`${found.length} <meta name="${what}"> tags, expected one with ${shown(want)}`);
    } else if (!same(found[0]!, want)) {
      out.push(`<meta name="${what}"> is ${shown(found[0]!)}, expected ${shown(want)}`);
    }
  };
  baked('sealbox-org-fingerprint', expected.pin, pins, sameFingerprint);
  baked('sealbox-exit-url', expected.exitUrl, exits);
  for (const handler of page.matchAll(EVENT_HANDLER)) {
    out.push(
      `an inline event handler ${shown(handler[2]!.toLowerCase())} on <${shown(handler[1]!.toLowerCase(), 20).slice(1, -1)}>, not in the build`,
    );
  }
  return out;
}
