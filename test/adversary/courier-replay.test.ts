// A captured courier request must not work twice, however its signature
// headers are respelled. http-message-signatures reads only the member that
// Signature-Input names, so the server refuses every shape but the one it
// documents, and remembers the courier's nonce, not the header text.
import t from 'tap';
import { signRequest, type SignedRequest } from '../../reviewer/courier/http.ts';
import { courierServer, sendSigned } from '../server/courier-fixtures.ts';

async function send(request: SignedRequest): Promise<{ status: number; code?: string }> {
  const { status, code } = await sendSigned(request);
  return code === undefined ? { status } : { status, code };
}

const header = (request: SignedRequest, name: string): string =>
  Object.entries(request.headers).find(([k]) => k.toLowerCase() === name)![1];

/** The request with its Signature and Signature-Input headers replaced. */
function respelled(
  request: SignedRequest,
  spell: { signature?: (v: string) => string; input?: (v: string) => string },
): SignedRequest {
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter(
      ([k]) => !['signature', 'signature-input'].includes(k.toLowerCase()),
    ),
  );
  return {
    ...request,
    headers: {
      ...headers,
      signature: (spell.signature ?? ((v) => v))(header(request, 'signature')),
      'signature-input': (spell.input ?? ((v) => v))(header(request, 'signature-input')),
    },
  };
}

const VARIANTS: [string, Parameters<typeof respelled>[1]][] = [
  ['the same headers', {}],
  ['another member appended to Signature', { signature: (v) => `${v}, x=:AAAA:` }],
  ['a parameter on the Signature member', { signature: (v) => `${v};p=1` }],
  ['the base64 padding stripped', { signature: (v) => v.replace(/==:$/, ':') }],
  ['the member repeated', { signature: (v) => `${v}, ${v}` }],
  ['Signature-Input repeated', { input: (v) => `${v}, ${v}` }],
  [
    'a second, unsigned member in both headers',
    {
      signature: (v) => `${v}, x=:${'A'.repeat(86)}==:`,
      input: (v) => `${v}, x=("@method");created=1;keyid="k";alg="ed25519";nonce="n"`,
    },
  ],
];

t.test('a captured courier request cannot be replayed under another spelling', async (t) => {
  const { client } = await courierServer(t);
  for (const [method, path, body] of [
    ['GET', '/v1/courier/export', undefined],
    ['POST', '/v1/courier/ack', { cursor: 0 }],
  ] as const) {
    const captured = await signRequest(client, method, path, body);
    t.same(await send(captured), { status: 200 }, `${method}: the genuine first use`);
    for (const [name, spell] of VARIANTS) {
      const replay = await send(respelled(captured, spell));
      t.equal(replay.status, 401, `${method}, ${name}: refused`);
      t.ok(
        replay.code === 'COURIER_REPLAY' || replay.code === 'COURIER_SIGNATURE_INVALID',
        `${method}, ${name}: ${replay.code}`,
      );
    }
  }
});

t.test('a fresh signature over a used nonce is a replay', async (t) => {
  const { client } = await courierServer(t);
  const nonce = 'fixed-nonce-0123456789';
  const first = await signRequest(client, 'GET', '/v1/courier/export', undefined, { nonce });
  t.same(await send(first), { status: 200 }, 'the genuine first use');
  const again = await signRequest(client, 'GET', '/v1/courier/export?after=0', undefined, {
    nonce,
    created: new Date(Date.now() - 1000),
  });
  t.same(await send(again), { status: 401, code: 'COURIER_REPLAY' }, 'same courier, same nonce');
  const other = await signRequest(client, 'GET', '/v1/courier/export');
  t.same(await send(other), { status: 200 }, 'a new nonce is fine');
});

t.test('only the documented shape is accepted', async (t) => {
  const { client } = await courierServer(t);
  const shapes: [string, Parameters<typeof respelled>[1]][] = [
    [
      'another label',
      { signature: (v) => v.replace(/^sig=/, 'mine='), input: (v) => v.replace(/^sig=/, 'mine=') },
    ],
    ['labels that differ', { input: (v) => v.replace(/^sig=/, 'other=') }],
    ['a parameter the server does not expect', { input: (v) => `${v};expires=9999999999` }],
    ['no nonce', { input: (v) => v.replace(/;nonce="[^"]*"/, '') }],
    ['a short nonce', { input: (v) => v.replace(/;nonce="[^"]*"/, ';nonce="abc"') }],
    ['a component with a parameter', { input: (v) => v.replace('"@method"', '"@method";req') }],
    [
      'a component the server does not expect',
      { input: (v) => v.replace('"@query"', '"@query" "@authority"') },
    ],
    ['whitespace in the inner list', { input: (v) => v.replace('" "', '"  "') }],
  ];
  for (const [name, spell] of shapes) {
    const request = await signRequest(client, 'GET', '/v1/courier/export');
    t.same(
      await send(respelled(request, spell)),
      { status: 401, code: 'COURIER_SIGNATURE_INVALID' },
      name,
    );
  }
});
