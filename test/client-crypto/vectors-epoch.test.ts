// Runs the epoch-key vectors (test/vectors/epoch-key-*.json, docs/protocol.md
// "Epoch keys") through the library's sealingKeys and through a reader written
// from the spec alone (spec-reader-epoch.ts); both must give the keys to seal
// to, or the error code, that each vector names. The reviewer key file whose
// secret is version 2 is read both ways too. The envelope vectors sealed to
// epoch keys run with the others in vectors.test.ts.
import t from 'tap';
import sumo from 'libsodium-wrappers-sumo';
import {
  decodeReviewerSecrets,
  epochRecipientId,
  fromBase64Url,
  isSealboxError,
  sealingKeys,
  unlockKeyFile,
  toBase64Url,
  verifyEpochKey,
  verifyKeyset,
} from '../../client-crypto/index.ts';
import { loadVectors } from '../vectors/load.ts';
import { specVerifyKeyset } from './spec-reader.ts';
import { specReviewerSecret, specSealTo } from './spec-reader-epoch.ts';
import type { Keyset } from '../../client-crypto/index.ts';

await sumo.ready;
const vectors = loadVectors('epoch-key');

t.test('the epoch-key vectors cover every scenario the spec names', (t) => {
  const expects = new Set(vectors.map((v) => v.expect));
  for (const e of [
    'success',
    'expired epoch key',
    'epoch key not yet valid',
    'no epoch key',
    'epoch key signed by another reviewer',
    'epoch key of a reviewer not in the keyset',
    'bad epoch key signature',
    'malformed epoch key',
    'wrong version',
  ])
    t.ok(expects.has(e), e);
  const envelopes = new Set(loadVectors('envelope').map((v) => v.name));
  for (const name of [
    'envelope-success-epoch-ring',
    'envelope-sealed-to-erased-epoch',
    'envelope-epoch-not-identity',
    'envelope-success-legacy-identity',
    'envelope-legacy-identity-erased',
  ])
    t.ok(envelopes.has(name), name);
  t.end();
});

t.test('library', async (t) => {
  for (const v of vectors) {
    const keyset = await verifyKeyset(
      v.keyset,
      { publicKey: fromBase64Url(v.organisationPublicKey) },
      { now: new Date(v.now) },
    );
    try {
      const keys = await sealingKeys(keyset, v.epochKeys, new Date(`${v.now}T23:59:59Z`));
      const verified = await Promise.all(v.epochKeys.map((k) => verifyEpochKey(k, keyset)));
      const sealTo = await Promise.all(
        keys.recipients.map(async (r) => ({
          reviewerName: r.reviewerName,
          epoch: r.epoch,
          kemPublicKey: toBase64Url(r.publicKey),
          recipientId: await epochRecipientId(
            verified.find((k) => k.kemPublicKey === toBase64Url(r.publicKey))!,
          ),
        })),
      );
      t.equal(v.error, undefined, `${v.name}: seals`);
      t.same(sealTo, v.sealTo, `${v.name}: the keys to seal to`);
    } catch (e) {
      if (!isSealboxError(e)) throw e;
      t.equal(e.code, v.error, `${v.name}: ${e.message}`);
    }
  }
});

t.test('a reader written from the spec alone agrees', (t) => {
  for (const v of vectors) {
    const keyset = specVerifyKeyset(
      v.keyset as Record<string, string>,
      fromBase64Url(v.organisationPublicKey),
    ) as Keyset;
    const got = specSealTo(keyset, v.epochKeys, v.now);
    if (v.error) t.equal(got, v.error, v.name);
    else t.same(got, v.sealTo, v.name);
  }
  t.end();
});

t.test(
  'the version 2 reviewer secret of a key file, read by the library and from the spec',
  async (t) => {
    const withSecrets = loadVectors('keyfile').filter((v) => v.reviewerSecrets);
    t.ok(withSecrets.length >= 1, 'a vector holds a version 2 secret');
    for (const v of withSecrets) {
      const { secret } = await unlockKeyFile(v.file, v.passphrase);
      const read = await decodeReviewerSecrets(secret);
      t.same(
        {
          version: 2,
          signPublicKey: toBase64Url(read.signPublicKey),
          identityPublicKey: toBase64Url(read.kemPublicKey),
          identitySeed: read.kemSecretKey && toBase64Url(read.kemSecretKey),
          epochs: read.epochs.map((e) => ({
            epoch: e.epoch,
            starts: e.starts,
            ends: e.ends,
            seed: toBase64Url(e.keyPair.secretKey),
            publicKey: toBase64Url(e.keyPair.publicKey),
          })),
        },
        v.reviewerSecrets,
        `${v.name}: library`,
      );
      t.same(specReviewerSecret(fromBase64Url(v.secret!)), v.reviewerSecrets, `${v.name}: spec`);
      const cut = fromBase64Url(v.secret!).subarray(0, -1);
      t.equal(
        specReviewerSecret(cut),
        'FORMAT_INVALID',
        `${v.name}: spec reader refuses a cut secret`,
      );
    }
  },
);
