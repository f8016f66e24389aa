// What a command may touch of the process: where it prints, the environment
// (passphrase, key-file cost) and the terminal. Tests pass their own.
import type { KeyFileOptions } from './keys.ts';

export interface CommandIo {
  /** Lines for the person at the keyboard (stdout). */
  print(line: string): void;
  /** Progress bars and warnings go to stderr, never mixed with results. */
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
}

export function processIo(): CommandIo {
  return {
    print: (line) => process.stdout.write(`${line}\n`),
    stderr: process.stderr,
    env: process.env,
    stdin: process.stdin,
  };
}

export function keyOptions(io: CommandIo, passphraseFile?: string): KeyFileOptions {
  return { passphraseFile, env: io.env, input: io.stdin, output: io.stderr };
}
