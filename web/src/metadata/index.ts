// Removes identifying metadata from images before they are sealed. The format is
// recognised from the bytes, never from the file name or the declared type.
import { isJpeg, stripJpeg } from './jpeg.ts';
import { isPng, stripPng } from './png.ts';
import { isWebp, stripWebp } from './webp.ts';

export type ImageFormat = 'jpeg' | 'png' | 'webp';

export type CleanResult =
  | { outcome: 'cleaned'; format: ImageFormat; bytes: Uint8Array; removed: number }
  | { outcome: 'not-an-image' }
  | { outcome: 'failed'; format: ImageFormat; reason: string };

export function detectImage(bytes: Uint8Array): ImageFormat | undefined {
  if (isJpeg(bytes)) return 'jpeg';
  if (isPng(bytes)) return 'png';
  if (isWebp(bytes)) return 'webp';
  return undefined;
}

const STRIP: Record<ImageFormat, (bytes: Uint8Array) => Uint8Array> = {
  jpeg: stripJpeg,
  png: stripPng,
  webp: stripWebp,
};

export function cleanImage(bytes: Uint8Array): CleanResult {
  const format = detectImage(bytes);
  if (!format) return { outcome: 'not-an-image' };
  try {
    const cleaned = STRIP[format](bytes);
    return { outcome: 'cleaned', format, bytes: cleaned, removed: bytes.length - cleaned.length };
  } catch (error) {
    return {
      outcome: 'failed',
      format,
      reason: error instanceof Error ? error.message : 'unknown',
    };
  }
}

/** Only the first bytes are needed to recognise a format worth reading whole. */
export const SNIFF_BYTES = 16;
