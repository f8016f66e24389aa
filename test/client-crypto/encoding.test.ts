// The wire encodings, checked against independent ones: Node's own base64url,
// a bit string cut into fives for Crockford base32. Decoding is strict: every
// malformed value is ENCODING_INVALID, never a shorter or different buffer.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import {
  CROCKFORD,
  concatBytes,
  fromBase64Url,
  groupSymbols,
  isoDate,
  toBase64Url,
  toCrockford,
  u32be,
  utf8Decode,
  utf8Encode,
} from '../../client-crypto/encoding.ts';

const invalid = { code: 'ENCODING_INVALID' };

t.test('base64url agrees with Node for every length and byte value', async (t) => {
  const samples: Uint8Array[] = [new Uint8Array(256).map((_, i) => i)];
  for (let n = 0; n <= 70; n++) samples.push(new Uint8Array(randomBytes(n)));
  // Every bit set, every length remainder: the masks of the last group matter.
  for (let n = 1; n <= 6; n++) samples.push(new Uint8Array(n).fill(0xff));
  for (const bytes of samples) {
    const expected = Buffer.from(bytes).toString('base64url');
    t.equal(toBase64Url(bytes), expected, `${bytes.length} bytes encoded`);
    t.same(fromBase64Url(expected), bytes, `${bytes.length} bytes decoded`);
    t.equal(fromBase64Url(expected).length, bytes.length, 'not one byte more or less');
  }
});

t.test('base64url decoding is strict', async (t) => {
  for (const bad of ['A', 'AAAAA', 'AA=', 'AA==', 'A+B/', 'AB C', 'é', 'AA\n']) {
    t.throws(() => fromBase64Url(bad), invalid, JSON.stringify(bad));
  }
  for (const notText of [null, undefined, 42, ['AA'], new Uint8Array(2)]) {
    t.throws(() => fromBase64Url(notText as unknown as string), invalid, String(notText));
  }
  // Non-canonical trailing bits: "AB" and "AA" would both decode to [0].
  t.same(fromBase64Url('AA'), new Uint8Array([0]));
  for (const bad of ['AB', 'AP', 'AAB', 'AAC', 'AAD']) {
    t.throws(() => fromBase64Url(bad), invalid, `${bad}: trailing bits set`);
  }
  t.same(fromBase64Url('AAE'), new Uint8Array([0, 1]), 'the last used bit is data');
  t.same(fromBase64Url('AQ'), new Uint8Array([1]));
  t.same(fromBase64Url(''), new Uint8Array(0));
});

t.test('UTF-8 is encoded as the standard says and malformed bytes are refused', async (t) => {
  const text = 'Zeugin: Straße — 証言 🕊';
  t.same(utf8Encode(text), new Uint8Array(Buffer.from(text, 'utf8')));
  t.equal(utf8Decode(new Uint8Array(Buffer.from(text, 'utf8'))), text);
  for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0x80]]) {
    t.throws(() => utf8Decode(new Uint8Array(bad)), invalid, bad.join(','));
  }
});

t.test('concatBytes, u32be and isoDate', async (t) => {
  t.same(
    concatBytes(new Uint8Array([1, 2]), new Uint8Array(0), new Uint8Array([3])),
    new Uint8Array([1, 2, 3]),
  );
  t.same(concatBytes(), new Uint8Array(0));
  t.same(u32be(0x01020304), new Uint8Array([1, 2, 3, 4]));
  t.same(u32be(2 ** 32 - 1), new Uint8Array([255, 255, 255, 255]));
  t.equal(isoDate(new Date('2026-12-03T23:59:59.999Z')), '2026-12-03');
  t.equal(isoDate(new Date('2027-01-01T00:00:00Z')), '2027-01-01');
});

/** Crockford symbols of `bytes` the slow way: a string of bits cut into fives. */
function crockfordOf(bytes: Uint8Array): string {
  let bits = [...bytes].map((b) => b.toString(2).padStart(8, '0')).join('');
  if (bits.length % 5 !== 0) bits = bits.padEnd(bits.length + 5 - (bits.length % 5), '0');
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += CROCKFORD[parseInt(bits.slice(i, i + 5), 2)];
  return out;
}

t.test('Crockford base32 takes the bits in order, the last symbol zero-filled', async (t) => {
  t.equal(CROCKFORD.length, 32);
  t.notMatch(CROCKFORD, /[ILOU]/, 'no symbol a reader could mistake');
  t.equal(toCrockford(new Uint8Array(0)), '');
  t.equal(toCrockford(new Uint8Array([0xff])), 'ZW');
  t.equal(toCrockford(new Uint8Array([0, 0, 0, 0, 0])), '00000000');
  t.equal(toCrockford(new Uint8Array(5).fill(0xff)), 'ZZZZZZZZ');
  for (let n = 1; n <= 40; n++) {
    const bytes = new Uint8Array(randomBytes(n));
    t.equal(toCrockford(bytes), crockfordOf(bytes), `${n} bytes`);
  }
});

t.test('groupSymbols cuts symbols into groups joined by dashes', async (t) => {
  t.equal(groupSymbols('ABCDEFGHJ'), 'ABCD-EFGH-J');
  t.equal(groupSymbols('ABCDEFGH'), 'ABCD-EFGH');
  t.equal(groupSymbols('ABCDEF', 3), 'ABC-DEF');
  t.equal(groupSymbols('A', 5), 'A');
});
