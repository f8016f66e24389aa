// A hostile submitter chooses how the digest of its upload is named at
// finish (docs/protocol.md, "Attachment digest"): an algorithm the server does
// not know, the right digest under the wrong name, or the older BLAKE2b-256 to
// make the server read every part back. Each is checked against the stored
// bytes over real HTTP, refused with a 4xx and a stable code, and a finished
// upload cannot be finished again with another digest.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { attachmentDigest, getSodium, toBase64Url } from '../../client-crypto/index.ts';
import { build, solvedChallenge } from '../helper.ts';

type ErrorJson = { error: { code: string } };
const KiB = 1024;

t.test(
  'finish over HTTP names its digest; a page sending the older one is still served',
  async (t) => {
    const partSize = 64 * KiB;
    const { app } = await build(t, { env: { SEALBOX_UPLOAD_PART_MAX_BYTES: String(partSize) } });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const sodium = await getSodium();
    const data = new Uint8Array(randomBytes(3 * partSize + 7));
    const sha = toBase64Url(await attachmentDigest(data, 'sha256-segments'));
    const blake = toBase64Url(sodium.crypto_generichash(32, data, null));
    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    async function uploaded() {
      const created = await post('/v1/uploads', {
        challenge: await solvedChallenge(app),
        size: data.length,
        partSize,
      });
      t.equal(created.status, 201);
      const { uploadId } = (await created.json()) as { uploadId: string };
      for (let n = 0; n * partSize < data.length; n++) {
        const res = await fetch(`${url}/v1/uploads/${uploadId}/parts/${n}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/octet-stream' },
          body: data.subarray(n * partSize, (n + 1) * partSize),
        });
        t.equal(res.status, 204);
      }
      return (body: unknown) => post(`/v1/uploads/${uploadId}/finish`, body);
    }
    const code = async (res: Response) => ((await res.json()) as ErrorJson).error.code;

    await t.test('sha256-segments', async (t) => {
      const finish = await uploaded();
      const unknown = await finish({ digest: sha, digestAlgorithm: 'sha256' });
      t.equal(unknown.status, 400, 'an algorithm the server does not know');
      t.equal(await code(unknown), 'VALIDATION_FAILED');
      const mislabelled = await finish({ digest: blake, digestAlgorithm: 'sha256-segments' });
      t.equal(mislabelled.status, 400, 'the right BLAKE2b-256 under the new name');
      t.equal(await code(mislabelled), 'UPLOAD_DIGEST_MISMATCH');
      const unlabelled = await finish({ digest: sha });
      t.equal(await code(unlabelled), 'UPLOAD_DIGEST_MISMATCH', 'no name means BLAKE2b-256');
      const done = await finish({ digest: sha, digestAlgorithm: 'sha256-segments' });
      t.equal(done.status, 200);
      t.match(await done.json(), { finished: true });
      t.equal((await finish({ digest: sha, digestAlgorithm: 'sha256-segments' })).status, 200);
      const other = await finish({ digest: blake, digestAlgorithm: 'sha256-segments' });
      t.equal(other.status, 409);
      t.equal(await code(other), 'UPLOAD_FINISHED');
    });

    await t.test('blake2b-256, named or not (a page loaded before the change)', async (t) => {
      const unnamed = await uploaded();
      const wrong = await unnamed({ digest: toBase64Url(new Uint8Array(32)) });
      t.equal(wrong.status, 400);
      t.equal(await code(wrong), 'UPLOAD_DIGEST_MISMATCH');
      t.equal((await unnamed({ digest: blake })).status, 200);
      const named = await uploaded();
      t.equal(
        await code(await named({ digest: sha, digestAlgorithm: 'blake2b-256' })),
        'UPLOAD_DIGEST_MISMATCH',
      );
      t.equal((await named({ digest: blake, digestAlgorithm: 'blake2b-256' })).status, 200);
    });
  },
);
