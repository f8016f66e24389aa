import { z } from 'zod';
import { fromBase64Url } from '../../client-crypto/index.ts';
import { ApiError } from '../errors.ts';

export const base64url = (maxChars: number) =>
  z
    .string()
    .max(maxChars)
    .regex(/^[A-Za-z0-9_-]*$/, 'base64url without padding');

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      minimumLevel: z
        .number()
        .int()
        .optional()
        .meta({ description: 'EFFORT_TOO_LOW: the lowest effort level taken now' }),
    }),
  })
  .meta({ id: 'Error' });

export const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const lookupTokenSchema = base64url(43).meta({
  description: 'the 32-byte lookup token derived from the receipt, base64url',
});

/** Decodes a base64url field; a malformed value is a 400 that names the field. */
export function decodeField(name: string, value: string, length?: number): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(value);
  } catch {
    throw new ApiError(400, 'ENCODING_INVALID', `${name} is not valid base64url`);
  }
  if (length !== undefined && bytes.length !== length) {
    throw new ApiError(400, 'ENCODING_INVALID', `${name} must be ${length} bytes`);
  }
  return bytes;
}
