import t from 'tap';
import { getSodium } from '../../client-crypto/sodium.ts';

t.test('xwing round trip', async (t) => {
  const s = await getSodium();
  const kp = s.crypto_kem_xwing_keypair();
  const { ciphertext, sharedSecret } = s.crypto_kem_xwing_enc(kp.publicKey);
  t.same(s.crypto_kem_xwing_dec(ciphertext, kp.privateKey), sharedSecret);
  t.equal(kp.publicKey.length, 1216);
  t.equal(kp.privateKey.length, 32);
  t.equal(ciphertext.length, 1120);
});
