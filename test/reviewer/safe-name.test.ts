import t from 'tap';
import fc from 'fast-check';
import {
  caseIdFromName,
  caseName,
  isSafeId,
  safeFileName,
  uniqueFileName,
} from '../../reviewer/cases/safe-name.ts';

t.test('names stay inside their folder and visible', async (t) => {
  t.equal(safeFileName('../../etc/passwd'), 'passwd');
  t.equal(safeFileName('..\\..\\Windows\\system.ini'), 'system.ini');
  t.equal(safeFileName('..'), 'attachment');
  t.equal(safeFileName('.bashrc'), 'bashrc');
  t.equal(safeFileName('   '), 'attachment');
  t.equal(safeFileName('report.pdf. . '), 'report.pdf');
  t.equal(safeFileName('a\u0000b\nc.txt'), 'abc.txt');
  t.equal(safeFileName('what?<>:"|*.txt'), 'what_______.txt');
});

t.test('names cannot pose as another type or run', async (t) => {
  // "invoice\u202Efdp.exe" shows as "invoiceexe.pdf" in many file managers.
  t.equal(safeFileName('invoice\u202efdp.exe'), 'invoicefdp.exe.txt');
  t.equal(safeFileName('page.HTML'), 'page.HTML.txt');
  t.equal(safeFileName('drawing.svg'), 'drawing.svg.txt');
  t.equal(safeFileName('run.sh'), 'run.sh.txt');
  t.equal(safeFileName('photo.jpg'), 'photo.jpg');
  t.equal(safeFileName('CON'), '_CON');
  t.equal(safeFileName('lpt1.txt'), '_lpt1.txt');
  t.equal(safeFileName('شهادة.pdf'), 'شهادة.pdf');
});

t.test('long names are cut to a byte budget, keeping the extension', async (t) => {
  const name = safeFileName(`${'證'.repeat(200)}.pdf`);
  t.ok(new TextEncoder().encode(name).length <= 180);
  t.ok(name.endsWith('.pdf'));
});

t.test('no name is ever reused, case-insensitively', async (t) => {
  const taken = new Set(['report.pdf', 'Report (2).pdf']);
  t.equal(uniqueFileName('REPORT.pdf', taken), 'REPORT (3).pdf');
  t.equal(uniqueFileName('notes', new Set(['notes'])), 'notes (2)');
  t.equal(uniqueFileName('new.txt', taken), 'new.txt');
});

t.test('any input gives a plain, safe component', async (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (input) => {
      const name = safeFileName(input);
      return (
        name.length > 0 &&
        !/[/\\\u0000-\u001f]/.test(name) &&
        !name.startsWith('.') &&
        name !== '..' &&
        new TextEncoder().encode(name).length <= 180
      );
    }),
  );
  t.pass();
});

t.test('ids from a bundle must be plain', async (t) => {
  t.ok(isSafeId('abc-DEF_123'));
  t.ok(isSafeId('-starts-with-dash'), 'base64url ids may start with - or _');
  t.ok(isSafeId('_x'));
  t.equal(caseName('-abc'), 'case.-abc');
  t.equal(caseName('_abc'), '_abc');
  t.equal(caseIdFromName('case.-abc'), '-abc');
  t.equal(caseIdFromName('abc'), 'abc');
  t.notOk(isSafeId('../x'));
  t.notOk(isSafeId('.sealbox'));
  t.notOk(isSafeId('case.-abc'));
  t.notOk(isSafeId(''));
  t.notOk(isSafeId('a'.repeat(65)));
});
