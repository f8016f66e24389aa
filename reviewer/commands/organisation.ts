// The organisation's offline jobs: create the root key, sign a keyset from the
// public cards people handed over, and show fingerprints to compare by voice.
import {
  type CourierCard,
  type Keyset,
  type ReviewerCard,
  fingerprint,
  fromBase64Url,
  generateOrganisationKey,
  isoDate,
  parseCourierCard,
  parseReviewerCard,
  signKeyset,
  toBase64Url,
  verifyKeyset,
} from '../../client-crypto/index.ts';
import { CliError, usage } from '../errors.ts';
import { readJsonFile, toJson, writeNewFile } from '../files.ts';
import type { CommandIo } from '../io.ts';
import { keyOptions } from '../io.ts';
import { loadSigningKey, reviewerFingerprint, writeKeyFile } from '../keys.ts';

export async function organisationCreate(
  options: { out: string; passphraseFile?: string },
  io: CommandIo,
): Promise<{ publicKey: string; fingerprint: string }> {
  const org = await generateOrganisationKey();
  await writeKeyFile(
    options.out,
    'organisation',
    org.secretKey,
    keyOptions(io, options.passphraseFile),
  );
  const result = {
    publicKey: toBase64Url(org.publicKey),
    fingerprint: await fingerprint(org.publicKey),
  };
  io.print(`Organisation root key written to ${options.out} (locked with your passphrase).`);
  io.print(`Organisation fingerprint: ${result.fingerprint}`);
  io.print(`Organisation public key (for the server's configuration): ${result.publicKey}`);
  io.print('Publish the fingerprint where submitters and reviewers can check it.');
  return result;
}

export interface SignKeysetOptions {
  key: string;
  reviewers: string[];
  couriers: string[];
  version: number;
  expires: string;
  out: string;
  passphraseFile?: string;
  now?: Date;
}

export async function organisationSignKeyset(
  options: SignKeysetOptions,
  io: CommandIo,
): Promise<Keyset> {
  if (options.reviewers.length === 0) throw usage('A keyset needs at least one --reviewer card.');
  if (!Number.isSafeInteger(options.version) || options.version < 1) {
    throw usage('--version must be a whole number, 1 or more, higher than the last keyset.');
  }
  const issued = isoDate(options.now ?? new Date());
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.expires) || Number.isNaN(Date.parse(options.expires))) {
    throw usage('--expires must be a date written YYYY-MM-DD.');
  }
  if (options.expires <= issued) throw usage('--expires must be a date after today.');
  const reviewers: ReviewerCard[] = [];
  for (const path of options.reviewers) {
    reviewers.push(await readCard(path, 'reviewer', parseReviewerCard));
  }
  const couriers: CourierCard[] = [];
  for (const path of options.couriers) {
    couriers.push(await readCard(path, 'courier', parseCourierCard));
  }
  const keyset: Keyset = {
    version: options.version,
    issued,
    expires: options.expires,
    reviewers,
    couriers,
  };
  const org = await loadSigningKey(
    options.key,
    'organisation',
    keyOptions(io, options.passphraseFile),
  );
  const signed = await signKeyset(keyset, org);
  await writeNewFile(options.out, toJson(signed));
  io.print(
    `Keyset version ${keyset.version}, valid until ${keyset.expires}, written to ${options.out}.`,
  );
  io.print(`Signed by the organisation key ${await fingerprint(org.publicKey)}.`);
  for (const line of await memberLines(keyset)) io.print(line);
  io.print('Read each fingerprint aloud with its owner before the keyset is used.');
  return keyset;
}

async function readCard<T>(path: string, what: string, parse: (value: unknown) => T): Promise<T> {
  const value = await readJsonFile(path, `${what} card`);
  try {
    const { kem: _k, sign: _s, key: _c, ...card } = parse(value) as Record<string, unknown>;
    return card as T;
  } catch {
    throw new CliError('FILE_INVALID', `${path} is not a ${what} card.`);
  }
}

async function memberLines(keyset: Keyset): Promise<string[]> {
  const lines: string[] = [];
  for (const r of keyset.reviewers) {
    const fp = await reviewerFingerprint(
      fromBase64Url(r.kemPublicKey),
      fromBase64Url(r.signPublicKey),
    );
    lines.push(`  reviewer ${r.name}: ${fp}`);
  }
  for (const c of keyset.couriers) {
    lines.push(`  courier  ${c.name}: ${await fingerprint(fromBase64Url(c.publicKey))}`);
  }
  return lines;
}

/** Fingerprints of whatever public file is given: a card, a keyset or a key file's public part. */
export async function showFingerprints(paths: string[], io: CommandIo): Promise<string[]> {
  if (paths.length === 0) throw usage('Name at least one card or keyset file.');
  const lines: string[] = [];
  for (const path of paths) {
    const value = (await readJsonFile(path, 'file')) as Record<string, unknown> | null;
    const type = value?.type ?? value?.format;
    if (type === 'sealbox-reviewer-card') {
      const card = parseReviewerCard(value);
      lines.push(
        `${path}: reviewer ${card.name}: ${await reviewerFingerprint(card.kem, card.sign)}`,
      );
    } else if (type === 'sealbox-courier-card') {
      const card = parseCourierCard(value);
      lines.push(`${path}: courier ${card.name}: ${await fingerprint(card.key)}`);
    } else if (
      type === 'sealbox-keyset-v1' &&
      typeof value?.signer === 'string' &&
      typeof value.payload === 'string'
    ) {
      const signer = fromBase64Url(value.signer);
      const keyset = await verifyKeyset(value, { publicKey: signer });
      lines.push(
        `${path}: keyset version ${keyset.version}, valid ${keyset.issued} to ${keyset.expires}`,
      );
      lines.push(
        `  signed by organisation ${await fingerprint(signer)} (check this before trusting it)`,
      );
      lines.push(...(await memberLines(keyset)));
    } else {
      throw new CliError('FILE_INVALID', `${path} is not a reviewer card, courier card or keyset.`);
    }
  }
  for (const line of lines) io.print(line);
  return lines;
}
