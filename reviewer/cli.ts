#!/usr/bin/env node
// The single `sealbox` entry: parse arguments, run one command, and turn any
// error into a message and an exit code (reviewer/exit-codes.ts) here and
// nowhere else. Commands are plain async functions in reviewer/commands/.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ParseArgsConfig } from 'node:util';
import { CASE_STATUSES } from '../client-crypto/index.ts';
import { checkinEvery, reviewCheckins } from './commands/review-checkins.ts';
import { reviewReport, reviewSummary } from './commands/review-report.ts';
import { one, parseCommandLine, required } from './args.ts';
import {
  showFingerprints,
  organisationCreate,
  organisationSignKeyset,
  organisationSignPage,
} from './commands/organisation.ts';
import { reviewOpen, openOutcome } from './commands/review-open.ts';
import { reviewHandover } from './commands/review-handover.ts';
import { reviewCheckOutbox, reviewStatement } from './commands/review-statement.ts';
import { reviewStats } from './commands/review-stats.ts';
import { reviewBursts, reviewSetAside } from './commands/review-bursts.ts';
import { reviewerEpochs } from './commands/reviewer-epochs.ts';
import { reviewerCreate } from './commands/reviewer-identity.ts';
import { verifyPage } from './commands/verify-page.ts';
import { usage } from './errors.ts';
import { describeError, EXIT, exitCodeOf } from './exit-codes.ts';
import { type CommandIo, printError, processIo } from './io.ts';

const OPTIONS = {
  out: { type: 'string' },
  key: { type: 'string' },
  card: { type: 'string' },
  name: { type: 'string' },
  reviewer: { type: 'string', multiple: true },
  courier: { type: 'string', multiple: true },
  desks: { type: 'string' },
  version: { type: 'string' },
  expires: { type: 'string' },
  cases: { type: 'string' },
  keyset: { type: 'string' },
  organisation: { type: 'string' },
  signature: { type: 'string' },
  outbox: { type: 'string' },
  'text-file': { type: 'string' },
  status: { type: 'string' },
  year: { type: 'string' },
  svg: { type: 'string' },
  ahead: { type: 'string' },
  days: { type: 'string' },
  grace: { type: 'string' },
  every: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  text: { type: 'string' },
  'passphrase-file': { type: 'string' },
  passphrase: { type: 'string' },
  idle: { type: 'string' },
  day: { type: 'string' },
  level: { type: 'string' },
  factor: { type: 'string' },
  undo: { type: 'boolean' },
  'consent-recorded': { type: 'string' },
  'epoch-keys': { type: 'string' },
  'no-browser': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

type Values = ReturnType<typeof parseCommandLine<typeof OPTIONS>>['values'];

/** A whole-number option, or undefined when not given (the command checks its range). */
function count(
  values: Values,
  name: 'ahead' | 'days' | 'grace' | 'idle' | 'factor',
): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  if (!/^\d{1,6}$/.test(text)) throw usage(`--${name} must be a whole number.`);
  return Number(text);
}

/** One command: the words that name it, how it is written (for help), what it does. */
interface Command {
  words: string;
  usage: string;
  run(rest: string[], values: Values, io: CommandIo): Promise<void>;
}

/** What a signed statement needs beside its kind: its text, the key, the case folder, the outbox. */
function signedInto(values: Values) {
  return {
    textFile: values['text-file'],
    key: required(values, 'key'),
    cases: required(values, 'cases'),
    outbox: values.outbox,
    passphraseFile: values['passphrase-file'],
  };
}

function statementCommand(kind: 'status' | 'reply' | 'purge', usageText: string): Command {
  return {
    words: `review ${kind}`,
    usage: usageText,
    async run(rest, values, io) {
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
          ...signedInto(values),
        },
        io,
      );
    },
  };
}

/** The commands, by section of the help, in the order the help lists them. */
const SECTIONS: { title: string; commands: Command[] }[] = [
  {
    title: 'Organisation (on the offline computer that keeps the root key):',
    commands: [
      {
        words: 'organisation create',
        usage: 'sealbox organisation create --out ORG.key',
        run: async (_rest, values, io) => {
          await organisationCreate(
            { out: required(values, 'out'), passphraseFile: values['passphrase-file'] },
            io,
          );
        },
      },
      {
        words: 'organisation sign-keyset',
        usage: `sealbox organisation sign-keyset --key ORG.key --reviewer CARD [--reviewer CARD ...]
        [--courier CARD ...] [--desks DESKS.json] --version N --expires YYYY-MM-DD --out KEYSET.json
        DESKS.json holds the keyset's desks array (docs/protocol.md, "Desks")`,
        run: async (_rest, values, io) => {
          await organisationSignKeyset(
            {
              key: required(values, 'key'),
              reviewers: values.reviewer ?? [],
              couriers: values.courier ?? [],
              desks: values.desks,
              version: Number(required(values, 'version')),
              expires: required(values, 'expires'),
              out: required(values, 'out'),
              passphraseFile: values['passphrase-file'],
            },
            io,
          );
        },
      },
      {
        words: 'organisation sign-page',
        usage: `sealbox organisation sign-page DIR --key ORG.key
        Signs the page built into DIR (npm run build:web): checks every file against
        DIR/manifest.json and the pin, then writes DIR/page-signature.json`,
        run: async (rest, values, io) => {
          await organisationSignPage(
            {
              dir: one(rest, 'build folder'),
              key: required(values, 'key'),
              passphraseFile: values['passphrase-file'],
            },
            io,
          );
        },
      },
      {
        words: 'fingerprint',
        usage: 'sealbox fingerprint FILE...            fingerprints of cards and keysets',
        run: async (rest, _values, io) => {
          await showFingerprints(rest, io);
        },
      },
    ],
  },
  {
    title: 'Anyone (checking a page against the fingerprint the organisation published):',
    commands: [
      {
        words: 'verify-page',
        usage: `sealbox verify-page DIR|SAVED.html --organisation FINGERPRINT [--signature FILE]
        Exit 0 when the page is the one that organisation signed; otherwise every
        difference is listed (the signature defaults to page-signature.json beside it)`,
        run: async (rest, values, io) => {
          await verifyPage(
            {
              path: one(rest, 'build folder or saved page'),
              organisation: required(values, 'organisation'),
              signature: values.signature,
            },
            io,
          );
        },
      },
    ],
  },
  {
    title: 'Reviewer (on your offline computer):',
    commands: [
      {
        words: 'reviewer create',
        usage: `sealbox reviewer create --out MY.key --card MY-CARD.json [--name ROLE]
        ROLE is shown to submitters beside your replies (default "Reviewer"):
        a role such as "Reviewer 2", never your own name`,
        run: async (_rest, values, io) => {
          await reviewerCreate(
            {
              name: values.name,
              out: required(values, 'out'),
              card: required(values, 'card'),
              passphraseFile: values['passphrase-file'],
            },
            io,
          );
        },
      },
      {
        words: 'reviewer epochs',
        usage: `sealbox reviewer epochs --key MY.key --cases FOLDER [--outbox FILE] [--ahead 8]
        [--days 7] [--grace 14]
        Once a week or a month: makes your weekly keys for the next --ahead weeks,
        puts their public halves in the outbox for the courier, and erases old
        keys once their reports are all opened (see docs/reviewer-guide.md)`,
        run: async (_rest, values, io) => {
          await reviewerEpochs(
            {
              key: required(values, 'key'),
              cases: required(values, 'cases'),
              outbox: values.outbox,
              ahead: count(values, 'ahead'),
              days: count(values, 'days'),
              grace: count(values, 'grace'),
              passphraseFile: values['passphrase-file'],
            },
            io,
          );
        },
      },
    ],
  },
  {
    title: 'Review (offline):',
    commands: [
      {
        words: 'review open',
        usage: `sealbox review open BUNDLE --key MY.key --cases FOLDER [--keyset KEYSET.json]
        [--organisation FINGERPRINT]`,
        run: async (rest, values, io) => {
          const report = await reviewOpen(
            {
              bundle: one(rest, 'bundle file'),
              key: required(values, 'key'),
              cases: required(values, 'cases'),
              keyset: values.keyset,
              organisation: values.organisation,
              passphraseFile: values['passphrase-file'],
            },
            io,
          );
          const problem = openOutcome(report);
          if (problem) throw problem;
        },
      },
      statementCommand(
        'status',
        `sealbox review status CASE STATUS --key MY.key --cases FOLDER [--outbox FILE]
        STATUS is one of: ${CASE_STATUSES.join(', ')}`,
      ),
      statementCommand(
        'reply',
        `sealbox review reply CASE --key MY.key --cases FOLDER [--text-file FILE] [--status STATUS]
        [--outbox FILE]          (without --text-file, type the reply; end with Ctrl-D)`,
      ),
      {
        words: 'review checkin',
        usage: `sealbox review checkin CASE --every 14d --key MY.key --cases FOLDER [--text-file FILE]
        [--outbox FILE]   With the person's agreement: asks for a sign of life on the
        status page every N days (--every 0 stops); see "review checkins"`,
        run: async (rest, values, io) => {
          const [caseId, ...extra] = rest;
          if (caseId === undefined || extra.length > 0) {
            throw usage('Write: sealbox review checkin CASE --every 14d --key ... --cases ...');
          }
          await reviewStatement(
            {
              kind: 'reply',
              caseId,
              checkin: checkinEvery(required(values, 'every')),
              ...signedInto(values),
            },
            io,
          );
        },
      },
      {
        words: 'review handover',
        usage: `sealbox review handover CASE --to DESK --consent-recorded "HOW THE PERSON AGREED"
        --epoch-keys EPOCHS.json --out HANDOVER.json --key MY.key --cases FOLDER
        Seals the case again to another desk, for its reviewers to open with
        "review open"; nothing goes to the server`,
        run: async (rest, values, io) => {
          const [caseId, ...extra] = rest;
          if (caseId === undefined || extra.length > 0) {
            throw usage('Write: sealbox review handover CASE --to DESK --consent-recorded "…" ...');
          }
          await reviewHandover(
            {
              caseId,
              to: required(values, 'to'),
              consent: values['consent-recorded'],
              epochKeys: required(values, 'epoch-keys'),
              out: required(values, 'out'),
              key: required(values, 'key'),
              cases: required(values, 'cases'),
              passphraseFile: values['passphrase-file'],
            },
            io,
          );
        },
      },
      {
        words: 'review checkins',
        usage: `sealbox review checkins --cases FOLDER
        Lists urgent cases and check-ins (overdue first, with the last sign of life)`,
        run: async (_rest, values, io) => {
          await reviewCheckins({ cases: required(values, 'cases') }, io);
        },
      },
      statementCommand(
        'purge',
        'sealbox review purge CASE --key MY.key --cases FOLDER [--outbox FILE]',
      ),
      {
        words: 'review check-outbox',
        usage: 'sealbox review check-outbox --cases FOLDER [--outbox FILE]',
        run: async (rest, values, io) => {
          const cases = required(values, 'cases');
          await reviewCheckOutbox(
            { outbox: values.outbox ?? rest[0] ?? `${cases}/outbox.jsonl`, cases },
            io,
          );
        },
      },
      {
        words: 'review summary',
        usage: `sealbox review summary CASE --text "SUMMARY" --cases FOLDER [--name NAME]
        A short summary for public reporting; --name only where the person said "yes"`,
        run: async (rest, values, io) => {
          await reviewSummary(
            {
              caseId: one(rest, 'case'),
              text: required(values, 'text'),
              name: values.name,
              cases: required(values, 'cases'),
            },
            io,
          );
        },
      },
      {
        words: 'review report',
        usage: `sealbox review report --from YYYY-MM-DD --to YYYY-MM-DD --cases FOLDER [--out DIR]
        Draft figures and consented case list, Markdown and CSV, English and French`,
        run: async (_rest, values, io) => {
          await reviewReport(
            {
              cases: required(values, 'cases'),
              from: required(values, 'from'),
              to: required(values, 'to'),
              out: values.out,
            },
            io,
          );
        },
      },
      {
        words: 'review ui',
        usage: `sealbox review ui --cases FOLDER --key MY.key [--idle MINUTES] [--no-browser]
        The workbench: the same work with buttons, in your browser, on this
        computer only (the passphrase is forgotten after --idle minutes, 15 by default)`,
        run: async (_rest, values, io) => {
          const { reviewUi } = await import('./workbench/command.ts');
          await reviewUi(
            {
              cases: required(values, 'cases'),
              key: required(values, 'key'),
              idle: count(values, 'idle'),
              browser: values['no-browser'] !== true,
            },
            io,
          );
        },
      },
      {
        words: 'review bursts',
        usage: 'sealbox review bursts --cases FOLDER [--factor N]',
        run: async (_rest, values, io) => {
          await reviewBursts(
            { cases: required(values, 'cases'), factor: count(values, 'factor') },
            io,
          );
        },
      },
      {
        words: 'review set-aside',
        usage: 'sealbox review set-aside --day YYYY-MM-DD [--level K] [--undo] --cases FOLDER',
        run: async (_rest, values, io) => {
          await reviewSetAside(
            {
              cases: required(values, 'cases'),
              day: values.day,
              level: values.level,
              undo: values.undo,
            },
            io,
          );
        },
      },
      {
        words: 'review stats',
        usage: 'sealbox review stats --cases FOLDER [--year YYYY] [--svg FILE]',
        run: async (_rest, values, io) => {
          await reviewStats(
            { cases: required(values, 'cases'), year: values.year, svg: values.svg },
            io,
          );
        },
      },
    ],
  },
];

const COMMANDS = new Map(SECTIONS.flatMap((s) => s.commands).map((c) => [c.words, c]));

export const HELP = `sealbox — the Sealbox command line (offline except "courier")

${SECTIONS.map((s) => `${s.title}\n${s.commands.map((c) => `  ${c.usage.replaceAll('\n', '\n  ')}`).join('\n')}`).join('\n\n')}

Courier (on the online computer; see "sealbox courier help").

Passphrases are asked at the terminal without showing what you type. For
automation, use --passphrase-file FILE or the SEALBOX_PASSPHRASE variable;
never put a passphrase on the command line.
The outbox defaults to FOLDER/outbox.jsonl.
`;

/** Runs one command line; returns the exit code. Never throws. */
export async function run(argv: string[], io: CommandIo = processIo()): Promise<number> {
  try {
    if (argv[0] === 'courier') {
      // The courier commands are the only code here that touches the network:
      // loaded on demand, so that offline commands never load it.
      const { courierCommand } = await import('./courier/cli.ts');
      await courierCommand(argv.slice(1), io);
      return EXIT.ok;
    }
    const { values, positionals } = parseCommandLine(argv, OPTIONS);
    if (values.passphrase !== undefined) {
      throw usage(
        'Passphrases are never given on the command line. Use --passphrase-file, SEALBOX_PASSPHRASE, or type it when asked.',
      );
    }
    const [group = 'help', word = ''] = positionals;
    if (values.help || group === 'help') {
      io.print(HELP);
      return EXIT.ok;
    }
    // One word ("fingerprint") or two ("review open").
    const command = COMMANDS.get(group) ?? COMMANDS.get(`${group} ${word}`);
    if (!command) {
      throw usage(`Unknown command "${[group, word].filter(Boolean).join(' ')}".`);
    }
    await command.run(positionals.slice(command.words.split(' ').length), values, io);
    return EXIT.ok;
  } catch (error) {
    printError(io, describeError(error));
    return exitCodeOf(error);
  }
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
