// PNG: signature, then length/type/data/CRC chunks. Text (tEXt, zTXt, iTXt), EXIF (eXIf),
// the modification time (tIME), colour profiles that name devices (iCCP) and every private
// or unknown chunk are dropped: we keep an allow-list of what rendering needs, APNG included.
// Kept chunks are copied byte for byte, so their CRCs stay valid.
import { MetadataError, ascii, concat, need, startsWith, u32be } from './bytes.ts';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

const KEEP = new Set([
  'IHDR',
  'PLTE',
  'IDAT',
  'IEND',
  'tRNS',
  'cHRM',
  'gAMA',
  'sRGB',
  'sBIT',
  'bKGD',
  'pHYs',
  'acTL',
  'fcTL',
  'fdAT',
]);

export function isPng(bytes: Uint8Array): boolean {
  return startsWith(bytes, SIGNATURE);
}

export function stripPng(bytes: Uint8Array): Uint8Array {
  if (!isPng(bytes)) throw new MetadataError('not a PNG');
  const kept: Uint8Array[] = [bytes.subarray(0, SIGNATURE.length)];
  let at: number = SIGNATURE.length;
  let first = true;
  for (;;) {
    const length = u32be(bytes, at);
    if (length > 0x7fffffff) throw new MetadataError('bad chunk length');
    const type = ascii(bytes, at + 4, 4);
    const end = at + 12 + length;
    need(bytes, end, `${type} chunk`);
    if (first && type !== 'IHDR') throw new MetadataError('IHDR must come first');
    first = false;
    if (KEEP.has(type)) kept.push(bytes.subarray(at, end));
    at = end;
    if (type === 'IEND') return concat(kept);
  }
}
