// The server decodes envelopes with Node's native base64url decoder; it must
// accept and refuse exactly what client-crypto's strict decoder does.
import { randomBytes, randomInt } from 'node:crypto';
import t from 'tap';
import { fromBase64Url, toBase64Url } from '../../client-crypto/index.ts';
import { decodeEnvelopeText } from '../../server/routes/envelope.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function both(text: string): { reference: string; server: string } {
  const run = (decode: (s: string) => Uint8Array) => {
    try {
      return Buffer.from(decode(text)).toString('hex');
    } catch {
      return 'refused';
    }
  };
  return { reference: run(fromBase64Url), server: run(decodeEnvelopeText) };
}

t.test('the same bytes for every encoding client-crypto writes', async (t) => {
  let differ = 0;
  for (let length = 0; length < 300; length++) {
    const bytes = new Uint8Array(randomBytes(length));
    const decoded = decodeEnvelopeText(toBase64Url(bytes));
    if (!Buffer.from(decoded).equals(Buffer.from(bytes)) || Buffer.isBuffer(decoded)) differ++;
  }
  t.equal(differ, 0, 'lengths 0 to 299: the same bytes, as a plain Uint8Array');
});

t.test('the same answer for malformed text', async (t) => {
  for (const text of [
    'A',
    'AB',
    'AAB',
    'AQ',
    'AAE',
    'AA=',
    'AA==',
    'A+/A',
    'AB C',
    'Zm9v\n',
    'é',
  ]) {
    const { reference, server } = both(text);
    t.equal(server, reference, JSON.stringify(text));
  }
  t.equal(both('AB').server, 'refused', 'non-canonical trailing bits');
  t.equal(both('AAB').server, 'refused', 'non-canonical trailing bits');
  t.equal(both('AA==').server, 'refused', 'padding');
  let differ = 0;
  for (let i = 0; i < 5000; i++) {
    let text = '';
    const length = randomInt(0, 12);
    for (let j = 0; j < length; j++) text += ALPHABET[randomInt(0, 64)];
    if (randomInt(0, 10) === 0) text += '=+/ .'[randomInt(0, 5)];
    const { reference, server } = both(text);
    if (reference !== server) differ++;
  }
  t.equal(differ, 0, '5,000 random strings decode alike');
});
