#!/usr/bin/env node
// The single `sealbox` entry: parse arguments, run one command, and turn any
// error into a message and an exit code (reviewer/exit-codes.ts) here and
// nowhere else. Commands are plain async functions in reviewer/commands/.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import {
  showFingerprints,
  organisationCreate,
  organisationSignKeyset,
} from './commands/organisation.ts';
import { reviewOpen, openOutcome } from './commands/review-open.ts';
import { reviewCheckOutbox, reviewStatement } from './commands/review-statement.ts';
import { reviewStats } from './commands/review-stats.ts';
import { reviewerCreate } from './commands/reviewer-identity.ts';
import { usage } from './errors.ts';
import { describeError, EXIT, exitCodeOf } from './exit-codes.ts';
import { type CommandIo, printError, processIo } from './io.ts';

export const HELP = `sealbox — the Sealbox command line (offline except "courier")

Organisation (on the offline computer that keeps the root key):
  sealbox organisation create --out ORG.key
  sealbox organisation sign-keyset --key ORG.key --reviewer CARD [--reviewer CARD ...]
          [--courier CARD ...] --version N --expires YYYY-MM-DD --out KEYSET.json
  sealbox fingerprint FILE...            fingerprints of cards and keysets

Reviewer (on your offline computer):
  sealbox reviewer create --out MY.key --card MY-CARD.json [--name ROLE]
          ROLE is shown to submitters beside your replies (default "Reviewer"):
          a role such as "Reviewer 2", never your own name

Review (offline):
  sealbox review open BUNDLE --key MY.key --cases FOLDER [--keyset KEYSET.json]
          [--organisation FINGERPRINT]
  sealbox review status CASE STATUS --key MY.key --cases FOLDER [--outbox FILE]
          STATUS is one of: received, in_review, needs_information, referred, closed
  sealbox review reply CASE --key MY.key --cases FOLDER [--text-file FILE] [--status STATUS]
          [--outbox FILE]          (without --text-file, type the reply; end with Ctrl-D)
  sealbox review purge CASE --key MY.key --cases FOLDER [--outbox FILE]
  sealbox review check-outbox --cases FOLDER [--outbox FILE]
  sealbox review stats --cases FOLDER [--year YYYY] [--svg FILE]

Courier (on the online computer; see "sealbox courier help").

Passphrases are asked at the terminal without showing what you type. For
automation, use --passphrase-file FILE or the SEALBOX_PASSPHRASE variable;
never put a passphrase on the command line.
The outbox defaults to FOLDER/outbox.jsonl.
`;

const OPTIONS = {
  out: { type: 'string' },
  key: { type: 'string' },
  card: { type: 'string' },
  name: { type: 'string' },
  reviewer: { type: 'string', multiple: true },
  courier: { type: 'string', multiple: true },
  version: { type: 'string' },
  expires: { type: 'string' },
  cases: { type: 'string' },
  keyset: { type: 'string' },
  organisation: { type: 'string' },
  outbox: { type: 'string' },
  'text-file': { type: 'string' },
  status: { type: 'string' },
  year: { type: 'string' },
  svg: { type: 'string' },
  'passphrase-file': { type: 'string' },
  passphrase: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

type Values = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>
>['values'];

function required(
  values: Values,
  name: 'out' | 'key' | 'card' | 'name' | 'cases' | 'version' | 'expires',
): string {
  const value = values[name];
  if (value === undefined || value === '') throw usage(`--${name} is needed.`);
  return value;
}

function one(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw usage(`Give exactly one ${what}.`);
  return positionals[0]!;
}

async function dispatch(
  group: string,
  command: string,
  rest: string[],
  values: Values,
  io: CommandIo,
): Promise<void> {
  const passphraseFile = values['passphrase-file'];
  switch (`${group} ${command}`) {
    case 'organisation create':
      await organisationCreate({ out: required(values, 'out'), passphraseFile }, io);
      return;
    case 'organisation sign-keyset':
      await organisationSignKeyset(
        {
          key: required(values, 'key'),
          reviewers: values.reviewer ?? [],
          couriers: values.courier ?? [],
          version: Number(required(values, 'version')),
          expires: required(values, 'expires'),
          out: required(values, 'out'),
          passphraseFile,
        },
        io,
      );
      return;
    case 'organisation fingerprints':
      await showFingerprints(rest, io);
      return;
    case 'reviewer create':
      await reviewerCreate(
        {
          name: values.name,
          out: required(values, 'out'),
          card: required(values, 'card'),
          passphraseFile,
        },
        io,
      );
      return;
    case 'review open': {
      const report = await reviewOpen(
        {
          bundle: one(rest, 'bundle file'),
          key: required(values, 'key'),
          cases: required(values, 'cases'),
          keyset: values.keyset,
          organisation: values.organisation,
          passphraseFile,
        },
        io,
      );
      const problem = openOutcome(report);
      if (problem) throw problem;
      return;
    }
    case 'review status':
    case 'review reply':
    case 'review purge': {
      const kind = command as 'status' | 'reply' | 'purge';
      const [caseId, status, ...extra] = rest;
      if (caseId === undefined || extra.length > 0 || (kind !== 'status' && status !== undefined)) {
        throw usage(
          `Write: sealbox review ${kind} CASE${kind === 'status' ? ' STATUS' : ''} --key ... --cases ...`,
        );
      }
      await reviewStatement(
        {
          kind,
          caseId,
          status: kind === 'status' ? status : values.status,
          textFile: values['text-file'],
          key: required(values, 'key'),
          cases: required(values, 'cases'),
          outbox: values.outbox,
          passphraseFile,
        },
        io,
      );
      return;
    }
    case 'review check-outbox': {
      const cases = required(values, 'cases');
      await reviewCheckOutbox(
        { outbox: values.outbox ?? rest[0] ?? `${cases}/outbox.jsonl`, cases },
        io,
      );
      return;
    }
    case 'review stats':
      await reviewStats(
        { cases: required(values, 'cases'), year: values.year, svg: values.svg },
        io,
      );
      return;
    default:
      throw usage(`Unknown command "${[group, command].filter(Boolean).join(' ')}".`);
  }
}

/** Runs one command line; returns the exit code. Never throws. */
export async function run(argv: string[], io: CommandIo = processIo()): Promise<number> {
  try {
    const [group = 'help', ...afterGroup] = argv;
    if (group === 'courier') return await runCourier(afterGroup, io);
    const { values, positionals } = parseArgs({
      args: argv,
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    if (values.passphrase !== undefined) {
      throw usage(
        'Passphrases are never given on the command line. Use --passphrase-file, SEALBOX_PASSPHRASE, or type it when asked.',
      );
    }
    const [g = 'help', command = '', ...rest] = positionals;
    if (values.help || g === 'help' || g === '--help') {
      io.print(HELP);
      return EXIT.ok;
    }
    if (g === 'fingerprint') {
      await showFingerprints(positionals.slice(1), io);
      return EXIT.ok;
    }
    await dispatch(g, command, rest, values, io);
    return EXIT.ok;
  } catch (error) {
    const problem = isParseError(error) ? usage(error.message) : error;
    printError(io, describeError(problem));
    return exitCodeOf(problem);
  }
}

function isParseError(error: unknown): error is Error {
  return (
    error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')
  );
}

// The courier commands live in reviewer/courier/ (the only code here that
// touches the network); loaded on demand so that offline commands never load it.
async function runCourier(argv: string[], io: CommandIo): Promise<number> {
  const { runCourier: courier } = await import('./courier/cli.ts');
  await courier(argv, io);
  return EXIT.ok;
}

function isEntry(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  process.exitCode = await run(process.argv.slice(2));
}
