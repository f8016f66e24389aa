// The workbench holds decrypted testimony and, once unlocked, the reviewer's
// passphrase. Whoever is not the reviewer's own page must get nothing from it:
// another program or site without the secret, a site that rebinds its DNS name
// to 127.0.0.1 (its requests carry its own Host), a machine on the network.
// All over real HTTP.
import { networkInterfaces } from 'node:os';
import { connect } from 'node:net';
import type { IncomingMessage } from 'node:http';
import t from 'tap';
import { refusal } from '../../reviewer/workbench/guard.ts';
import { PASSPHRASE } from '../reviewer/fixtures.ts';
import { call, postJson, startBench } from '../workbench/fixtures.ts';

t.test('the API answers only its own page', async (t) => {
  const { workbench: wb } = await startBench(t);
  const ok = await call(wb, '/api/cases');
  t.equal(ok.status, 200, 'with the secret and the right Host');
  t.equal((ok.json().cases as unknown[]).length, 2);
  t.equal((await call(wb, '/api/cases', { host: `localhost:${wb.port}` })).status, 200);

  const missing = await call(wb, '/api/cases', { secret: false });
  t.equal(missing.status, 401);
  t.equal(missing.json().error?.code, 'SECRET_MISSING');
  t.notMatch(missing.body.toString(), /case-mm|Myanmar/);

  // One character changed (never to the one it already is).
  const last = wb.secret.endsWith('A') ? 'B' : 'A';
  const wrong = await call(wb, '/api/cases', { secret: `${wb.secret.slice(0, -1)}${last}` });
  t.equal(wrong.status, 401);
  t.equal(wrong.json().error?.code, 'SECRET_WRONG');
  t.equal((await call(wb, '/api/cases', { secret: '' })).status, 401, 'empty secret');

  for (const host of [
    `evil.example:${wb.port}`,
    'evil.example',
    `127.0.0.1:${wb.port + 1}`,
    '127.0.0.1',
    `localhost.evil.example:${wb.port}`,
    `[::1]:${wb.port}`,
  ]) {
    const foreign = await call(wb, '/api/cases', { host });
    t.equal(foreign.status, 403, `Host ${host} refused even with the secret`);
    t.equal(foreign.json().error?.code, 'HOST_REFUSED');
  }
  const page = await call(wb, '/', { host: `rebound.example:${wb.port}`, secret: false });
  t.equal(page.status, 403, 'not even the page is served under a foreign name');

  // A passphrase sent without the secret is not even tried.
  const unlock = await call(wb, '/api/unlock', {
    method: 'POST',
    secret: false,
    body: JSON.stringify({ passphrase: PASSPHRASE }),
  });
  t.equal(unlock.status, 401);
  t.notOk(wb.session.unlocked);
  t.notOk(ok.headers['set-cookie'], 'no cookie, ever');
  t.notOk((await postJson(wb, '/api/unlock', { passphrase: PASSPHRASE })).headers['set-cookie']);
});

t.test('it listens on loopback only and refuses any other remote address', async (t) => {
  const { workbench: wb } = await startBench(t, { open: false });
  const outside = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal);
  if (outside) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(wb.port, outside.address);
      socket.on('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.on('error', () => resolve(true));
    });
    t.ok(refused, `no connection on ${outside.address}`);
  }
  // Were a non-loopback peer ever to reach the handler (a proxy, a changed bind), it is refused.
  const fake = (remoteAddress: string) =>
    ({
      socket: { remoteAddress },
      headers: { host: `127.0.0.1:${wb.port}`, 'x-sealbox-workbench': wb.secret },
    }) as unknown as IncomingMessage;
  t.equal(refusal(fake('192.168.1.20'), wb.port, wb.secret, true), 'REMOTE_REFUSED');
  t.equal(refusal(fake('::1'), wb.port, wb.secret, true), 'REMOTE_REFUSED');
  t.equal(refusal(fake('127.0.0.1'), wb.port, wb.secret, true), null);
});

t.test('the page and the attachments cannot run what a submitter sent', async (t) => {
  const { workbench: wb } = await startBench(t);
  const page = await call(wb, '/', { secret: false });
  t.equal(page.status, 200);
  const csp = String(page.headers['content-security-policy']);
  t.match(csp, /default-src 'self'/);
  t.notMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
  t.equal(page.headers['x-content-type-options'], 'nosniff');
  t.notMatch(page.body.toString(), /<script>|<script type="module">[^<]/, 'no inline script');

  const image = await call(wb, '/api/cases/case-mm/items/0/files/0');
  t.equal(image.status, 200);
  t.equal(image.headers['content-type'], 'image/png');
  t.equal(image.headers['content-security-policy'], 'sandbox');
  t.equal(image.headers['x-content-type-options'], 'nosniff');

  const html = await call(wb, '/api/cases/case-mm/items/0/files/1');
  t.equal(html.status, 400, 'a submitter-named .html is never served to be shown');
  const copy = await call(wb, '/api/cases/case-mm/items/0/files/1?download=1');
  t.equal(copy.status, 200);
  t.equal(copy.headers['content-type'], 'application/octet-stream');
  t.match(
    String(copy.headers['content-disposition']),
    /^attachment; filename\*=UTF-8''notes_script_\.html\.bin$/,
  );
  t.equal(copy.headers['content-security-policy'], 'sandbox');

  for (const path of [
    '/api/cases/case-mm/items/0/files/9',
    '/api/cases/case-mm/items/7/files/0',
    '/api/cases/..%2F..%2Fetc/items/0/files/0',
    '/api/cases/nothing-like-it',
  ]) {
    const r = await call(wb, path);
    t.equal(r.status, 404, path);
    t.ok(r.json().error?.message, 'with words');
  }
});
