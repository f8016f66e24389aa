import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { readPassphrase } from '../../reviewer/passphrase.ts';
import { tempDir } from './fixtures.ts';

// A stand-in terminal: raw mode is recorded, what is "typed" is pushed in.
function fakeTty(): {
  input: NodeJS.ReadStream;
  output: PassThrough & { text(): string };
  raw: boolean[];
} {
  const raw: boolean[] = [];
  const input = Object.assign(new PassThrough(), {
    isTTY: true,
    isRaw: false,
    setRawMode(mode: boolean) {
      raw.push(mode);
      return input;
    },
  }) as unknown as NodeJS.ReadStream;
  const chunks: string[] = [];
  const output = Object.assign(new PassThrough(), { text: () => chunks.join('') });
  output.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { input, output, raw };
}

t.test('file first, then environment; one trailing newline dropped', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'pass');
  await writeFile(file, ' spaces inside count \n');
  const env = { SEALBOX_PASSPHRASE: 'from the environment' };
  t.equal(await readPassphrase('p', { passphraseFile: file, env }), ' spaces inside count ');
  t.equal(await readPassphrase('p', { env }), 'from the environment');
  await t.rejects(readPassphrase('p', { passphraseFile: join(dir, 'none'), env }), {
    code: 'FILE_MISSING',
  });
});

t.test('no terminal and nothing given: a clear error, not a hang', async (t) => {
  const input = new PassThrough() as unknown as NodeJS.ReadStream;
  await t.rejects(readPassphrase('p', { env: {}, input }), { code: 'PASSPHRASE_MISSING' });
  await t.rejects(readPassphrase('p', { env: { SEALBOX_PASSPHRASE: 'short' } }, 'new'), {
    code: 'PASSPHRASE_WEAK',
  });
});

t.test('the prompt does not echo, handles backspace, asks twice for a new one', async (t) => {
  const tty = fakeTty();
  const asked = readPassphrase(
    'Passphrase',
    { env: {}, input: tty.input, output: tty.output },
    'new',
  );
  tty.input.write('long enough secretX\u007f\r');
  await new Promise((resolve) => setTimeout(resolve, 20));
  tty.input.write('long enough secret\n');
  t.equal(await asked, 'long enough secret');
  t.notMatch(tty.output.text(), /secret/, 'nothing typed is shown');
  t.match(tty.output.text(), /Passphrase: /);
  t.same(tty.raw, [true, false, true, false]);

  const mismatch = fakeTty();
  const differ = readPassphrase(
    'P',
    { env: {}, input: mismatch.input, output: mismatch.output },
    'new',
  );
  mismatch.input.write('long enough secret\r');
  await new Promise((resolve) => setTimeout(resolve, 20));
  mismatch.input.write('another long secret\r');
  await t.rejects(differ, { code: 'PASSPHRASE_WEAK' });

  const cancel = fakeTty();
  const cancelled = readPassphrase('P', { env: {}, input: cancel.input, output: cancel.output });
  cancel.input.write('abc\u0003');
  await t.rejects(cancelled, { code: 'PASSPHRASE_MISSING' });
});
