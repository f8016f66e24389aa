// What a command may touch of the process: where it prints, the environment
// (passphrase, key-file cost) and the terminal. Tests pass their own.
import type { KeyFileOptions } from './keys.ts';
import { terminalLines } from './terminal-text.ts';

export interface CommandIo {
  /** Lines for the person at the keyboard (stdout). */
  print(line: string): void;
  /** Progress bars and warnings go to stderr, never mixed with results. */
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
}

// `sealbox review stats | head` closes the pipe early: the reader has all it
// wants, so what is left to print is dropped and the command finishes its
// work (a half-written case folder would be worse than unread output). Any
// other write error is a real fault and is raised as before.
const closed = new WeakSet<NodeJS.WritableStream>();
const watched = new WeakSet<NodeJS.WritableStream>();

function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  if (watched.has(stream)) return;
  watched.add(stream);
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    closed.add(stream);
  });
}

export function processIo(): CommandIo {
  quietOnClosedPipe(process.stdout);
  quietOnClosedPipe(process.stderr);
  return {
    // Every line passes the terminal filter, whatever a command put in it.
    print: (line) => {
      if (!closed.has(process.stdout)) process.stdout.write(`${terminalLines(line)}\n`);
    },
    stderr: process.stderr,
    env: process.env,
    stdin: process.stdin,
  };
}

/** Writes a message for the person at the keyboard on stderr, through the terminal filter. */
export function printError(io: CommandIo, text: string): void {
  if (!closed.has(io.stderr)) io.stderr.write(`${terminalLines(text)}\n`);
}

export function keyOptions(io: CommandIo, passphraseFile?: string): KeyFileOptions {
  return { passphraseFile, env: io.env, input: io.stdin, output: io.stderr };
}
