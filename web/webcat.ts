// The page described for WEBCAT (Freedom of the Press Foundation's integrity
// checks for web apps: the browser holds a signed manifest of every file, its
// WebAssembly and its CSP, and refuses anything else). `npm run build:web --
// --webcat --webcat-app URL` writes, into the build:
//   webcat/webcat.config.json  the app's settings, the input of WEBCAT's own
//                              `webcat manifest generate --config … --directory …`
//   webcat/manifest-unsigned.json  { "manifest": … } as WEBCAT's manifest
//                              specification writes it, unsigned: the operator's
//                              WEBCAT tools add the timestamp and signatures.
// Both are listed (and so covered) in Sealbox's own manifest.json. Before
// writing, the build checks that the page satisfies what WEBCAT requires of an
// enrolled app, and refuses to build otherwise.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { webcatCspProblems } from './webcat-csp.ts';

export const WEBCAT_CONFIG_FILE = 'webcat/webcat.config.json';
export const WEBCAT_MANIFEST_FILE = 'webcat/manifest-unsigned.json';

/** The `manifest` object of WEBCAT's manifest format (webcat-spec manifest.md). */
export interface WebcatManifest {
  /** URL of the upstream project. */
  app: string;
  version: string;
  default_csp: string;
  extra_csp: Record<string, string>;
  /** Served for a path ending in "/": WEBCAT looks it up as "/" + default_index. */
  default_index: string;
  /** A key of `files`, served for any other path the manifest does not list. */
  default_fallback: string;
  /** Path (as requested, from "/") → SHA-256 of the bytes served there, base64url without padding. */
  files: Record<string, string>;
  /** SHA-256 (base64url) of every WebAssembly module the page compiles. */
  wasm: string[];
}

export interface WebcatInput {
  app: string;
  version: string;
  csp: { default: string; extra: Record<string, string> };
  pages: { submit: string; status: string };
  /** The build's files with their SHA-256 in hex, as manifest.json lists them. */
  files: Record<string, { sha256: string }>;
}

const base64url = (hex: string) => Buffer.from(hex, 'hex').toString('base64url');

/**
 * WebAssembly modules embedded in JavaScript as base64 (libsodium's build
 * carries its module that way, and compiles it from those bytes): every string
 * literal that decodes to a module ("\0asm" magic, "AGFzbQ" in base64).
 */
export function embeddedWasm(js: string): Uint8Array[] {
  const modules: Uint8Array[] = [];
  const literal =
    /(["'`])(?:data:application\/(?:octet-stream|wasm);base64,)?(AGFzbQ[A-Za-z0-9+/]*={0,2})\1/g;
  for (const match of js.matchAll(literal)) {
    modules.push(new Uint8Array(Buffer.from(match[2]!, 'base64')));
  }
  return modules;
}

/** SHA-256, base64url without padding: how WEBCAT names files and WebAssembly. */
export const webcatDigest = (bytes: Uint8Array): string =>
  createHash('sha256').update(bytes).digest('base64url');

/** What WEBCAT asks of the pages: no inline script, no inline event handler, no javascript: URL. */
export function inlineScriptProblems(name: string, html: string): string[] {
  const problems: string[] = [];
  for (const [, attributes, body] of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (!/\ssrc=/.test(attributes!)) problems.push(`${name}: a <script> without src`);
    if (body!.trim() !== '') problems.push(`${name}: a <script> with inline code`);
  }
  if (/<[^>]+\son[a-z]+\s*=/i.test(html)) problems.push(`${name}: an inline event handler`);
  if (/javascript:/i.test(html)) problems.push(`${name}: a javascript: URL`);
  return problems;
}

/** Builds the WEBCAT manifest of a finished build in outDir, and the problems that would keep WEBCAT from accepting it. */
export async function webcatManifest(
  outDir: string,
  input: WebcatInput,
): Promise<{ manifest: WebcatManifest; problems: string[] }> {
  const problems: string[] = [];
  for (const [scope, policy] of [
    ['default', input.csp.default],
    ...Object.entries(input.csp.extra),
  ] as const) {
    for (const p of webcatCspProblems(policy)) problems.push(`CSP (${scope}): ${p}`);
  }
  const files: Record<string, string> = {};
  const wasm = new Set<string>();
  for (const [name, entry] of Object.entries(input.files)) {
    files[`/${name}`] = base64url(entry.sha256);
    if (name.endsWith('.wasm')) wasm.add(base64url(entry.sha256));
    if (name.endsWith('.js')) {
      const js = await readFile(join(outDir, name), 'utf8');
      for (const module of embeddedWasm(js)) wasm.add(webcatDigest(module));
    }
    if (name.endsWith('.html')) {
      problems.push(...inlineScriptProblems(name, await readFile(join(outDir, name), 'utf8')));
    }
  }
  // The server also answers /status with the status page: a path WEBCAT must know,
  // or it would expect the fallback's bytes there.
  files['/status'] = files[`/${input.pages.status}`]!;
  const manifest: WebcatManifest = {
    app: input.app,
    version: input.version,
    default_csp: input.csp.default,
    extra_csp: input.csp.extra,
    default_index: input.pages.submit,
    default_fallback: `/${input.pages.submit}`,
    files,
    wasm: [...wasm].sort(),
  };
  return { manifest, problems };
}

/** Writes both WEBCAT files into outDir; throws, writing nothing, if WEBCAT would refuse the page. */
export async function writeWebcat(outDir: string, input: WebcatInput): Promise<WebcatManifest> {
  if (!/^https:\/\/[^\s"<>]+$/.test(input.app)) {
    throw new Error(`--webcat-app "${input.app}" is not an https:// address of the project`);
  }
  const { manifest, problems } = await webcatManifest(outDir, input);
  if (problems.length > 0) {
    throw new Error(`the page does not satisfy WEBCAT:\n  ${problems.join('\n  ')}`);
  }
  const { files: _files, ...config } = manifest;
  await mkdir(join(outDir, 'webcat'), { recursive: true });
  await writeFile(join(outDir, WEBCAT_CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
  await writeFile(join(outDir, WEBCAT_MANIFEST_FILE), `${JSON.stringify({ manifest }, null, 2)}\n`);
  return manifest;
}
