// The organisation's offline jobs: create the root key, sign a keyset from the
// public cards people handed over, sign a built page, and show fingerprints to
// compare by voice.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import {
  PAGE_SIGNATURE_FILE,
  type PageSignature,
  type CourierCard,
  type Desk,
  type Keyset,
  type ReviewerCard,
  checkDesks,
  fingerprint,
  fromBase64Url,
  generateOrganisationKey,
  isSealboxError,
  isoDate,
  parseCourierCard,
  parseReviewerCard,
  sameFingerprint,
  signKeyset,
  signPage,
  toBase64Url,
  verifyKeyset,
  verifyPageSignature,
} from '../../client-crypto/index.ts';
import { CliError, usage } from '../errors.ts';
import { readJsonFile, toJson, writeNewFile } from '../files.ts';
import type { CommandIo } from '../io.ts';
import { keyOptions } from '../io.ts';
import { loadSigningKey, reviewerFingerprint, writeKeyFile } from '../keys.ts';
import { compareBuildFiles, readBuildManifest } from '../page-build.ts';

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
  /** A JSON file holding the keyset's `desks` array, as docs/protocol.md writes it. */
  desks?: string;
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
  // Checked before the passphrase is asked for: a refused desks file costs nothing.
  const desks = options.desks === undefined ? undefined : await readDesks(options.desks, reviewers);
  const keyset: Keyset = {
    version: options.version,
    issued,
    expires: options.expires,
    reviewers,
    couriers,
    ...(desks !== undefined ? { desks } : {}),
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

/**
 * Signs a built page folder with the organisation root: only a build whose every
 * file still has the digest manifest.json gives it, and only a page that pins
 * this very organisation. Writes DIR/page-signature.json and prints what was
 * signed, for the ceremony record.
 */
export async function organisationSignPage(
  options: { dir: string; key: string; passphraseFile?: string; now?: Date },
  io: CommandIo,
): Promise<PageSignature> {
  const { manifest, sha256 } = await readBuildManifest(options.dir);
  const differences = await compareBuildFiles(options.dir, manifest);
  if (differences.length > 0) {
    for (const d of differences) io.print(`  ${d.text}`);
    throw new CliError(
      'PAGE_CHANGED',
      `${options.dir} is not the build its manifest.json describes (${differences.length} difference${differences.length === 1 ? '' : 's'}, listed above); nothing was signed.`,
    );
  }
  const pinned = manifest.org.fingerprint;
  if (pinned === null) {
    throw new CliError(
      'PAGE_NOT_PINNED',
      `The page in ${options.dir} pins no organisation: it would seal nothing. Nothing was signed.`,
    );
  }
  const org = await loadSigningKey(
    options.key,
    'organisation',
    keyOptions(io, options.passphraseFile),
  );
  const own = await fingerprint(org.publicKey);
  if (!sameFingerprint(pinned, own)) {
    throw new CliError(
      'PAGE_OTHER_ORGANISATION',
      `The page in ${options.dir} pins organisation ${pinned}, but this key is organisation ${own}. Nothing was signed.`,
    );
  }
  const saved = manifest.saved?.sha256 ?? null;
  const signed = await signPage(
    { manifest: sha256, saved, version: manifest.version },
    org,
    options.now,
  );
  // Read back through the verifier that pages, servers and watchers use.
  const payload = await verifyPageSignature(signed, own);
  const out = join(options.dir, PAGE_SIGNATURE_FILE);
  // A public file, served as it is: readable by the server's user, unlike key files.
  await writeFile(out, toJson(signed), { mode: 0o644 });
  io.print(`Page signature written to ${out}.`);
  const rows: [string, string][] = [
    ['version', payload.version],
    ['organisation', `${payload.org}${manifest.org.demo ? ' (DEMO)' : ''}`],
    ['files', `${Object.keys(manifest.files).length}, each checked against the manifest`],
    ['manifest.json SHA-256', payload.manifest],
    [
      'saved page SHA-256',
      payload.saved === null ? 'none in this build' : `${payload.saved} (${manifest.saved!.file})`,
    ],
    ['signed on', payload.signed],
  ];
  for (const [label, value] of rows) io.print(`  ${`${label}:`.padEnd(23)}${value}`);
  io.print(
    'Publish the organisation fingerprint and the manifest.json SHA-256 together, and copy page-signature.json into the build folder on the server.',
  );
  return payload;
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

// Only the outer shape here: every desk rule (ids, names, fingerprints of the
// keyset's reviewers, one desk to choose) is the library's, the very check the
// page and the reviewers run on the signed keyset.
const DesksFile = z.array(z.unknown());

async function readDesks(path: string, reviewers: ReviewerCard[]): Promise<Desk[]> {
  const parsed = DesksFile.safeParse(await readJsonFile(path, 'desks file'));
  if (!parsed.success) {
    throw new CliError(
      'FILE_INVALID',
      `The desks file ${path} must hold a JSON list of desks, [{"id": …, "names": …, "reviewers": […]}, …]. No keyset was written.`,
    );
  }
  try {
    return await checkDesks(parsed.data, reviewers);
  } catch (error) {
    if (!isSealboxError(error)) throw error;
    throw new CliError(
      'FILE_INVALID',
      `The desks file ${path} is refused: ${error.message}. Reviewers are named by the fingerprints of the --reviewer cards. No keyset was written.`,
    );
  }
}

async function memberLines(keyset: Keyset): Promise<string[]> {
  const lines: string[] = [];
  const names = new Map<string, string>();
  for (const r of keyset.reviewers) {
    const fp = await reviewerFingerprint(
      fromBase64Url(r.kemPublicKey),
      fromBase64Url(r.signPublicKey),
    );
    names.set(fp, r.name);
    lines.push(`  reviewer ${r.name}: ${fp}`);
  }
  for (const c of keyset.couriers) {
    lines.push(`  courier  ${c.name}: ${await fingerprint(fromBase64Url(c.publicKey))}`);
  }
  for (const d of keyset.desks ?? []) {
    const who = d.reviewers.map((fp) => names.get(fp) ?? fp).join(', ');
    const label = Object.entries(d.names)
      .map(([lang, name]) => `${lang} "${name}"`)
      .join(', ');
    lines.push(`  desk     ${d.id}${d.always ? ' (always included)' : ''} (${label}): ${who}`);
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
