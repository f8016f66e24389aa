// Everything the watcher prints that came from the server (a header, a name
// from its manifest, an attribute of its page) is hostile text: it passes
// through here, on one line, without terminal escapes, cut short.
import { terminalField } from '../../terminal-text.ts';

const MAX = 100;

/** Server text, quoted, on one line, at most about 100 characters. */
export function shown(text: string, max = MAX): string {
  const clean = terminalField(text);
  return `"${clean.length > max ? `${clean.slice(0, max)}…` : clean}"`;
}
