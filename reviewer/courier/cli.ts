// `sealbox courier …`: argument parsing for the courier commands. Errors are
// thrown to reviewer/cli.ts, which turns them into a message and an exit code.
import type { ParseArgsConfig } from 'node:util';
import { one, parseCommandLine, required } from '../args.ts';
import { usage } from '../errors.ts';
import type { CommandIo } from '../io.ts';
import { courierEpochs, courierKeygen, courierPublishKeyset, courierPush } from './commands.ts';
import { courierPull } from './pull.ts';
import { courierWatchPage, DEFAULT_TIMEOUT_SECONDS } from './watch-page.ts';

export const COURIER_HELP = `sealbox courier — the online half (the only commands that use the network)

  sealbox courier keygen --name NAME --out COURIER.key --card COURIER-CARD.json
        Make this computer's courier key. Give the card to the organisation,
        which puts it in the keyset.
  sealbox courier publish-keyset KEYSET.json --server URL --key COURIER.key
        Send a keyset signed by the organisation to the server.
  sealbox courier pull --server URL --key COURIER.key --out BUNDLE [--after CURSOR]
        Download everything new into BUNDLE. If it stops, run it again: it
        continues where it stopped. The server marks the items as delivered
        only once BUNDLE is complete on disk.
  sealbox courier push OUTBOX --server URL --key COURIER.key
        Send the reviewers' signed statements and epoch keys. Sending the
        same outbox twice changes nothing. Then says until when each
        reviewer's keys reach.
  sealbox courier epochs --server URL --key COURIER.key
        Until when each reviewer's epoch keys reach, with a warning when
        fewer than 14 days are left.
  sealbox courier watch-page URL --organisation FINGERPRINT [--cron] [--timeout SECONDS]
        Check the page served at URL against the organisation's signature:
        every file's SHA-256, the pin, the CSP and other headers. Exit 0 when
        all match, 15 with a report of every difference, 11 when the page
        could not be reached. --cron prints nothing when all match. Needs no
        key: anyone who knows the fingerprint can run it, from anywhere, over
        Tor too (torsocks). --timeout bounds the whole run (default ${DEFAULT_TIMEOUT_SECONDS} s).

The courier key passphrase is asked at the terminal, or read from
--passphrase-file FILE or the SEALBOX_PASSPHRASE variable.
`;

const OPTIONS = {
  server: { type: 'string' },
  key: { type: 'string' },
  out: { type: 'string' },
  card: { type: 'string' },
  name: { type: 'string' },
  after: { type: 'string' },
  organisation: { type: 'string' },
  cron: { type: 'boolean' },
  timeout: { type: 'string' },
  'passphrase-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export async function courierCommand(argv: string[], io: CommandIo): Promise<void> {
  const { values, positionals } = parseCommandLine(argv, OPTIONS);
  const [command = 'help', ...rest] = positionals;
  const need = (name: 'server' | 'key' | 'out' | 'card' | 'name'): string => required(values, name);
  const passphraseFile = values['passphrase-file'];
  if (values.help || command === 'help') {
    io.print(COURIER_HELP);
    return;
  }
  switch (command) {
    case 'keygen':
      await courierKeygen(
        { name: need('name'), out: need('out'), card: need('card'), passphraseFile },
        io,
      );
      return;
    case 'publish-keyset':
      await courierPublishKeyset(
        {
          keyset: one(rest, 'keyset file'),
          server: need('server'),
          key: need('key'),
          passphraseFile,
        },
        io,
      );
      return;
    case 'pull': {
      if (rest.length > 0) throw usage('pull takes no file name; use --out.');
      const after = values.after === undefined ? undefined : Number(values.after);
      if (after !== undefined && !(Number.isSafeInteger(after) && after >= 0)) {
        throw usage('--after must be a whole number (a cursor).');
      }
      await courierPull(
        { server: need('server'), key: need('key'), out: need('out'), after, passphraseFile },
        io,
      );
      return;
    }
    case 'push':
      await courierPush(
        {
          outbox: one(rest, 'outbox file'),
          server: need('server'),
          key: need('key'),
          passphraseFile,
        },
        io,
      );
      return;
    case 'epochs':
      if (rest.length > 0) throw usage('epochs takes no file name.');
      await courierEpochs({ server: need('server'), key: need('key'), passphraseFile }, io);
      return;
    case 'watch-page': {
      const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
      if (timeout !== undefined && !(/^\d{1,4}$/.test(values.timeout!) && timeout >= 1)) {
        throw usage('--timeout must be a whole number of seconds (1 to 9999).');
      }
      await courierWatchPage(
        {
          url: one(rest, 'page address (URL)'),
          organisation: required(values, 'organisation'),
          cron: values.cron,
          timeout,
        },
        io,
      );
      return;
    }
    default:
      throw usage(`Unknown courier command "${command}". Run "sealbox courier help".`);
  }
}
