// Looking for a secret in stored bytes: the secret itself, and the forms a
// database or a log may give it (hex for bytea, base64 and base64url at each
// of the three byte alignments, UTF-16).
export function encodings(needle: string): Buffer[] {
  const bytes = Buffer.from(needle, 'utf8');
  const hex = bytes.toString('hex');
  const out = [
    bytes,
    Buffer.from(hex),
    Buffer.from(hex.toUpperCase()),
    Buffer.from(needle, 'utf16le'),
  ];
  for (let shift = 0; shift < 3; shift++) {
    const shifted = Buffer.concat([Buffer.alloc(shift, 0x20), bytes]);
    for (const encoding of ['base64', 'base64url'] as const) {
      // Drop the edges, which depend on the bytes around the secret.
      const text = shifted.toString(encoding);
      out.push(Buffer.from(text.slice(4, -4)));
    }
  }
  return out;
}

/** How many times a needle occurs in any of its encodings across the haystacks. */
export function occurrences(haystacks: readonly Buffer[], needle: string): number {
  let count = 0;
  for (const form of encodings(needle)) {
    for (const hay of haystacks) {
      for (let at = hay.indexOf(form); at !== -1; at = hay.indexOf(form, at + 1)) count++;
    }
  }
  return count;
}
