// Serves the built submission and status pages (web/dist, made by
// `npm run build:web`) from memory. Only files listed in the build manifest
// exist; pages get the organisation fingerprint and the quick-exit address
// written into their <meta> tags, so no inline script is ever needed.
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.ts';

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

interface WebManifest {
  pages: { submit: string; status: string };
  meta?: { orgFingerprint?: string; exitUrl?: string };
  files: Record<string, unknown>;
}

interface Served {
  body: Buffer;
  type: string;
  /** Content-hashed assets never change under their name. */
  immutable: boolean;
}

const escapeAttribute = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function fillMeta(html: string, name: string | undefined, value: string | undefined): string {
  if (!name || !value) return html;
  const tag = new RegExp(`<meta name="${name}" content="[^"]*"\\s*/?>`);
  return html.replace(tag, `<meta name="${name}" content="${escapeAttribute(value)}" />`);
}

export async function loadWeb(
  dir: string,
  values: { orgFingerprint: string | undefined; exitUrl: string | undefined },
): Promise<Map<string, Served> | undefined> {
  let manifest: WebManifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as WebManifest;
  } catch {
    return undefined;
  }
  const files = new Map<string, Served>();
  const pages = new Set([manifest.pages.submit, manifest.pages.status]);
  for (const name of Object.keys(manifest.files)) {
    if (name.includes('..') || name.startsWith('/')) continue;
    let body = await readFile(join(dir, name));
    if (pages.has(name)) {
      let html = body.toString('utf8');
      html = fillMeta(html, manifest.meta?.orgFingerprint, values.orgFingerprint);
      html = fillMeta(html, manifest.meta?.exitUrl, values.exitUrl);
      body = Buffer.from(html, 'utf8');
    }
    files.set('/' + name, {
      body,
      type: TYPES[extname(name)] ?? 'application/octet-stream',
      immutable: !pages.has(name) && /[.-][A-Za-z0-9_-]{8,}\.[a-z0-9]+$/.test(name),
    });
  }
  files.set('/', files.get('/' + manifest.pages.submit)!);
  files.set('/status', files.get('/' + manifest.pages.status)!);
  return files;
}

export function registerWeb(app: FastifyInstance, files: Map<string, Served> | undefined): void {
  app.get('/*', { schema: { hide: true }, config: { rateClass: 'read' } }, (request, reply) => {
    const path = request.url.split('?')[0]!;
    const file = files?.get(path);
    if (!file) throw new ApiError(404, 'NOT_FOUND', 'no such resource');
    if (file.immutable) reply.header('cache-control', 'public, max-age=31536000, immutable');
    return reply.type(file.type).send(file.body);
  });
}
