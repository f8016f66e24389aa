// WebP: a RIFF container of chunks. EXIF, XMP and ICC profiles are chunks of their own
// (and unknown chunks may carry anything), announced by flags in the VP8X header; we drop
// the chunks, clear the flags and rewrite the RIFF size. Animation frames (ANMF) hold
// sub-chunks of their own, filtered the same way.
import { MetadataError, ascii, concat, need, startsWith, u32le } from './bytes.ts';

const KEEP_TOP = new Set(['VP8X', 'VP8 ', 'VP8L', 'ALPH', 'ANIM', 'ANMF']);
const KEEP_IN_FRAME = new Set(['ALPH', 'VP8 ', 'VP8L']);
// VP8X flag bits (RFC 9649 §2.7): ICC profile, EXIF, XMP.
const FLAG_ICC = 0x20;
const FLAG_EXIF = 0x08;
const FLAG_XMP = 0x04;
const ANMF_HEADER = 16;

export function isWebp(bytes: Uint8Array): boolean {
  return (
    startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)
  );
}

function chunk(fourcc: string, payload: Uint8Array): Uint8Array {
  const padded = payload.length + (payload.length & 1);
  const out = new Uint8Array(8 + padded);
  for (let i = 0; i < 4; i++) out[i] = fourcc.charCodeAt(i);
  new DataView(out.buffer).setUint32(4, payload.length, true);
  out.set(payload, 8);
  return out;
}

function filterChunks(
  bytes: Uint8Array,
  keep: ReadonlySet<string>,
  rewrite: (fourcc: string, payload: Uint8Array) => Uint8Array,
): Uint8Array[] {
  const kept: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const fourcc = ascii(bytes, at, 4);
    const size = u32le(bytes, at + 4);
    const end = at + 8 + size;
    need(bytes, end, `${fourcc} chunk`);
    if (keep.has(fourcc)) kept.push(chunk(fourcc, rewrite(fourcc, bytes.subarray(at + 8, end))));
    at = end + (size & 1);
  }
  return kept;
}

function rewriteTop(fourcc: string, payload: Uint8Array): Uint8Array {
  if (fourcc === 'VP8X') {
    need(payload, 10, 'VP8X header');
    const copy = payload.slice();
    copy[0] = copy[0]! & ~(FLAG_ICC | FLAG_EXIF | FLAG_XMP);
    return copy;
  }
  if (fourcc === 'ANMF') {
    need(payload, ANMF_HEADER, 'ANMF header');
    const frames = filterChunks(payload.subarray(ANMF_HEADER), KEEP_IN_FRAME, (_f, p) => p);
    return concat([payload.subarray(0, ANMF_HEADER), ...frames]);
  }
  return payload;
}

export function stripWebp(bytes: Uint8Array): Uint8Array {
  if (!isWebp(bytes)) throw new MetadataError('not a WebP');
  const riffSize = u32le(bytes, 4);
  need(bytes, 8 + riffSize, 'RIFF body');
  const chunks = filterChunks(bytes.subarray(12, 8 + riffSize), KEEP_TOP, rewriteTop);
  if (!chunks.some((c) => ['VP8 ', 'VP8L', 'ANMF'].includes(ascii(c, 0, 4)))) {
    throw new MetadataError('no image data');
  }
  const body = concat(chunks);
  const header = new Uint8Array(12);
  header.set([0x52, 0x49, 0x46, 0x46]);
  new DataView(header.buffer).setUint32(4, 4 + body.length, true);
  header.set([0x57, 0x45, 0x42, 0x50], 8);
  return concat([header, body]);
}
