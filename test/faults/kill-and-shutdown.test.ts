// The server process killed with SIGKILL in the middle of an upload part:
// after a restart the upload resumes where the stored parts end and the case
// is created whole; nothing half-written is ever visible. Then SIGTERM while
// a part is still arriving: the request finishes (204) before the process
// exits cleanly.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { fromBase64Url, verifyKeyset } from '../../client-crypto/index.ts';
import type { SignedKeyset } from '../../client-crypto/index.ts';
import { Submitter, PART_SIZE } from '../audit/submitter.ts';
import {
  DOCUMENT_VERSION,
  encryptAttachment,
  toBase64Url,
  deriveReceiptKeys,
  generateReceipt,
  sealDocument,
} from '../../client-crypto/index.ts';
import { pgliteTemplate } from '../helper.ts';
import { startServer } from './server-process.ts';

/** A request body that sends `first` at once and the rest only when released. */
function heldBody(first: Uint8Array, rest: Uint8Array) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(first);
      await released;
      controller.enqueue(rest);
      controller.close();
    },
  });
  return { stream, release };
}

function putHeld(url: string, id: string, n: number, bytes: Uint8Array, split: number) {
  const held = heldBody(bytes.slice(0, split), bytes.slice(split));
  const response = fetch(`${url}/v1/uploads/${id}/parts/${n}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
    body: held.stream,
    duplex: 'half',
  } as RequestInit);
  return { response, release: held.release };
}

t.test('SIGKILL mid-upload, restart, resume; SIGTERM lets a part finish', async (t) => {
  const data = await mkdtemp(join(tmpdir(), 'sealbox-kill-'));
  t.teardown(() => rm(data, { recursive: true, force: true }));
  await cp(await pgliteTemplate(), join(data, 'pglite'), { recursive: true });
  const env = { SEALBOX_DATA_DIR: data };

  let server = await startServer(env);
  t.teardown(() => server.child.kill('SIGKILL'));
  let client = new Submitter(server.url);
  const signed = await client.json<SignedKeyset>('GET', '/v1/keyset');
  const keyset = await verifyKeyset(signed, { publicKey: fromBase64Url(signed.signer) });

  const plain = new Uint8Array(3 * PART_SIZE).map((_, i) => (i * 7) % 256);
  const encrypted = await encryptAttachment([plain], plain.length);
  const chunks: Uint8Array[] = [];
  for await (const c of encrypted.chunks) chunks.push(c.slice());
  const ciphertext = new Uint8Array(Buffer.concat(chunks));
  const part = (n: number) => ciphertext.slice(n * PART_SIZE, (n + 1) * PART_SIZE);
  const created = await client.json<{ uploadId: string; partCount: number }>(
    'POST',
    '/v1/uploads',
    { challenge: await client.proof(), size: ciphertext.length, partSize: PART_SIZE },
    201,
  );
  const id = created.uploadId;
  t.ok(created.partCount >= 4, 'several parts');
  for (const n of [0, 1]) {
    const r = await client.request('PUT', `/v1/uploads/${id}/parts/${n}`, undefined, part(n));
    t.equal(r.status, 204);
  }
  // Part 2 is half sent when the process dies.
  const dying = putHeld(server.url, id, 2, part(2), 1000);
  const dyingOutcome = dying.response.then(
    () => t.fail('no answer can come from a killed server'),
    () => t.pass('the interrupted part failed on the client'),
  );
  await new Promise((r) => setTimeout(r, 300));
  server.child.kill('SIGKILL');
  await server.exited;
  await dyingOutcome;

  server = await startServer(env);
  client = new Submitter(server.url);
  const state = await client.json<{ received: number[]; finished: boolean }>(
    'GET',
    `/v1/uploads/${id}`,
  );
  t.same(
    state,
    { ...state, received: [0, 1], finished: false },
    'the stored parts survived, the broken one did not',
  );
  const early = await client.request('POST', `/v1/uploads/${id}/finish`, {
    digest: toBase64Url(encrypted.digest()),
    digestAlgorithm: encrypted.digestAlgorithm,
  });
  t.equal(early.status, 409, 'an incomplete upload cannot be finished');

  // SIGTERM while part 2 is arriving: it still completes.
  const inFlight = putHeld(server.url, id, 2, part(2), 1000);
  await new Promise((r) => setTimeout(r, 300));
  server.child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  inFlight.release();
  const answered = await inFlight.response;
  t.equal(answered.status, 204, 'the in-flight part finished during shutdown');
  const code = await server.exited;
  // The in-flight answer carries `Connection: close`, so nothing holds the
  // process open until close-with-grace's 10 s kill.
  t.equal(code, 0, 'clean exit after SIGTERM');

  server = await startServer(env);
  client = new Submitter(server.url);
  for (let n = 3; n < created.partCount; n++) {
    const r = await client.request('PUT', `/v1/uploads/${id}/parts/${n}`, undefined, part(n));
    t.equal(r.status, 204);
  }
  await client.json('POST', `/v1/uploads/${id}/finish`, {
    digest: toBase64Url(encrypted.digest()),
    digestAlgorithm: encrypted.digestAlgorithm,
  });
  const receipt = await generateReceipt();
  const keys = await deriveReceiptKeys(receipt);
  const lookupToken = toBase64Url(keys.lookupToken);
  const before = await client.request('POST', '/v1/status', { lookupToken });
  t.equal(before.status, 404, 'no case before the submission');
  const envelope = await sealDocument(
    {
      v: DOCUMENT_VERSION,
      kind: 'submission',
      locale: 'en',
      form: 'reprisal-report',
      answers: {},
      message: 'after a crash',
      attachments: [
        {
          uploadId: id,
          name: 'a.bin',
          type: 'application/octet-stream',
          size: plain.length,
          key: toBase64Url(encrypted.key),
          digest: toBase64Url(encrypted.digest()),
          digestAlgorithm: encrypted.digestAlgorithm,
        },
      ],
      replyPublicKey: toBase64Url(keys.replyKeyPair.publicKey),
    },
    await client.sealingKeys(keyset),
    keys.authorKeyPair,
  );
  await client.json(
    'POST',
    '/v1/submissions',
    {
      challenge: await client.proof(),
      lookupToken,
      envelope: toBase64Url(envelope),
      uploads: [id],
    },
    201,
  );
  const after = await client.json<{ status: string }>('POST', '/v1/status', { lookupToken });
  t.equal(after.status, 'received', 'the case exists, with its resumed upload');
  server.child.kill('SIGTERM');
  t.equal(await server.exited, 0);
});
