// libsodium's X-Wing against an independent implementation of
// draft-connolly-cfrg-xwing-kem (@noble/post-quantum's ml_kem768_x25519).
import t from 'tap';
import { ml_kem768_x25519 } from '@noble/post-quantum/hybrid.js';
import { getSodium } from '../../client-crypto/index.ts';

const sodium = await getSodium();

t.test('same key pair from the same seed', async (t) => {
  for (let i = 0; i < 5; i++) {
    const seed = sodium.randombytes_buf(32);
    const ours = sodium.crypto_kem_xwing_seed_keypair(seed);
    const theirs = ml_kem768_x25519.keygen(seed);
    t.same(ours.publicKey, theirs.publicKey);
  }
});

t.test('libsodium encapsulates, noble decapsulates', async (t) => {
  const seed = sodium.randombytes_buf(32);
  const ours = sodium.crypto_kem_xwing_seed_keypair(seed);
  const theirs = ml_kem768_x25519.keygen(seed);
  const { ciphertext, sharedSecret } = sodium.crypto_kem_xwing_enc(ours.publicKey);
  t.same(ml_kem768_x25519.decapsulate(ciphertext, theirs.secretKey), sharedSecret);
});

t.test('noble encapsulates, libsodium decapsulates', async (t) => {
  const seed = sodium.randombytes_buf(32);
  const ours = sodium.crypto_kem_xwing_seed_keypair(seed);
  const { cipherText, sharedSecret } = ml_kem768_x25519.encapsulate(ours.publicKey);
  t.same(sodium.crypto_kem_xwing_dec(cipherText, ours.privateKey), sharedSecret);
  const tampered = cipherText.slice();
  tampered[0] = tampered[0]! ^ 1;
  t.notSame(
    sodium.crypto_kem_xwing_dec(tampered, ours.privateKey),
    sharedSecret,
    'implicit rejection',
  );
});
