// What a submitter wrote reaches the terminal as plain text: no escape
// sequence, no control character, no bidi override, no line of its own.
import t from 'tap';
import fc from 'fast-check';
import { terminalField, terminalLines } from '../../reviewer/terminal-text.ts';

const ACTIVE =
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

t.test('escape sequences go whole', async (t) => {
  t.equal(terminalField('a\u001b]0;owned\u0007b'), 'ab', 'window title (OSC, BEL)');
  t.equal(terminalField('a\u001b]52;c;ZGF0YQ==\u001b\\b'), 'ab', 'clipboard (OSC 52, ST)');
  t.equal(terminalField('x\u001b[2J\u001b[Hy'), 'xy', 'clear screen, cursor home');
  t.equal(terminalField('x\u009b31my'), 'xy', 'C1 CSI');
  t.equal(terminalField('x\u001bcy'), 'xy', 'reset');
  t.equal(
    terminalField('x\u001b]0;title\nnext'),
    'x next',
    'an unterminated string ends at the line',
  );
});

t.test('a field stays on its line, marks and overrides go', async (t) => {
  t.equal(terminalField('ok\nAll items verified OK'), 'ok All items verified OK');
  t.equal(terminalField('a\r\nb\u2028c\u2029d\u0085e\tf'), 'a b c d e f');
  t.equal(terminalField('in\u202eexe.pdf\u202c \u2066x\u2069 \u061cy \u200ez'), 'inexe.pdf x y z');
  t.equal(terminalField('\u0000\u0007\u0008\u007f'), '');
  t.equal(terminalField('شهادة 證據 😀'), 'شهادة 證據 😀', 'ordinary text is untouched');
});

t.test('lines keep their newlines and lose the rest', async (t) => {
  t.equal(terminalLines('one\r\ntwo\u001b[2J\nthree\tfour'), 'one\ntwo\nthree\tfour');
});

t.test('nothing a terminal acts on survives, whatever the input', async (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (input) => {
      const field = terminalField(input);
      const lines = terminalLines(input);
      return !ACTIVE.test(field) && !ACTIVE.test(lines.replace(/\n/g, ''));
    }),
  );
  t.pass();
});
