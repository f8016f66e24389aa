// The watcher against a hostile host: a real signed build served by the real
// Sealbox server, behind a front that changes one thing at a time (a script
// byte, an extra script tag, a CSP directive, the signature, the pin). Every
// change must end in exit code 15 and a line naming it; the genuine page in 0;
// a page that never answers in 11; and nothing the host sends may reach the
// terminal as an escape sequence or a forged line.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { PAGE_SIGNATURE_PATH, fingerprint, signPage } from '../../client-crypto/index.ts';
import { run } from '../../reviewer/cli.ts';
import { EXIT } from '../../reviewer/exit-codes.ts';
import { type Manifest, buildWeb } from '../../web/build.ts';
import { build, makeKeyset } from '../helper.ts';
import { signBuild } from '../page-signing.ts';
import { testIo } from '../reviewer/fixtures.ts';
import { type Answer, type PageFront, startPageFront } from './page-front.ts';

const { org } = await makeKeyset();
const pin = await fingerprint(org.publicKey);
const { org: stranger } = await makeKeyset();
const strangerPin = await fingerprint(stranger.publicKey);

async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-watch-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A page built and signed for `who`, served by a real server that trusts `who`. */
async function servedBuild(who: { publicKey: Uint8Array; secretKey: Uint8Array }) {
  const dist = await scratch();
  const whoPin = await fingerprint(who.publicKey);
  const manifest = await buildWeb({ outDir: dist, orgFingerprint: whoPin });
  await signBuild(dist, who);
  const { app } = await build(t, {
    env: { SEALBOX_WEB_DIR: dist, SEALBOX_ORG_FINGERPRINT: whoPin },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { dist, manifest, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

const genuine = await servedBuild(org);
const manifest: Manifest = genuine.manifest;
const front: PageFront = await startPageFront(t, genuine.url, genuine.dist);

/** Runs `sealbox courier watch-page` in this process, through the real front. */
async function watch(
  change?: (path: string, answer: Answer) => Answer | 'raw',
  ...extra: string[]
) {
  front.tamper = change;
  const io = testIo();
  const code = await run(
    ['courier', 'watch-page', `${front.url}/`, '--organisation', pin, ...extra],
    io,
  );
  front.tamper = undefined;
  return { code, out: io.lines.join('\n'), err: io.errors.join('') };
}

const html = (answer: Answer, edit: (text: string) => string): Answer => ({
  ...answer,
  body: Buffer.from(edit(answer.body.toString('utf8'))),
});
const isIndex = (path: string) => path === '/' || path === '/index.html';

void t.test(
  'the genuine page: exit 0, a one-line summary, every listed file fetched',
  async (t) => {
    front.seen = [];
    const { code, out, err } = await watch();
    t.equal(code, EXIT.ok, err);
    t.match(
      out,
      new RegExp(`^OK ${front.url}: the page organisation ${pin} signed on \\d{4}-\\d{2}-\\d{2}`),
    );
    t.match(out, `${Object.keys(manifest.files).length + 2} files`);
    for (const name of Object.keys(manifest.files)) t.ok(front.seen.includes(`/${name}`), name);
    t.ok(front.seen.includes('/manifest.json') && front.seen.includes(PAGE_SIGNATURE_PATH));

    const quiet = await watch(undefined, '--cron');
    t.equal(quiet.code, EXIT.ok);
    t.equal(quiet.out, '', '--cron prints nothing when all matches');
    t.equal(quiet.err, '');
  },
);

void t.test('one changed byte in the app script', async (t) => {
  const app = `/${manifest.assets.app}`;
  const { code, out, err } = await watch((path, answer) => {
    if (path !== app) return answer;
    const body = Buffer.from(answer.body);
    body[100] = body[100]! ^ 1;
    return { ...answer, body };
  });
  t.equal(code, EXIT.pageDiffers);
  t.match(out, `is NOT the page organisation ${pin} signed (1 difference(s))`);
  t.match(
    out,
    new RegExp(
      `DIFFERS +${app}: SHA-256 [0-9a-f]{16}… \\(\\d+ bytes\\), the manifest lists ${manifest.files[manifest.assets.app]!.sha256.slice(0, 16)}`,
    ),
  );
  t.match(err, 'differs from what the organisation signed');
  t.match(err, 'docs/operations.md');
});

void t.test('an extra script tag in index.html', async (t) => {
  const { code, out } = await watch((path, answer) =>
    isIndex(path)
      ? html(answer, (s) =>
          s.replace('</head>', '<script src="https://cdn.example.net/x.js"></script></head>'),
        )
      : answer,
  );
  t.equal(code, EXIT.pageDiffers);
  // The same page at / and at /index.html: one line for both.
  t.match(out, /DIFFERS +2 answers \(\/, \/index\.html\): SHA-256 .* for "index\.html"/);
  t.match(
    out,
    'DIFFERS      2 answers (/, /index.html): an extra <script src> "https://cdn.example.net/x.js", not in the build',
  );
  t.notMatch(out, '/status', 'the status page is untouched');
});

void t.test(
  'an inline script, a changed loader reference and a changed pin in the HTML',
  async (t) => {
    const { code, out } = await watch((path, answer) =>
      path === '/status'
        ? html(answer, (s) =>
            s
              .replace('</body>', '<script>fetch("/x")</script></body>')
              .replace(manifest.assets.loader, 'assets/other.js')
              // An icon from elsewhere tells that host who opened the page.
              .replace('href="favicon.ico"', 'href="https://track.example.net/i.ico"')
              .replace(pin, strangerPin),
          )
        : answer,
    );
    t.equal(code, EXIT.pageDiffers);
    t.match(out, '/status: an inline <script> (11 characters), not in the build');
    t.match(out, '/status: an extra <script src> "assets/other.js", not in the build');
    t.match(out, `/status: <script src> "${manifest.assets.loader}" of the build is missing`);
    t.match(
      out,
      '/status: an extra icon <link href> "https://track.example.net/i.ico", not in the build',
    );
    t.match(out, '/status: icon <link href> "favicon.ico" of the build is missing');
    t.match(
      out,
      `/status: <meta name="sealbox-org-fingerprint"> is "${strangerPin}", expected "${pin}"`,
    );
  },
);

void t.test('a CSP directive removed, on every answer', async (t) => {
  const { code, out } = await watch((_path, answer) => ({
    ...answer,
    headers: {
      ...answer.headers,
      'content-security-policy': String(answer.headers['content-security-policy'])
        .split('; ')
        .filter((d) => !d.startsWith('script-src'))
        .join('; '),
    },
  }));
  t.equal(code, EXIT.pageDiffers);
  const lines = out.split('\n').filter((l) => l.startsWith('DIFFERS'));
  t.equal(lines.length, 1, 'one line for the same difference on every answer');
  t.match(
    lines[0],
    /DIFFERS +\d+ answers \(\/, .*, …\): CSP directive script-src missing \(expected "script-src 'self' 'wasm-unsafe-eval'"\)/,
  );
});

void t.test('a weakened directive, a second policy, other headers', async (t) => {
  const { code, out } = await watch((path, answer) => {
    if (path === '/') {
      return {
        ...answer,
        headers: {
          ...answer.headers,
          'content-security-policy': String(answer.headers['content-security-policy']).replace(
            "script-src 'self'",
            "script-src 'self' https://cdn.example.net",
          ),
          'set-cookie': ['track=1'],
          'referrer-policy': 'unsafe-url',
        },
      };
    }
    if (path === '/status') {
      const { 'content-security-policy': _dropped, ...headers } = answer.headers;
      return { ...answer, headers };
    }
    return answer;
  });
  t.equal(code, EXIT.pageDiffers);
  t.match(
    out,
    `/: CSP directive script-src is "script-src 'self' https://cdn.example.net 'wasm-unsafe-eval'", expected "script-src 'self' 'wasm-unsafe-eval'"`,
  );
  t.match(out, '/: sends a set-cookie header, which the server never sends');
  t.notMatch(out, 'track=1', 'the cookie itself is not printed');
  t.match(out, '/: referrer-policy is "unsafe-url", expected "no-referrer"');
  t.match(out, '/status: no Content-Security-Policy header');
});

void t.test('the signature missing', async (t) => {
  const { code, out } = await watch((path, answer) =>
    path === PAGE_SIGNATURE_PATH ? { ...answer, status: 404, body: Buffer.from('{}') } : answer,
  );
  t.equal(code, EXIT.pageDiffers);
  t.match(out, `${PAGE_SIGNATURE_PATH}: no signature by the organisation: HTTP 404, expected 200`);
});

void t.test('the manifest signed by another root', async (t) => {
  const manifestBytes = await readFile(join(genuine.dist, 'manifest.json'));
  const forged = await signPage(
    {
      manifest: createHash('sha256').update(manifestBytes).digest('hex'),
      version: manifest.version,
    },
    stranger,
  );
  const { code, out } = await watch((path, answer) =>
    path === PAGE_SIGNATURE_PATH
      ? { ...answer, body: Buffer.from(JSON.stringify(forged)) }
      : answer,
  );
  t.equal(code, EXIT.pageDiffers);
  t.match(
    out,
    `${PAGE_SIGNATURE_PATH}: signed by another organisation (${strangerPin}), expected "${pin}"`,
  );

  // The genuine signature over a payload changed after signing.
  const real = JSON.parse(await readFile(join(genuine.dist, 'page-signature.json'), 'utf8')) as {
    payload: string;
  };
  const payload = JSON.parse(Buffer.from(real.payload, 'base64url').toString('utf8')) as object;
  const changed = Buffer.from(JSON.stringify({ ...payload, signed: '2020-01-01' })).toString(
    'base64url',
  );
  const bad = await watch((path, answer) =>
    path === PAGE_SIGNATURE_PATH
      ? { ...answer, body: Buffer.from(JSON.stringify({ ...real, payload: changed })) }
      : answer,
  );
  t.equal(bad.code, EXIT.pageDiffers);
  t.match(bad.out, `${PAGE_SIGNATURE_PATH}: the signature does not verify: changed after signing`);
});

void t.test('a page built and signed for another organisation', async (t) => {
  const other = await servedBuild(stranger);
  front.upstream = other.url;
  front.dist = other.dist;
  t.teardown(() => {
    front.upstream = genuine.url;
    front.dist = genuine.dist;
  });
  const { code, out } = await watch();
  t.equal(code, EXIT.pageDiffers);
  t.match(out, `signed by another organisation (${strangerPin}), expected "${pin}"`);
  t.match(out, `/manifest.json: pins organisation "${strangerPin}", expected "${pin}"`);
  t.match(
    out,
    `4 answers (/, /status, /index.html, …): <meta name="sealbox-org-fingerprint"> is "${strangerPin}", expected "${pin}"`,
  );

  // The same page served with the genuine signature beside it: its manifest is not the signed one.
  // (Whether or not the server serves a signature of its own.)
  const signature = await readFile(join(genuine.dist, 'page-signature.json'));
  const mixed = await watch((path, answer) =>
    path === PAGE_SIGNATURE_PATH ? { ...answer, status: 200, body: signature } : answer,
  );
  t.equal(mixed.code, EXIT.pageDiffers);
  t.match(
    mixed.out,
    /\/manifest\.json: SHA-256 [0-9a-f]{16}…, the organisation signed [0-9a-f]{16}…/,
  );
  t.match(mixed.out, `/manifest.json: pins organisation "${strangerPin}"`);
});

void t.test('a host that redirects elsewhere, sends too much or stalls', async (t) => {
  const app = `/${manifest.assets.app}`;
  const redirected = await watch((path, answer) =>
    path === '/status'
      ? {
          status: 302,
          headers: { location: 'https://evil.example.net/status' },
          body: Buffer.alloc(0),
        }
      : answer,
  );
  t.equal(redirected.code, EXIT.pageDiffers);
  t.match(redirected.out, '/status: redirects to "https://evil.example.net/status" (not followed)');

  front.raw = (_path, res) => {
    // Far more than the listed size, without end: the watcher must stop reading.
    res.writeHead(200, { 'content-type': 'text/javascript' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (res.write(chunk));
    };
    res.on('drain', pump);
    pump();
  };
  const flooded = await watch((path, answer) => (path === app ? 'raw' : answer));
  t.equal(flooded.code, EXIT.pageDiffers);
  t.match(flooded.out, new RegExp(`${app}: larger than \\d+ bytes \\(not read further\\)`));

  front.raw = () => {
    // Never answers.
  };
  const started = Date.now();
  const stalled = await watch((path, answer) => (path === app ? 'raw' : answer), '--timeout', '3');
  t.ok(Date.now() - started < 15_000, 'the whole run is bounded by --timeout');
  t.equal(stalled.code, EXIT.serverUnreachable, 'nothing differs: could not be checked (11)');
  t.match(stalled.out, 'could not be checked completely');
  t.match(stalled.out, new RegExp(`UNREACHABLE +${app}: no answer within 3 s`));
  front.raw = (_path, res) => res.destroy();
});

void t.test('hostile text never reaches the terminal as escapes or forged lines', async (t) => {
  const evil = '\u001b]0;owned\u0007\u001b[2J\nOK all good\u202e';
  const { code, out } = await watch((path, answer) =>
    isIndex(path)
      ? {
          ...html(answer, (s) => s.replace('</head>', `<script src="${evil}"></script></head>`)),
          headers: {
            ...answer.headers,
            // Node sends no ESC in a header; C1's CSI (U+009B) gets through.
            'referrer-policy': 'x\u009b31mred',
          },
        }
      : answer,
  );
  t.equal(code, EXIT.pageDiffers);
  t.notMatch(out, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/, 'no control character');
  const lines = out.split('\n').slice(1);
  t.equal(lines.length, 3, 'digest, script, referrer: no forged line');
  for (const line of lines) t.match(line, /^DIFFERS {6}2 answers \(\/, \/index\.html\): /, line);
  t.match(out, 'an extra <script src> " OK all good", not in the build');
  t.match(out, 'referrer-policy is "xred", expected "no-referrer"');
});

void t.test('a server that cannot be reached: exit 11 after one line', async (t) => {
  // A port that was just free: nothing listens there.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise((resolve) => closed.close(resolve));
  const io = testIo();
  const code = await run(
    ['courier', 'watch-page', `http://127.0.0.1:${port}/`, '--organisation', pin, '--cron'],
    io,
  );
  t.equal(code, EXIT.serverUnreachable);
  t.match(io.lines.join('\n'), /UNREACHABLE +\/: ECONNREFUSED/);
  t.match(io.errors.join(''), 'Could not reach');
});

void t.test('bad arguments are usage errors', async (t) => {
  for (const argv of [
    ['courier', 'watch-page', 'ftp://example.org/', '--organisation', pin],
    ['courier', 'watch-page', 'not a url', '--organisation', pin],
    ['courier', 'watch-page', `${front.url}/`, '--organisation', 'ABCD'],
    ['courier', 'watch-page', `${front.url}/`],
    ['courier', 'watch-page', `${front.url}/`, '--organisation', pin, '--timeout', '0'],
  ]) {
    t.equal(await run(argv, testIo()), EXIT.usage, argv.join(' '));
  }
});

// One run as cron starts it (the genuine page's 0 is checked in process above).
void t.test('as a process: the exit code and report cron sees', async (t) => {
  const cli = fileURLToPath(new URL('../../reviewer/cli.ts', import.meta.url));
  const child = (...args: string[]) =>
    new Promise<{ code: number | null; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        [
          '--import',
          'tsx',
          cli,
          'courier',
          'watch-page',
          `${front.url}/`,
          '--organisation',
          pin,
          ...args,
        ],
        (error, stdout) => resolve({ code: error ? (error.code as number) : 0, stdout }),
      );
    });
  front.tamper = (path, answer) =>
    path === PAGE_SIGNATURE_PATH ? { ...answer, status: 404 } : answer;
  t.teardown(() => {
    front.tamper = undefined;
  });
  const differs = await child('--cron');
  t.equal(differs.code, EXIT.pageDiffers);
  t.match(differs.stdout, 'no signature by the organisation');
});
