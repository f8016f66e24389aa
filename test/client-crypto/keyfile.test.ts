import t from 'tap';
import { getSodium, lockKeyFile, unlockKeyFile } from '../../client-crypto/index.ts';
import { codeOf } from './fixtures.ts';

// Low cost so the suite stays fast; the default (256 MiB, 3 passes) is what users get.
const cost = { opsLimit: 1, memLimit: 8 * 1024 * 1024 };
const sodium = await getSodium();
const secret = sodium.randombytes_buf(96);

t.test('round trip through JSON', async (t) => {
  const file = JSON.parse(
    JSON.stringify(await lockKeyFile('reviewer', secret, 'correct horse', cost)),
  ) as unknown;
  const opened = await unlockKeyFile(file, 'correct horse');
  t.equal(opened.kind, 'reviewer');
  t.same(opened.secret, secret);
});

t.test('wrong passphrase and edited files are refused', async (t) => {
  const file = await lockKeyFile('organisation', secret, 'pw-1', cost);
  t.equal(await codeOf(unlockKeyFile(file, 'pw-2')), 'KEYFILE_PASSPHRASE');
  t.equal(
    await codeOf(unlockKeyFile({ ...file, kind: 'courier' }, 'pw-1')),
    'KEYFILE_PASSPHRASE',
    'kind is bound',
  );
  t.equal(
    await codeOf(unlockKeyFile({ ...file, kdf: { ...file.kdf, opsLimit: 2 } }, 'pw-1')),
    'KEYFILE_PASSPHRASE',
    'costs are bound',
  );
  t.equal(
    await codeOf(unlockKeyFile({ ...file, kdf: { ...file.kdf, memLimit: 2 ** 34 } }, 'pw-1')),
    'FORMAT_INVALID',
    'costs are capped before any work',
  );
  t.equal(await codeOf(unlockKeyFile({ ...file, nonce: 'AAAA' }, 'pw-1')), 'FORMAT_INVALID');
  t.equal(await codeOf(unlockKeyFile('nonsense', 'pw-1')), 'FORMAT_INVALID');
  t.equal(await codeOf(lockKeyFile('courier', secret, '', cost)), 'KEYFILE_PASSPHRASE');
});
