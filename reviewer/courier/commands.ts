// The courier commands other than pull: make a courier key, publish a signed
// keyset, push an outbox. Plain async functions; reviewer/courier/cli.ts maps
// arguments onto them.
import {
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

export async function courierPush(
  options: CourierConnection & { outbox: string },
  io: CommandIo,
): Promise<{ applied: number; unchanged: number }> {
  const statements = await readOutbox(options.outbox);
  if (statements.length === 0) {
    io.print(`The outbox ${options.outbox} is empty: nothing to send.`);
    return { applied: 0, unchanged: 0 };
  }
  const client = await connect(options, io);
  const result = await call<{ applied: number; unchanged: number }>(
    client,
    'POST',
    '/v1/courier/outbox',
    { statements },
  );
  io.print(
    `Sent ${statements.length} statement(s): ${result.applied} new, ${result.unchanged} already on the server.`,
  );
  return result;
}
