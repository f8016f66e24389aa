// The courier commands other than pull: make a courier key, publish a signed
// keyset, push an outbox (statements and epoch keys), say how long the
// reviewers' epoch keys last. Plain async functions; reviewer/courier/cli.ts
// maps arguments onto them.
import {
  EPOCH_KEY_FORMAT,
  courierCard,
  fingerprint,
  generateCourierKey,
  isSealboxError,
} from '../../client-crypto/index.ts';
import { CliError } from '../errors.ts';
import { readJsonFile, toJson, writeNewFile } from '../files.ts';
import { type CommandIo, keyOptions } from '../io.ts';
import { loadSigningKey, writeKeyFile } from '../keys.ts';
import { readOutbox } from '../outbox.ts';
import { terminalField } from '../terminal-text.ts';
import { call, courierClient, type CourierClient } from './http.ts';

export interface CourierConnection {
  server: string;
  key: string;
  passphraseFile?: string | undefined;
}

export async function connect(options: CourierConnection, io: CommandIo): Promise<CourierClient> {
  const key = await loadSigningKey(options.key, 'courier', keyOptions(io, options.passphraseFile));
  return courierClient(options.server, key);
}

export async function courierKeygen(
  options: { name: string; out: string; card: string; passphraseFile?: string | undefined },
  io: CommandIo,
): Promise<void> {
  let key;
  try {
    key = await generateCourierKey(options.name);
  } catch (error) {
    if (isSealboxError(error))
      throw new CliError('USAGE', `The name is not usable: ${error.message}`);
    throw error;
  }
  await writeKeyFile(options.out, 'courier', key.secretKey, keyOptions(io, options.passphraseFile));
  await writeNewFile(options.card, toJson(courierCard(key)));
  io.print(`Courier key written to ${options.out} (keep it on this computer only).`);
  io.print(`Public card written to ${options.card}: give it to the organisation.`);
  io.print(`Fingerprint: ${await fingerprint(key.publicKey)}`);
}

export async function courierPublishKeyset(
  options: CourierConnection & { keyset: string },
  io: CommandIo,
): Promise<number> {
  const signed = await readJsonFile(options.keyset, 'keyset');
  const client = await connect(options, io);
  const { version } = await call<{ version: number }>(client, 'PUT', '/v1/courier/keyset', signed);
  io.print(`The server now uses keyset version ${version}.`);
  return version;
}

/** How far one reviewer's epoch keys reach, as the server reports it. */
export interface EpochCoverage {
  name: string;
  lastEnds: string | null;
  daysLeft: number;
}

/** Below this many days of keys left, the courier is warned. */
export const EPOCH_WARNING_DAYS = 14;

export interface PushResult {
  applied: number;
  unchanged: number;
  epochs: { stored: number; unchanged: number; reviewers: EpochCoverage[] } | null;
}

export async function courierPush(
  options: CourierConnection & { outbox: string },
  io: CommandIo,
): Promise<PushResult> {
  const lines = await readOutbox(options.outbox);
  const isEpochKey = (line: unknown) =>
    (line as { format?: unknown } | null)?.format === EPOCH_KEY_FORMAT;
  const epochs = lines.filter(isEpochKey);
  const statements = lines.filter((line) => !isEpochKey(line));
  const result: PushResult = { applied: 0, unchanged: 0, epochs: null };
  if (lines.length === 0) {
    io.print(`The outbox ${options.outbox} is empty: nothing to send.`);
    return result;
  }
  const client = await connect(options, io);
  // Epoch keys first: a reviewer's new keys matter more than any statement.
  if (epochs.length > 0) {
    result.epochs = await call<NonNullable<PushResult['epochs']>>(
      client,
      'POST',
      '/v1/courier/epochs',
      { epochs },
    );
    io.print(
      `Sent ${epochs.length} epoch key(s): ${result.epochs.stored} new, ${result.epochs.unchanged} already on the server.`,
    );
    printCoverage(result.epochs.reviewers, io);
  }
  if (statements.length > 0) {
    const sent = await call<{ applied: number; unchanged: number }>(
      client,
      'POST',
      '/v1/courier/outbox',
      { statements },
    );
    result.applied = sent.applied;
    result.unchanged = sent.unchanged;
    io.print(
      `Sent ${statements.length} statement(s): ${sent.applied} new, ${sent.unchanged} already on the server.`,
    );
  }
  return result;
}

/** `sealbox courier epochs`: until when each reviewer's epoch keys reach. */
export async function courierEpochs(
  options: CourierConnection,
  io: CommandIo,
): Promise<EpochCoverage[]> {
  const client = await connect(options, io);
  const { reviewers } = await call<{ reviewers: EpochCoverage[] }>(
    client,
    'GET',
    '/v1/courier/epochs',
  );
  printCoverage(reviewers, io);
  return reviewers;
}

function printCoverage(reviewers: readonly EpochCoverage[], io: CommandIo): void {
  for (const r of reviewers) {
    const name = terminalField(r.name);
    if (r.lastEnds === null) {
      io.print(
        `WARNING: reviewer ${name} has no epoch keys: reports cannot be sealed to them. They must run "sealbox reviewer epochs" and send you the outbox.`,
      );
      continue;
    }
    const line = `reviewer ${name}: keys until ${r.lastEnds} (${Math.max(0, r.daysLeft)} day(s) left)`;
    if (r.daysLeft < EPOCH_WARNING_DAYS) {
      io.print(
        `WARNING: ${line}. ${r.daysLeft <= 0 ? 'The page cannot seal reports to this reviewer.' : 'When they run out, the page stops accepting reports.'} Ask them to run "sealbox reviewer epochs" and send you the outbox.`,
      );
    } else {
      io.print(line);
    }
  }
}
