// Small byte helpers shared by the container parsers. Every read is bounds-checked:
// the input is whatever the person picked, possibly truncated or hostile.

export class MetadataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetadataError';
  }
}

export function need(bytes: Uint8Array, end: number, what: string): void {
  if (end > bytes.length) throw new MetadataError(`truncated ${what}`);
}

export function u16be(bytes: Uint8Array, at: number): number {
  need(bytes, at + 2, 'u16');
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

export function u32be(bytes: Uint8Array, at: number): number {
  need(bytes, at + 4, 'u32');
  return (
    ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0
  );
}

export function u32le(bytes: Uint8Array, at: number): number {
  need(bytes, at + 4, 'u32');
  return (
    (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0
  );
}

export function ascii(bytes: Uint8Array, at: number, length: number): string {
  need(bytes, at + length, 'tag');
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

export function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  return prefix.every((b, i) => bytes[at + i] === b);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
