// Text from a bundle (answers, names, error messages that quote them) is
// written by a stranger. On a terminal, an escape sequence in it could retitle
// the window, clear the screen, move the cursor over earlier lines or, on some
// terminals, write to the clipboard; a newline or a bidi override could forge a
// line such as "All items verified OK". Everything the tool prints passes
// through here: each submitter field as one line, and every line as a whole.

// Escape sequences, removed whole so that no parameter bytes are left behind:
// CSI (ESC [ or U+009B), OSC/DCS/SOS/PM/APC strings up to BEL or ST (or up to
// the next control character, so that an unterminated one cannot swallow the
// lines after it), and the two-byte forms.
const ESCAPE_SEQUENCE = new RegExp(
  [
    '(?:\\u001b\\[|\\u009b)[\\u0030-\\u003f]*[\\u0020-\\u002f]*[\\u0040-\\u007e]?',
    '(?:\\u001b[\\]PX^_]|[\\u0090\\u0098\\u009d-\\u009f])[^\\u0000-\\u001f\\u007f-\\u009f]*(?:\\u0007|\\u001b\\\\|\\u009c)?',
    '\\u001b[\\u0020-\\u002f]*[\\u0030-\\u007e]?',
  ].join('|'),
  'g',
);

// C0 except tab and newline, DEL, C1; bidi marks, embeddings, overrides and
// isolates; zero-width characters and the BOM; lone surrogates.
const CONTROL =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

// What ends or splits a line: a single field must stay on its line.
const LINE_BREAK = /\r\n|[\n\t\u2028\u2029\u0085\u000b\u000c\r]/g;

/** One field from a submitter, on one line, with nothing a terminal would act on. */
export function terminalField(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(LINE_BREAK, ' ').replace(CONTROL, '');
}

/** Lines of output: newlines stay, everything else a terminal would act on goes. */
export function terminalLines(text: string): string {
  return text
    .replace(ESCAPE_SEQUENCE, '')
    .replace(/\r\n?|[\u2028\u2029\u0085]/g, '\n')
    .replace(CONTROL, '');
}
