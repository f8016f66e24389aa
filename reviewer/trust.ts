// Which keyset a case folder works with. The first keyset given to a folder is
// checked against the organisation fingerprint the reviewer compared by voice;
// from then on the folder pins that organisation key, and accepts only keysets
// it signed, each newer than the last.
import { createInterface } from 'node:readline/promises';
import {
  type Keyset,
  type ReviewerIdentity,
  fingerprint,
  fromBase64Url,
  toBase64Url,
  verifyKeyset,
} from '../client-crypto/index.ts';
import type { SignedKeyset } from '../client-crypto/index.ts';
import type { CaseFolder } from './cases/case-folder.ts';
import { CliError } from './errors.ts';
import { readJsonFile } from './files.ts';
import type { CommandIo } from './io.ts';

export interface TrustOptions {
  /** A signed keyset file from the organisation (needed the first time, and for each new version). */
  keyset?: string | undefined;
  /** The organisation fingerprint, to pin the first keyset without a question at the terminal. */
  organisation?: string | undefined;
  now?: Date | undefined;
}

export async function folderKeyset(
  folder: CaseFolder,
  options: TrustOptions,
  io: CommandIo,
): Promise<Keyset> {
  const now = options.now ?? new Date();
  if (options.keyset !== undefined) await adoptKeyset(folder, options, io, now);
  const { state } = folder;
  if (state.keyset === null || state.organisation === null) {
    throw new CliError(
      'ORGANISATION_NOT_PINNED',
      'This case folder has no keyset yet. Give the keyset file from the organisation with --keyset.',
    );
  }
  return verifyKeyset(state.keyset, { publicKey: fromBase64Url(state.organisation) }, { now });
}

async function adoptKeyset(
  folder: CaseFolder,
  options: TrustOptions,
  io: CommandIo,
  now: Date,
): Promise<void> {
  const signed = (await readJsonFile(options.keyset!, 'keyset')) as SignedKeyset;
  const { state } = folder;
  let pinned: Keyset;
  if (state.organisation !== null) {
    pinned = await verifyKeyset(signed, { publicKey: fromBase64Url(state.organisation) }, { now });
  } else {
    const claimed =
      typeof signed?.signer === 'string' ? fromBase64Url(signed.signer) : new Uint8Array();
    const shown = await fingerprint(claimed);
    const expected = options.organisation ?? (await askFingerprint(shown, io));
    pinned = await verifyKeyset(signed, { fingerprint: expected }, { now });
    state.organisation = signed.signer;
    io.print(`This case folder now trusts the organisation key ${shown}.`);
  }
  if (pinned.version > state.keysetVersion) {
    state.keyset = signed;
    state.keysetVersion = pinned.version;
    await folder.saveState();
    io.print(`Using keyset version ${pinned.version} (valid until ${pinned.expires}).`);
  } else if (pinned.version < state.keysetVersion) {
    io.print(`Keeping keyset version ${state.keysetVersion}; the file holds an older one.`);
  }
}

async function askFingerprint(shown: string, io: CommandIo): Promise<string> {
  if (!io.stdin.isTTY) {
    throw new CliError(
      'ORGANISATION_NOT_PINNED',
      'The first keyset of a case folder must be checked: give --organisation with the fingerprint the organisation read to you.',
    );
  }
  io.print(`The keyset is signed by the organisation key with fingerprint:\n  ${shown}`);
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  const answer = await rl.question(
    'Is this exactly the fingerprint the organisation gave you? (yes/no) ',
  );
  rl.close();
  if (!/^y(es)?$/i.test(answer.trim())) {
    throw new CliError('BUNDLE_OTHER_KEYSET', 'You did not confirm the organisation fingerprint.');
  }
  return shown;
}

export function isMember(
  keyset: Keyset,
  identity: Pick<ReviewerIdentity, 'signPublicKey' | 'kemPublicKey'>,
): boolean {
  const sign = toBase64Url(identity.signPublicKey);
  const kem = toBase64Url(identity.kemPublicKey);
  return keyset.reviewers.some((r) => r.signPublicKey === sign && r.kemPublicKey === kem);
}
