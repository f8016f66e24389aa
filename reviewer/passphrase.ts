// Passphrases never come from argv (visible in `ps`, kept in shell history).
// Order: --passphrase-file, then SEALBOX_PASSPHRASE, then a terminal prompt
// that does not echo. The first two exist for automation and tests.
import { readFile } from 'node:fs/promises';
import { CliError } from './errors.ts';

export const PASSPHRASE_ENV = 'SEALBOX_PASSPHRASE';
export const MIN_NEW_PASSPHRASE_LENGTH = 12;

export interface PassphraseOptions {
  passphraseFile?: string | undefined;
  env?: NodeJS.ProcessEnv;
  input?: NodeJS.ReadStream;
  output?: NodeJS.WritableStream;
}

export async function readPassphrase(
  prompt: string,
  options: PassphraseOptions,
  mode: 'existing' | 'new' = 'existing',
): Promise<string> {
  const passphrase = await fromFileOrEnv(options);
  if (passphrase !== undefined) return checked(passphrase, mode);
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stderr;
  if (!input.isTTY) {
    throw new CliError(
      'PASSPHRASE_MISSING',
      `No passphrase given: there is no terminal to ask in, no --passphrase-file and no ${PASSPHRASE_ENV}.`,
    );
  }
  const first = await promptHidden(`${prompt}: `, input, output);
  if (mode === 'existing') return checked(first, mode);
  checked(first, mode);
  const again = await promptHidden('Type the same passphrase again: ', input, output);
  if (again !== first) throw new CliError('PASSPHRASE_WEAK', 'The two passphrases differ.');
  return first;
}

async function fromFileOrEnv(options: PassphraseOptions): Promise<string | undefined> {
  if (options.passphraseFile !== undefined) {
    let text: string;
    try {
      text = await readFile(options.passphraseFile, 'utf8');
    } catch {
      throw new CliError(
        'FILE_MISSING',
        `Cannot read the passphrase file ${options.passphraseFile}.`,
      );
    }
    // Only the line break that editors add at the end; inner spaces are part of it.
    return text.replace(/\r?\n$/, '');
  }
  const fromEnv = (options.env ?? process.env)[PASSPHRASE_ENV];
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}

function checked(passphrase: string, mode: 'existing' | 'new'): string {
  if (passphrase === '') throw new CliError('PASSPHRASE_MISSING', 'The passphrase is empty.');
  if (mode === 'new' && [...passphrase].length < MIN_NEW_PASSPHRASE_LENGTH) {
    throw new CliError(
      'PASSPHRASE_WEAK',
      `A new passphrase needs at least ${MIN_NEW_PASSPHRASE_LENGTH} characters; several unrelated words are best.`,
    );
  }
  return passphrase;
}

// Raw mode so that nothing typed is echoed; we handle backspace, Enter and
// Ctrl-C ourselves.
export function promptHidden(
  prompt: string,
  input: NodeJS.ReadStream,
  output: NodeJS.WritableStream,
): Promise<string> {
  return new Promise((resolve, reject) => {
    output.write(prompt);
    let typed = '';
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    const finish = (error?: Error): void => {
      input.setRawMode(wasRaw);
      input.pause();
      input.removeListener('data', onData);
      output.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: string): void => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003' || char === '\u0004') {
          return finish(new CliError('PASSPHRASE_MISSING', 'Cancelled.'));
        }
        if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('');
        else if (char >= ' ') typed += char;
      }
    };
    input.on('data', onData);
  });
}
