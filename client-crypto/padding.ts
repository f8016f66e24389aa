// Padmé (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and
// Communication with PURBs", PETS 2019): a length L is rounded up so that only
// O(log log L) bits of it remain. With E = floor(log2 L) and S = floor(log2 E) + 1,
// the overhead stays below 2^-S: 6.25% from 256 B to 64 KiB, 3.125% up to 4 GiB.

/** The Padmé length for `length` (≥ length; equal below 2). */
export function padme(length: number): number {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError('length out of range');
  if (length < 2) return length;
  const e = Math.floor(Math.log2(length));
  const s = Math.floor(Math.log2(e)) + 1;
  const step = 2 ** (e - s);
  return Math.ceil(length / step) * step;
}

/**
 * The padded size of a sealed document: Padmé over (length + 1) for the
 * ISO/IEC 7816-4 marker byte, and never below a floor so that short
 * testimonies all look alike.
 */
export const DOCUMENT_PADDED_MIN = 4096;

export function documentPaddedLength(length: number): number {
  return Math.max(DOCUMENT_PADDED_MIN, padme(length + 1));
}

/** Attachments: Padmé over the size, floored at one 4 KiB page. */
export const ATTACHMENT_PADDED_MIN = 4096;

export function attachmentPaddedLength(size: number): number {
  return Math.max(ATTACHMENT_PADDED_MIN, padme(size));
}
