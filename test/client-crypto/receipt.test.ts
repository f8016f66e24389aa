import t from 'tap';
import {
  deriveReceiptKeys,
  generateReceipt,
  isSealboxError,
  parseReceipt,
} from '../../client-crypto/index.ts';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return isSealboxError(e) ? e.code : 'OTHER';
  }
}

t.test('a receipt is 28 symbols in 7 groups and parses back to itself', async (t) => {
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const r = await generateReceipt();
    t.match(r, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){6}$/);
    t.equal(parseReceipt(r), r);
    seen.add(r);
  }
  t.equal(seen.size, 50, 'receipts do not repeat');
});

t.test('people may type it loosely', async (t) => {
  const r = await generateReceipt();
  const loose = ` ${r.toLowerCase().replace(/-/g, ' ')} `;
  t.equal(parseReceipt(loose), r);
  const withLookalikes = r.replace(/0/g, 'o').replace(/1/g, 'l');
  t.equal(parseReceipt(withLookalikes), r);
});

t.test('every single-symbol typo is caught', async (t) => {
  for (let round = 0; round < 3; round++) {
    const symbols = (await generateReceipt()).replace(/-/g, '');
    let caught = 0;
    let total = 0;
    for (let i = 0; i < symbols.length; i++) {
      for (const c of ALPHABET) {
        if (c === symbols[i]) continue;
        total++;
        const typo = symbols.slice(0, i) + c + symbols.slice(i + 1);
        if (code(() => parseReceipt(typo)) === 'RECEIPT_CHECKSUM') caught++;
      }
    }
    t.equal(caught, total, `all ${total} substitutions rejected`);
  }
});

t.test('every swap of two neighbours is caught', async (t) => {
  for (let round = 0; round < 20; round++) {
    const symbols = (await generateReceipt()).replace(/-/g, '');
    for (let i = 0; i + 1 < symbols.length; i++) {
      if (symbols[i] === symbols[i + 1]) continue;
      const swapped = symbols.slice(0, i) + symbols[i + 1] + symbols[i] + symbols.slice(i + 2);
      t.equal(
        code(() => parseReceipt(swapped)),
        'RECEIPT_CHECKSUM',
        `swap at ${i}`,
      );
    }
  }
});

t.test('malformed receipts get a format error, not a checksum error', async (t) => {
  const r = await generateReceipt();
  t.equal(
    code(() => parseReceipt(r.slice(0, -1))),
    'RECEIPT_FORMAT',
  );
  t.equal(
    code(() => parseReceipt(r + 'A')),
    'RECEIPT_FORMAT',
  );
  t.equal(
    code(() => parseReceipt(r.replace(/^./, 'U'))),
    'RECEIPT_FORMAT',
  );
  t.equal(
    code(() => parseReceipt('')),
    'RECEIPT_FORMAT',
  );
  t.equal(
    code(() => parseReceipt('x'.repeat(10_000))),
    'RECEIPT_FORMAT',
  );
  t.equal(
    code(() => parseReceipt(42 as unknown as string)),
    'RECEIPT_FORMAT',
  );
});

t.test('the lookup token and reply key are deterministic, distinct and independent', async (t) => {
  const r = await generateReceipt();
  const a = await deriveReceiptKeys(r);
  const b = await deriveReceiptKeys(r.toLowerCase());
  t.same(a.lookupToken, b.lookupToken);
  t.same(a.replyKeyPair.publicKey, b.replyKeyPair.publicKey);
  t.equal(a.lookupToken.length, 32);
  t.equal(a.replyKeyPair.publicKey.length, 1216);
  t.notSame(a.lookupToken, a.replyKeyPair.secretKey, 'separate KDF contexts');
  const other = await deriveReceiptKeys(await generateReceipt());
  t.notSame(a.lookupToken, other.lookupToken);
});
