// The reviewer's first step from the page: with a --key file that does not
// exist yet, the workbench creates it (and the public card beside it) through
// the command line's own `reviewer create`, then keeps the session unlocked.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { parseReviewerCard } from '../../client-crypto/index.ts';
import { loadReviewerKey, reviewerFingerprint } from '../../reviewer/keys.ts';
import { type Workbench, startWorkbench } from '../../reviewer/workbench/server.ts';
import { reviewUi } from '../../reviewer/workbench/command.ts';
import { tempDir, testIo } from '../reviewer/fixtures.ts';
import { call, postJson } from './fixtures.ts';

process.env.SEALBOX_KEYFILE_COST = 'test';
const PASSPHRASE = 'four unrelated words here';

async function start(t: Parameters<typeof tempDir>[0]): Promise<{ wb: Workbench; dir: string }> {
  const dir = await tempDir(t);
  const wb = await startWorkbench({
    cases: join(dir, 'cases'),
    key: join(dir, 'my.key'),
    onFault: (error) => {
      throw error;
    },
  });
  t.teardown(() => wb.close());
  return { wb, dir };
}

t.test('creates the key and the card beside it, and unlocks the session', async (t) => {
  const { wb, dir } = await start(t);
  const before = (await call(wb, '/api/session')).json();
  t.equal(before.hasKey, false);
  t.equal(before.card, join(dir, 'my-card.json'));

  const made = await postJson(wb, '/api/key', {
    name: 'Reviewer 2',
    passphrase: PASSPHRASE,
    again: PASSPHRASE,
  });
  t.equal(made.status, 200, made.body.toString());
  const { fingerprint, key, card } = made.json() as {
    fingerprint: string;
    key: string;
    card: string;
  };
  t.equal(key, join(dir, 'my.key'));
  t.equal(card, join(dir, 'my-card.json'));
  t.ok(wb.session.unlocked, 'the new passphrase is kept for this session');
  t.equal((await call(wb, '/api/session')).json().hasKey, true);

  const parsed = parseReviewerCard(JSON.parse(await readFile(card, 'utf8')));
  t.equal(parsed.name, 'Reviewer 2');
  t.equal(await reviewerFingerprint(parsed.kem, parsed.sign), fingerprint);
  const opened = await loadReviewerKey(key, { env: { SEALBOX_PASSPHRASE: PASSPHRASE } });
  t.same(opened.secrets.signPublicKey, parsed.sign, 'the key file holds the card’s signing key');
  t.equal((await stat(key)).mode & 0o777, 0o600);

  const download = await call(wb, '/api/card');
  t.equal(download.status, 200);
  t.match(download.headers['content-disposition'], /my-card\.json/);
  t.equal(download.body.toString(), await readFile(card, 'utf8'));
});

t.test('the name defaults to "Reviewer"', async (t) => {
  const { wb, dir } = await start(t);
  const made = await postJson(wb, '/api/key', { name: ' ', passphrase: PASSPHRASE, again: PASSPHRASE }); // prettier-ignore
  t.equal(made.status, 200, made.body.toString());
  const card = JSON.parse(await readFile(join(dir, 'my-card.json'), 'utf8')) as { name: string };
  t.equal(card.name, 'Reviewer');
});

t.test(
  'weak or mismatched passphrases and bad names are refused; nothing is written',
  async (t) => {
    const { wb, dir } = await start(t);
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ passphrase: 'short', again: 'short' }, 'PASSPHRASE_WEAK', /at least 12 characters/],
      [{ passphrase: PASSPHRASE, again: `${PASSPHRASE}!` }, 'PASSPHRASE_WEAK', /differ/],
      [{ passphrase: '', again: '' }, 'PASSPHRASE_WEAK', /empty/],
      [{ name: 'x'.repeat(101), passphrase: PASSPHRASE, again: PASSPHRASE }, 'FORMAT_INVALID', /name/], // prettier-ignore
    ];
    for (const [body, code, message] of cases) {
      const refused = await postJson(wb, '/api/key', body);
      t.equal(refused.status, 400, code);
      t.equal(refused.json().error?.code, code);
      t.match(refused.json().error?.message, message);
    }
    t.notOk(wb.session.unlocked);
    await t.rejects(stat(join(dir, 'my.key')));
    await t.rejects(stat(join(dir, 'my-card.json')));
  },
);

t.test('an existing key file or card is never overwritten', async (t) => {
  const { wb, dir } = await start(t);
  await writeFile(join(dir, 'my.key'), 'mine');
  const refused = await postJson(wb, '/api/key', { passphrase: PASSPHRASE, again: PASSPHRASE });
  t.equal(refused.status, 400);
  t.equal(refused.json().error?.code, 'FILE_EXISTS');
  t.equal(await readFile(join(dir, 'my.key'), 'utf8'), 'mine');
  await t.rejects(stat(join(dir, 'my-card.json')));
  t.notOk(wb.session.unlocked);

  const other = await start(t);
  await writeFile(join(other.dir, 'my-card.json'), 'card');
  const again = await postJson(other.wb, '/api/key', { passphrase: PASSPHRASE, again: PASSPHRASE });
  t.equal(again.json().error?.code, 'FILE_EXISTS');
  await t.rejects(stat(join(other.dir, 'my.key')), 'no key without its card');
  t.equal(await readFile(join(other.dir, 'my-card.json'), 'utf8'), 'card');
});

t.test('creating a key needs the secret, this Host and nothing else', async (t) => {
  const { wb, dir } = await start(t);
  const body = JSON.stringify({ passphrase: PASSPHRASE, again: PASSPHRASE });
  const headers = { 'content-type': 'application/json' };
  const none = await call(wb, '/api/key', { method: 'POST', body, headers, secret: false });
  t.equal(none.status, 401);
  const wrong = await call(wb, '/api/key', { method: 'POST', body, headers, secret: 'x'.repeat(43) }); // prettier-ignore
  t.equal(wrong.status, 401);
  const host = await call(wb, '/api/key', { method: 'POST', body, headers, host: 'evil.example' });
  t.equal(host.status, 403);
  t.equal((await call(wb, '/api/card', { secret: false })).status, 401);
  await t.rejects(stat(join(dir, 'my.key')));
  t.notOk(wb.session.unlocked);
});

t.test('review ui says at start that the page will create the missing key', async (t) => {
  const dir = await tempDir(t);
  const io = testIo();
  const key = join(dir, 'my.key');
  await reviewUi({ cases: join(dir, 'cases'), key, browser: false }, io, (wb) => {
    process.nextTick(() => process.emit('SIGTERM'));
    t.ok(wb.port > 0);
  });
  t.match(io.lines.join('\n'), `There is no key file at ${key} yet`);
});
