// Courier authentication over a real socket: each way a request can fail gets
// its own 401 code, and a good signature works exactly once.
import t from 'tap';
import { fingerprint, generateCourierKey, toBase64Url } from '../../client-crypto/index.ts';
import { contentDigestMatches } from '../../server/plugins/courier-auth.ts';
import { courierClient, signRequest, type SignedRequest } from '../../reviewer/courier/http.ts';
import { courierServer, sendSigned } from './courier-fixtures.ts';

let lastMessage = '';

async function raw(request: SignedRequest): Promise<{ status: number; code?: string }> {
  const { status, code, message } = await sendSigned(request);
  if (message !== undefined) lastMessage = message;
  return code === undefined ? { status } : { status, code };
}

t.test('courier authentication', async (t) => {
  const { url, client, courier } = await courierServer(t);
  const expect401 = async (request: SignedRequest, code: string, what: string) => {
    t.same(await raw(request), { status: 401, code }, what);
  };

  // Unsigned.
  const unsigned = await fetch(`${url}/v1/courier/export`);
  t.equal(unsigned.status, 401);
  t.equal(
    ((await unsigned.json()) as { error: { code: string } }).error.code,
    'COURIER_SIGNATURE_MISSING',
  );

  // Good, then replayed.
  const good = await signRequest(client, 'GET', '/v1/courier/export');
  t.same(await raw(good), { status: 200 }, 'a good signature is accepted');
  await expect401(good, 'COURIER_REPLAY', 'the same signed request again');

  // The courier named by its fingerprint rather than its key.
  const byFingerprint = await signRequest(client, 'GET', '/v1/courier/export', undefined, {
    keyid: await fingerprint(courier.publicKey),
  });
  t.same(await raw(byFingerprint), { status: 200 }, 'keyid may be the fingerprint');

  // A key that is not in the keyset.
  const stranger = courierClient(url, await generateCourierKey('Stranger'));
  await expect401(
    await signRequest(stranger, 'GET', '/v1/courier/export'),
    'COURIER_UNKNOWN',
    'unknown courier',
  );

  // Signed with another key while claiming to be the listed courier.
  const impostor = await signRequest(stranger, 'GET', '/v1/courier/export', undefined, {
    keyid: toBase64Url(courier.publicKey),
  });
  await expect401(impostor, 'COURIER_SIGNATURE_INVALID', 'wrong key for the keyid');

  // Outside the time window, either way.
  const old = await signRequest(client, 'GET', '/v1/courier/export', undefined, {
    created: new Date(Date.now() - 10 * 60_000),
  });
  await expect401(old, 'COURIER_SIGNATURE_EXPIRED', 'ten minutes old');
  const future = await signRequest(client, 'GET', '/v1/courier/export', undefined, {
    created: new Date(Date.now() + 10 * 60_000),
  });
  await expect401(future, 'COURIER_SIGNATURE_EXPIRED', 'ten minutes ahead');

  // The query is covered.
  const query = await signRequest(client, 'GET', '/v1/courier/export?after=0');
  await expect401(
    { ...query, url: new URL(`${url}/v1/courier/export?after=1`) },
    'COURIER_SIGNATURE_INVALID',
    'query changed',
  );

  // A tampered body: with the old digest, and with a fresh digest the signature does not cover.
  const ack = await signRequest(client, 'POST', '/v1/courier/ack', { cursor: 0 });
  const tamperedBody = new TextEncoder().encode(JSON.stringify({ cursor: 1 }));
  await expect401({ ...ack, body: tamperedBody }, 'COURIER_SIGNATURE_INVALID', 'body changed');
  t.match(lastMessage, /Content-Digest/, 'caught by the digest check');
  const { createHash } = await import('node:crypto');
  const redigested = {
    ...ack,
    body: tamperedBody,
    headers: {
      ...ack.headers,
      'content-digest': `sha-256=:${createHash('sha256').update(tamperedBody).digest('base64')}:`,
    },
  };
  await expect401(redigested, 'COURIER_SIGNATURE_INVALID', 'body and digest changed');
  t.same(
    await raw(await signRequest(client, 'POST', '/v1/courier/ack', { cursor: 0 })),
    { status: 200 },
    'a good POST',
  );

  // A body whose digest is not among the covered components.
  const bodyless = await signRequest(client, 'GET', '/v1/courier/export');
  const smuggled = {
    ...bodyless,
    method: 'POST',
    url: new URL(`${url}/v1/courier/ack`),
  };
  await expect401(smuggled, 'COURIER_SIGNATURE_INVALID', 'method and path are covered');
  const body = new TextEncoder().encode('{"cursor":0}');
  const posted = await signRequest(client, 'POST', '/v1/courier/ack');
  await expect401(
    { ...posted, body, headers: { ...posted.headers, 'content-type': 'application/json' } },
    'COURIER_SIGNATURE_INVALID',
    'a body without a covered Content-Digest',
  );

  // Two signatures: one good, one naming another courier. Refused, so that the
  // courier a request acts as is always the one whose signature verified.
  const first = await signRequest(client, 'GET', '/v1/courier/export');
  const second = await signRequest(stranger, 'GET', '/v1/courier/export');
  const header = (r: SignedRequest, name: string): string =>
    Object.entries(r.headers).find(([k]) => k.toLowerCase() === name)![1];
  const relabel = (value: string) => value.replace(/^sig=/, 'other=');
  const combine = (extra: SignedRequest, base: SignedRequest): SignedRequest => ({
    ...base,
    headers: {
      signature: `${relabel(header(extra, 'signature'))}, ${header(base, 'signature')}`,
      'signature-input': `${relabel(header(extra, 'signature-input'))}, ${header(base, 'signature-input')}`,
    },
  });
  await expect401(
    combine(second, first),
    'COURIER_SIGNATURE_INVALID',
    'a second signature by an unknown key',
  );
  const twice = await signRequest(client, 'GET', '/v1/courier/export');
  await expect401(combine(first, twice), 'COURIER_SIGNATURE_INVALID', 'two good signatures');

  // A malformed signature header.
  await expect401(
    {
      ...(await signRequest(client, 'GET', '/v1/courier/export')),
      headers: { signature: 'sig=:AAAA:', 'signature-input': 'nonsense' },
    },
    'COURIER_SIGNATURE_INVALID',
    'garbage headers',
  );
});

t.test('Content-Digest parsing', async (t) => {
  const body = new TextEncoder().encode('{"a":1}');
  const { createHash } = await import('node:crypto');
  const sha256 = createHash('sha256').update(body).digest('base64');
  const sha512 = createHash('sha512').update(body).digest('base64');
  t.ok(contentDigestMatches(`sha-256=:${sha256}:`, body));
  t.ok(contentDigestMatches(`sha-512=:${sha512}:, sha-256=:${sha256}:`, body));
  t.notOk(contentDigestMatches(`sha-512=:${sha256}:`, body));
  t.notOk(contentDigestMatches(`md5=:${sha256}:`, body), 'no known algorithm');
  t.notOk(contentDigestMatches(`sha-256=:${sha256}:, sha-512=:${sha256}:`, body), 'all must match');
  t.ok(contentDigestMatches(` sha-256 = :${sha256}: `, body), 'spaces around the parts');
  for (const junk of [
    `xsha-256=:${sha256}:`,
    `sha-256=:${sha256}:x`,
    `sha-256x=:${sha256}:`,
    `sha-256=x:${sha256}:`,
    `sha-256=:${sha256}:x:`,
  ]) {
    t.notOk(contentDigestMatches(junk, body), `not a digest: ${junk.slice(0, 12)}…`);
  }
});

t.test('the five-minute window, and which header is missing', async (t) => {
  const { client } = await courierServer(t);
  const minutes = (n: number) => new Date(Date.now() + n * 60_000);
  for (const offset of [-4, 4]) {
    const request = await signRequest(client, 'GET', '/v1/courier/export', undefined, {
      created: minutes(offset),
    });
    t.same(await raw(request), { status: 200 }, `${offset} minutes off: within the window`);
  }
  for (const offset of [-6, 6]) {
    const request = await signRequest(client, 'GET', '/v1/courier/export', undefined, {
      created: minutes(offset),
    });
    t.same(
      await raw(request),
      { status: 401, code: 'COURIER_SIGNATURE_EXPIRED' },
      `${offset} minutes off: outside it`,
    );
  }
  const signed = await signRequest(client, 'GET', '/v1/courier/export');
  for (const kept of ['signature', 'signature-input']) {
    const headers = Object.fromEntries(
      Object.entries(signed.headers).filter(([name]) => name.toLowerCase() === kept),
    );
    t.same(
      await raw({ ...signed, headers }),
      { status: 401, code: 'COURIER_SIGNATURE_MISSING' },
      `only ${kept}: not signed`,
    );
  }
});
