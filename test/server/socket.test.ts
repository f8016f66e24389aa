// Over a real socket (app.listen on port 0 + fetch): the built page with its
// pinned fingerprint, headers as a browser sees them, a streamed part upload.
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import t from 'tap';
import { getSodium, toBase64Url } from '../../client-crypto/index.ts';
import { PAGE_CSP_BY_PATH } from '../../server/page-csp.ts';
import { acceptsGzip } from '../../server/plugins/web.ts';
import { build, solvedChallenge } from '../helper.ts';

/** A page as web/build.ts lays it out, with the pin and exit address baked in. */
async function fakeWebBuild(fpr: string, exitUrl: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-web-'));
  await mkdir(join(dir, 'assets'));
  const page = (view: string) =>
    `<!doctype html><html><head><meta name="sealbox-org-fingerprint" content="${fpr}" />` +
    `<meta name="sealbox-exit-url" content="${exitUrl}" /><script src="/assets/loader-ABCDEFGH.js" defer></script>` +
    `</head><body data-view="${view}"></body></html>`;
  await writeFile(join(dir, 'index.html'), page('submit'));
  await writeFile(join(dir, 'status.html'), page('status'));
  await writeFile(join(dir, 'assets', 'loader-ABCDEFGH.js'), 'console.log("loader");');
  // The build's precompressed siblings, for the two files that have one here.
  for (const f of ['index.html', 'assets/loader-ABCDEFGH.js'])
    await writeFile(join(dir, `${f}.gz`), gzipSync(await readFile(join(dir, f))));
  const files: Record<string, { bytes: number; sha256: string }> = {};
  for (const f of [
    'index.html',
    'index.html.gz',
    'status.html',
    'assets/loader-ABCDEFGH.js',
    'assets/loader-ABCDEFGH.js.gz',
  ]) {
    const bytes = await readFile(join(dir, f));
    files[f] = { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }
  await writeFile(
    join(dir, 'manifest.json'),
    JSON.stringify({
      format: 'sealbox-web-manifest-v3',
      pages: { submit: 'index.html', status: 'status.html' },
      org: { fingerprint: fpr, demo: false },
      exitUrl,
      csp: PAGE_CSP_BY_PATH,
      files,
    }),
  );
  return dir;
}

t.test('over a real socket', async (t) => {
  const fpr = 'ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789';
  const webDir = await fakeWebBuild(fpr, 'https://www.example.org/weather');
  t.teardown(() => rm(webDir, { recursive: true, force: true }));
  const { app } = await build(t, {
    env: {
      SEALBOX_WEB_DIR: webDir,
      SEALBOX_ORG_FINGERPRINT: fpr,
      SEALBOX_EXIT_URL: 'https://www.example.org/weather',
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  await t.test('the page, as built, with its pinned fingerprint', async (t) => {
    const res = await fetch(`${base}/`);
    t.equal(res.status, 200);
    t.match(res.headers.get('content-type'), /text\/html/);
    t.equal(res.headers.get('cache-control'), 'no-store');
    t.match(res.headers.get('content-security-policy'), /default-src 'self'/);
    t.equal(res.headers.get('set-cookie'), null);
    const html = await res.text();
    t.match(html, `<meta name="sealbox-org-fingerprint" content="${fpr}" />`);
    t.match(html, 'content="https://www.example.org/weather"');
    t.notMatch(html, /<script>/, 'no inline script');

    const status = await fetch(`${base}/status`);
    t.match(await status.text(), 'data-view="status"');
    const asset = await fetch(`${base}/assets/loader-ABCDEFGH.js`);
    t.equal(asset.status, 200);
    t.match(asset.headers.get('content-type'), /javascript/);
    t.match(asset.headers.get('cache-control'), /immutable/);
    const manifest = await fetch(`${base}/manifest.json`);
    t.equal(manifest.status, 200, 'the manifest, to compare with its published digest');
    t.equal(
      Buffer.from(await manifest.arrayBuffer()).toString(),
      await readFile(join(webDir, 'manifest.json'), 'utf8'),
    );
    for (const path of ['/manifest.jsonx', '/assets/..%2fmanifest.json', '/%2e%2e/package.json']) {
      const missing = await fetch(`${base}${path}`);
      t.equal(missing.status, 404, path);
      t.equal(((await missing.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
    }
  });

  await t.test("gzip, from the build's own .gz, to a browser that takes it", async (t) => {
    /** A raw GET (fetch would decode the body itself). */
    const get = (path: string, encoding?: string) =>
      new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        const headers = encoding === undefined ? {} : { 'accept-encoding': encoding };
        request(`${base}${path}`, { headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        })
          .on('error', reject)
          .end();
      });
    for (const [path, file] of [
      ['/assets/loader-ABCDEFGH.js', 'assets/loader-ABCDEFGH.js'],
      ['/', 'index.html'],
    ] as const) {
      const plain = await readFile(join(webDir, file));
      const zipped = await get(path, 'br, gzip, deflate');
      t.equal(zipped.headers['content-encoding'], 'gzip', `${path}: gzip`);
      t.equal(zipped.headers['vary'], 'accept-encoding');
      t.same(zipped.body, await readFile(join(webDir, `${file}.gz`)), 'the .gz the build made');
      t.same(gunzipSync(zipped.body), plain, 'which opens to the file itself');
      for (const encoding of [undefined, 'identity', 'gzip;q=0', 'br', '*;q=0']) {
        const raw = await get(path, encoding);
        t.equal(raw.headers['content-encoding'], undefined, `${path}, ${encoding}: identity`);
        t.same(raw.body, plain);
      }
    }
    const status = await get('/status', 'gzip');
    t.equal(status.headers['content-encoding'], undefined, 'no .gz in the build: as it is');
    t.equal(status.headers['vary'], undefined);
  });

  await t.test('a part streamed over HTTP', async (t) => {
    const size = 96 * 1024;
    const partSize = 64 * 1024;
    const data = new Uint8Array(size).map((_, i) => (i * 7) % 256);
    const created = await fetch(`${base}/v1/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ challenge: await solvedChallenge(app), size, partSize }),
    });
    t.equal(created.status, 201);
    const { uploadId } = (await created.json()) as { uploadId: string };
    for (const [n, bytes] of [data.subarray(0, partSize), data.subarray(partSize)].entries()) {
      // A body stream, sent in small pieces without a Content-Length.
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let o = 0; o < bytes.length; o += 4096) controller.enqueue(bytes.slice(o, o + 4096));
          controller.close();
        },
      });
      const res = await fetch(`${base}/v1/uploads/${uploadId}/parts/${n}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body,
        duplex: 'half',
      } as RequestInit);
      t.equal(res.status, 204, `part ${n}`);
    }
    const sodium = await getSodium();
    const finish = await fetch(`${base}/v1/uploads/${uploadId}/finish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ digest: toBase64Url(sodium.crypto_generichash(32, data, null)) }),
    });
    t.equal(finish.status, 200);
    t.equal(finish.headers.get('cache-control'), 'no-store');
  });

  await t.test('an oversized streamed part is cut off with 413', async (t) => {
    const created = await fetch(`${base}/v1/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ challenge: await solvedChallenge(app), size: 100, partSize: 65536 }),
    });
    const { uploadId } = (await created.json()) as { uploadId: string };
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(5000));
        controller.close();
      },
    });
    const res = await fetch(`${base}/v1/uploads/${uploadId}/parts/0`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body,
      duplex: 'half',
    } as RequestInit);
    t.equal(res.status, 413);
    t.equal(((await res.json()) as { error: { code: string } }).error.code, 'UPLOAD_PART_SIZE');
  });
});

t.test('which Accept-Encoding takes gzip', async (t) => {
  for (const [header, expected] of [
    ['gzip', true],
    ['gzip, deflate, br, zstd', true],
    ['GZIP;q=0.5', true],
    ['deflate, gzip ; q=1', true],
    ['*', true],
    ['br, *;q=0.1', true],
    [['br', 'gzip'], true],
    [undefined, false],
    ['', false],
    ['identity', false],
    ['gzip;q=0', false],
    ['gzip;q=0.000', false],
    ['*;q=0', false],
    ['gzip;q=0, *', false],
    ['x-gzip', false],
    ['gzip;q=nonsense', false],
  ] as const) {
    t.equal(acceptsGzip(header as string | string[] | undefined), expected, String(header));
  }
});
