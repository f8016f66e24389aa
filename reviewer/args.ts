// Argument helpers shared by the `sealbox` command line and its courier half:
// one way to parse, to demand an option and to take one file name.
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { usage } from './errors.ts';

/** parseArgs with our options, strict; a malformed command line is a usage error. */
export function parseCommandLine<O extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: O,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw usage(error instanceof Error ? error.message : String(error));
  }
}

/** The value of `--name`, which the command cannot do without. */
export function required<K extends string>(values: { [key in K]?: unknown }, name: K): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw usage(`--${name} is needed.`);
  return value;
}

/** The one file name (or other word) a command takes after its name. */
export function one(positionals: readonly string[], what: string): string {
  if (positionals.length !== 1) throw usage(`Give exactly one ${what}.`);
  return positionals[0]!;
}
