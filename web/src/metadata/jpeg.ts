// JPEG: a sequence of marker segments. Metadata lives in APPn segments (EXIF and XMP
// in APP1, ICC in APP2, Photoshop/IPTC in APP13, …) and COM. We keep only what decoding
// needs: JFIF (APP0) and Adobe (APP14, which tells decoders the colour transform).
// Everything after EOI is dropped too: phones append thumbnails and vendor trailers there.
import { MetadataError, ascii, concat, need, startsWith, u16be } from './bytes.ts';

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const COM = 0xfe;

export function isJpeg(bytes: Uint8Array): boolean {
  return startsWith(bytes, [0xff, SOI, 0xff]);
}

function keepAppSegment(marker: number, payload: Uint8Array): boolean {
  if (marker === 0xe0) {
    return (
      startsWith(payload, [0x4a, 0x46, 0x49, 0x46, 0]) ||
      startsWith(payload, [0x4a, 0x46, 0x58, 0x58, 0])
    );
  }
  if (marker === 0xee) return payload.length >= 5 && ascii(payload, 0, 5) === 'Adobe';
  return false;
}

/** End of entropy-coded data: the first marker that is not stuffing (FF00) or a restart (FFD0–D7). */
function scanEnd(bytes: Uint8Array, from: number): number {
  for (let i = from; i + 1 < bytes.length; i++) {
    if (bytes[i] !== 0xff) continue;
    const next = bytes[i + 1]!;
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7) || next === 0xff) continue;
    return i;
  }
  throw new MetadataError('truncated scan data');
}

export function stripJpeg(bytes: Uint8Array): Uint8Array {
  if (!isJpeg(bytes)) throw new MetadataError('not a JPEG');
  const kept: Uint8Array[] = [bytes.subarray(0, 2)];
  let at = 2;
  for (;;) {
    need(bytes, at + 2, 'marker');
    if (bytes[at] !== 0xff) throw new MetadataError('expected a marker');
    while (bytes[at + 1] === 0xff) at++; // fill bytes before a marker
    need(bytes, at + 2, 'marker');
    const marker = bytes[at + 1]!;
    if (marker === EOI) {
      kept.push(bytes.subarray(at, at + 2));
      return concat(kept);
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      kept.push(bytes.subarray(at, at + 2));
      at += 2;
      continue;
    }
    if (marker === SOI || marker === 0x00) throw new MetadataError('unexpected marker');
    const length = u16be(bytes, at + 2);
    if (length < 2) throw new MetadataError('bad segment length');
    const end = at + 2 + length;
    need(bytes, end, 'segment');
    const isApp = marker >= 0xe0 && marker <= 0xef;
    const drop = marker === COM || (isApp && !keepAppSegment(marker, bytes.subarray(at + 4, end)));
    if (!drop) kept.push(bytes.subarray(at, end));
    at = end;
    if (marker === SOS) {
      const scanStop = scanEnd(bytes, at);
      kept.push(bytes.subarray(at, scanStop));
      at = scanStop;
    }
  }
}
