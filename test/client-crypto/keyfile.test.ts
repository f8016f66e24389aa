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

t.test(
  'every malformed part of a key file is FORMAT_INVALID, even with the right passphrase',
  async (t) => {
    const file = await lockKeyFile('reviewer', secret, 'pw', cost);
    const damaged: [string, unknown][] = [
      ['null', null],
      ['a string', 'nonsense'],
      ['another format', { ...file, format: 'sealbox-keyfile-v0' }],
      ['an unknown kind', { ...file, kind: 'robot' }],
      ['no kdf', { ...file, kdf: null }],
      ['kdf not an object', { ...file, kdf: 'argon2id13' }],
      ['another kdf', { ...file, kdf: { ...file.kdf, alg: 'scrypt' } }],
      ['opsLimit not a number', { ...file, kdf: { ...file.kdf, opsLimit: '1' } }],
      [
        'memLimit not a whole number',
        { ...file, kdf: { ...file.kdf, memLimit: 8 * 1024 * 1024 + 0.5 } },
      ],
      ['salt not a string', { ...file, kdf: { ...file.kdf, salt: 7 } }],
      ['a short salt', { ...file, kdf: { ...file.kdf, salt: 'AAAA' } }],
      ['nonce not a string', { ...file, nonce: 7 }],
      ['ciphertext not a string', { ...file, ciphertext: 7 }],
      ['no passes', { ...file, kdf: { ...file.kdf, opsLimit: 0 } }],
      ['more passes than the cap', { ...file, kdf: { ...file.kdf, opsLimit: 11 } }],
      ['less memory than Argon2id takes', { ...file, kdf: { ...file.kdf, memLimit: 8191 } }],
    ];
    for (const [what, value] of damaged) {
      t.equal(await codeOf(unlockKeyFile(value, 'pw')), 'FORMAT_INVALID', what);
    }
  },
);

t.test('the cost bounds themselves are accepted', async (t) => {
  // The most passes and the least memory: cheap enough to run here.
  const edge = await lockKeyFile('courier', secret, 'pw', { opsLimit: 10, memLimit: 8192 });
  t.same((await unlockKeyFile(edge, 'pw')).secret, secret);
});
