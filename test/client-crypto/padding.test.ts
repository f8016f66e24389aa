// Padmé: never shorter, overhead bounded, few distinct lengths; bad lengths refused.
import t from 'tap';
import {
  attachmentPaddedLength,
  documentPaddedLength,
  padme,
} from '../../client-crypto/padding.ts';

t.test('padme rounds up within its bound and leaves few lengths', async (t) => {
  t.equal(padme(0), 0);
  t.equal(padme(1), 1);
  t.equal(padme(2), 2);
  for (const n of [3, 255, 256, 257, 4095, 65_536, 65_537, 1_000_000, 2 ** 32 + 7]) {
    const p = padme(n);
    t.ok(p >= n, `${n} is not shortened`);
    const e = Math.floor(Math.log2(n));
    const s = Math.floor(Math.log2(e)) + 1;
    t.ok(p - n < 2 ** (e - s), `${n}: overhead below 2^(E-S)`);
    t.equal(padme(p), p, `${n}: a padded length pads to itself`);
  }
  const lengths = new Set<number>();
  for (let n = 100_000; n < 110_000; n++) lengths.add(padme(n));
  // Around 100 kB the step is 2^(16-5) = 2048 bytes: at most six padded lengths.
  t.ok(lengths.size <= 6, `10,000 lengths give ${lengths.size} padded lengths`);
});

t.test('bad lengths are refused', async (t) => {
  for (const bad of [-1, 1.5, Number.NaN, Infinity, 2 ** 53])
    t.throws(() => padme(bad), RangeError, String(bad));
});

t.test('documents and attachments have a 4 KiB floor', async (t) => {
  t.equal(documentPaddedLength(0), 4096);
  t.equal(documentPaddedLength(4095), 4096, 'the marker byte still fits');
  t.ok(documentPaddedLength(4096) > 4096, 'no room for the marker byte: the next length');
  t.equal(attachmentPaddedLength(0), 4096);
  t.equal(attachmentPaddedLength(4096), 4096);
  t.equal(attachmentPaddedLength(4097), padme(4097));
});
