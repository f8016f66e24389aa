// The receipt: the submitter's only secret. 26 random Crockford symbols
// (130 bits) and 2 check symbols, written in groups of four:
//   XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXCC
// Check: read all 28 symbols as one base-32 number M; the check symbols are
// chosen so that M ≡ 0 (mod 1021). 1021 is prime and larger than 31·32, so a
// change of one symbol (M moves by d·32^k, 0 < |d| < 32) and a swap of two
// neighbours (M moves by (a−b)·31·32^k) can never keep M ≡ 0.
import { CROCKFORD, concatBytes, groupSymbols, utf8Encode } from './encoding.ts';
import { SealboxError } from './errors.ts';
import { getSodium } from './sodium.ts';

export const RECEIPT_DATA_SYMBOLS = 26;
const CHECK_MODULUS = 1021n;
const RECEIPT_LABEL = utf8Encode('sealbox/v1/receipt');
/** crypto_kdf contexts (8 bytes each) and subkey ids. */
export const KDF_CONTEXT_LOOKUP = 'sbLookup';
export const KDF_CONTEXT_REPLY = 'sbReplyK';
export const KDF_CONTEXT_AUTHOR = 'sbAuthor';

function valueOf(symbols: string): bigint {
  let n = 0n;
  for (const c of symbols) n = n * 32n + BigInt(CROCKFORD.indexOf(c));
  return n;
}

function checkSymbols(data: string): string {
  const c = Number((CHECK_MODULUS - ((valueOf(data) * 1024n) % CHECK_MODULUS)) % CHECK_MODULUS);
  return CROCKFORD[c >> 5]! + CROCKFORD[c & 31]!;
}

export async function generateReceipt(): Promise<string> {
  const sodium = await getSodium();
  let data = '';
  for (let i = 0; i < RECEIPT_DATA_SYMBOLS; i++) data += CROCKFORD[sodium.randombytes_uniform(32)]!;
  return groupSymbols(data + checkSymbols(data));
}

/** What a reader drops as it reads a receipt: white space, hyphens and dashes, `_` and `.`. */
const SEPARATORS =
  /[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\-\u2010-\u2014_.]/g;
/** Longest text read as a receipt, in UTF-16 code units. */
export const RECEIPT_MAX_INPUT = 200;

/**
 * Reads a receipt as a person typed it: any case, any spaces or dashes, and
 * O/I/L read as 0/1/1. Returns the canonical grouped form. Only ASCII letters
 * are upper-cased: a full Unicode mapping would read "ß" as "SS".
 */
export function parseReceipt(text: string): string {
  if (typeof text !== 'string' || text.length > RECEIPT_MAX_INPUT) {
    throw new SealboxError('RECEIPT_FORMAT', 'a receipt has 28 letters and digits');
  }
  const symbols = text
    .replace(/[a-z]/g, (c) => c.toUpperCase())
    .replace(SEPARATORS, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (symbols.length !== RECEIPT_DATA_SYMBOLS + 2) {
    throw new SealboxError('RECEIPT_FORMAT', 'a receipt has 28 letters and digits');
  }
  for (const c of symbols) {
    if (!CROCKFORD.includes(c)) {
      throw new SealboxError('RECEIPT_FORMAT', `a receipt cannot contain "${c}"`);
    }
  }
  const data = symbols.slice(0, RECEIPT_DATA_SYMBOLS);
  if (checkSymbols(data) !== symbols.slice(RECEIPT_DATA_SYMBOLS)) {
    throw new SealboxError('RECEIPT_CHECKSUM', 'this receipt has a typo: check each character');
  }
  return groupSymbols(symbols);
}

export interface ReceiptKeys {
  lookupToken: Uint8Array;
  replyKeyPair: { publicKey: Uint8Array; secretKey: Uint8Array };
  /** Signs every document of the case; only reviewers ever see its public half. */
  authorKeyPair: { publicKey: Uint8Array; secretKey: Uint8Array };
}

/**
 * master = BLAKE2b-256("sealbox/v1/receipt" || the 26 data symbols in ASCII);
 * lookup token = KDF(master, 1, "sbLookup"); reply seed = KDF(master, 1, "sbReplyK");
 * reply key pair = X-Wing SeedKeyPair(reply seed); author seed = KDF(master, 1,
 * "sbAuthor"); author key pair = Ed25519 SeedKeyPair(author seed).
 */
export async function deriveReceiptKeys(receipt: string): Promise<ReceiptKeys> {
  const sodium = await getSodium();
  const data = parseReceipt(receipt).replace(/-/g, '').slice(0, RECEIPT_DATA_SYMBOLS);
  const master = sodium.crypto_generichash(32, concatBytes(RECEIPT_LABEL, utf8Encode(data)), null);
  const lookupToken = sodium.crypto_kdf_derive_from_key(32, 1, KDF_CONTEXT_LOOKUP, master);
  const replySeed = sodium.crypto_kdf_derive_from_key(32, 1, KDF_CONTEXT_REPLY, master);
  const authorSeed = sodium.crypto_kdf_derive_from_key(32, 1, KDF_CONTEXT_AUTHOR, master);
  const reply = sodium.crypto_kem_xwing_seed_keypair(replySeed);
  const author = sodium.crypto_sign_seed_keypair(authorSeed);
  sodium.memzero(master);
  sodium.memzero(replySeed);
  sodium.memzero(authorSeed);
  return {
    lookupToken,
    replyKeyPair: { publicKey: reply.publicKey, secretKey: reply.privateKey },
    authorKeyPair: { publicKey: author.publicKey, secretKey: author.privateKey },
  };
}
