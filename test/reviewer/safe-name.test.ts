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
  t.equal(safeFileName('../../etc/passwd'), 'passwd.bin');
  t.equal(safeFileName('..\\..\\Windows\\system.ini'), 'system.ini.bin');
  t.equal(safeFileName('..'), 'attachment.bin');
  t.equal(safeFileName('. . ...'), 'attachment.bin');
  t.equal(safeFileName('.bashrc'), 'bashrc.bin');
  t.equal(safeFileName('   '), 'attachment.bin');
  t.equal(safeFileName('report.pdf. . '), 'report.pdf');
  t.equal(safeFileName('a\u0000b\nc.txt'), 'abc.txt');
  t.equal(safeFileName('what?<>:"|*.txt'), 'what_______.txt');
});

t.test('names cannot pose as another type or run', async (t) => {
  // "invoice\u202Efdp.exe" shows as "invoiceexe.pdf" in many file managers.
  t.equal(safeFileName('invoice\u202efdp.exe'), 'invoicefdp.exe.bin');
  t.equal(safeFileName('report\u061c\u2067fdp.exe'), 'reportfdp.exe.bin');
  t.equal(safeFileName('page.HTML'), 'page.HTML.bin');
  t.equal(safeFileName('drawing.svg'), 'drawing.svg.bin');
  t.equal(safeFileName('run.sh'), 'run.sh.bin');
  t.equal(safeFileName('photo.jpg'), 'photo.jpg');
  t.equal(safeFileName('Photo.JPG'), 'Photo.JPG', 'extensions are compared without case');
  t.equal(safeFileName('invoice.pdf.exe'), 'invoice.pdf.exe.bin');
  t.equal(safeFileName('setup.exe. . .'), 'setup.exe.bin', 'Windows would drop the dots');
  t.equal(safeFileName('notes'), 'notes.bin', 'browsers sniff names without an extension');
  t.equal(safeFileName('CON'), '_CON.bin');
  t.equal(safeFileName('lpt1.txt'), '_lpt1.txt');
  t.equal(safeFileName('CONIN$'), '_CONIN$.bin');
  t.equal(safeFileName('conout$.txt'), '_conout$.txt');
  t.equal(safeFileName('nul .pdf'), '_nul .pdf');
  t.equal(safeFileName('شهادة.pdf'), 'شهادة.pdf');
});

t.test('only harmless extensions are kept; every other name ends in .bin', async (t) => {
  const kept = ['a.pdf', 'a.txt', 'a.odt', 'a.docx', 'a.xlsx', 'a.pptx', 'a.jpeg', 'a.png',
    'a.heic', 'a.mp3', 'a.m4a', 'a.mp4', 'a.mov', 'a.zip', 'a.7z', 'a.tar.gz', 'a.bin']; // prettier-ignore
  for (const name of kept) t.equal(safeFileName(name), name);
  const neutral = ['help.chm', 'addin.xll', 'shortcut.scf', 'search.library-ms', 'launch.jnlp',
    'disk.vhdx', 'legacy.xls', 'a.terminal', 'a.doc', 'a.docm', 'a.xlsm', 'a.pptm', 'a.rtf',
    'a.csv', 'a.hta', 'a.html', 'a.xhtml', 'a.mht', 'a.svg', 'a.lnk', 'a.url', 'a.desktop',
    'a.application', 'a.appref-ms', 'a.settingcontent-ms', 'a.iso', 'a.img', 'a.vhd', 'a.msix',
    'a.ps1', 'a.py', 'a.command', 'a.workflow', 'a.jar', 'a.wsf']; // prettier-ignore
  for (const name of neutral) t.equal(safeFileName(name), `${name}.bin`);
});

t.test('a long name is cut first and judged after', async (t) => {
  // Judged before the cut, these came out as "AAAA….html", ".hta", ".exe".
  for (const active of ['html', 'hta', 'exe']) {
    for (let stem = 160; stem <= 180; stem++) {
      const name = safeFileName(`${'A'.repeat(stem)}.${active}.${'b'.repeat(120)}`);
      t.ok(name.endsWith('.bin'), `${stem} + .${active}: ${name.slice(-12)}`);
      t.ok(new TextEncoder().encode(name).length <= 180);
    }
  }
  const cut = safeFileName(`${'😀'.repeat(100)}.${'x'.repeat(30)}`);
  t.ok(new TextEncoder().encode(cut).length <= 180);
  const roundTrip = new TextDecoder().decode(new TextEncoder().encode(cut));
  t.equal(roundTrip, cut, 'no code point is split');
  t.ok(cut.endsWith('.bin'));
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
        !/[.\s]$/.test(name) &&
        /\.[^.]+$/.test(name) &&
        !/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(name) &&
        !/^(con|prn|aux|nul|conin\$|conout\$|com\d|lpt\d)(\s*\..*)?$/i.test(name) &&
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

t.test('the edges the mutation run found untried', async (t) => {
  t.equal(
    safeFileName('....hidden.pdf'),
    'hidden.pdf',
    'every leading dot goes, not only the first',
  );
  t.equal(safeFileName(' . .profile'), 'profile.bin');
  for (const bare of ['pdf', 'txt', 'ZIP']) {
    t.equal(safeFileName(bare), `${bare}.bin`, `"${bare}" has no extension: browsers sniff it`);
  }
  t.equal(
    safeFileName('///', 'document'),
    'document.bin',
    'the fallback given, when nothing is left',
  );
  const reserved = safeFileName(`CON.${'a'.repeat(300)}`);
  t.ok(reserved.startsWith('_CON'), 'a reserved device name is prefixed');
  t.ok(
    new TextEncoder().encode(reserved).length <= 180,
    `still within 180 bytes: ${reserved.length}`,
  );
});
