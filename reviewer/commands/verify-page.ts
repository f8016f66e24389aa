// `sealbox verify-page`: anyone who holds the organisation's fingerprint checks a
// page without trusting whoever handed it over. A build folder: the signature is
// by that root, it covers these exact manifest.json bytes, every listed file has
// its digest, the page pins that root, and nothing else lies in the folder. A
// saved page (one HTML file): its SHA-256 is the one the signature names.
// Every difference is reported, not only the first.
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  PAGE_SIGNATURE_FILE,
  type PageSignature,
  fingerprint,
  fromBase64Url,
  isSealboxError,
  sameFingerprint,
  verifyPageSignature,
} from '../../client-crypto/index.ts';
import { CliError, usage } from '../errors.ts';
import { readJsonFile } from '../files.ts';
import type { CommandIo } from '../io.ts';
import { compareBuildFiles, readBuildManifest, sha256Hex } from '../page-build.ts';

export interface VerifyPageOptions {
  /** A build folder, or one saved HTML file. */
  path: string;
  /** The fingerprint the organisation published. */
  organisation: string;
  /** Default: page-signature.json in the folder, or beside the saved file. */
  signature?: string;
}

interface Problem {
  /** `other`: another organisation; `changed`: bytes differ from what was signed. */
  kind: 'other' | 'changed';
  text: string;
}

export interface VerifyPageReport {
  /** What the signature says, when it verified. */
  signed: PageSignature | undefined;
  problems: string[];
}

async function checkSignature(
  file: string,
  organisation: string,
  problems: Problem[],
): Promise<PageSignature | undefined> {
  const signed = await readJsonFile(file, 'page signature');
  try {
    return await verifyPageSignature(signed, organisation);
  } catch (error) {
    if (!isSealboxError(error)) throw error;
    if (error.code === 'KEYSET_ROOT_MISMATCH') {
      const signer = (signed as { signer: string }).signer;
      problems.push({
        kind: 'other',
        text: `${file}: signed by organisation ${await fingerprint(fromBase64Url(signer))}, not by ${organisation}`,
      });
    } else {
      problems.push({ kind: 'changed', text: `${file}: does not verify (${error.message})` });
    }
    return undefined;
  }
}

async function checkFolder(
  dir: string,
  options: VerifyPageOptions,
  signed: PageSignature | undefined,
  problems: Problem[],
  io: CommandIo,
): Promise<void> {
  const { manifest, sha256 } = await readBuildManifest(dir);
  io.print(`manifest.json SHA-256: ${sha256}`);
  if (signed && signed.manifest !== sha256) {
    problems.push({
      kind: 'changed',
      text: `manifest.json: changed after signing (the signature covers SHA-256 ${signed.manifest})`,
    });
  }
  if (signed && signed.version !== manifest.version) {
    problems.push({
      kind: 'changed',
      text: `manifest.json: version ${manifest.version}, the signature says ${signed.version}`,
    });
  }
  const pinned = manifest.org.fingerprint;
  if (pinned === null) {
    problems.push({ kind: 'changed', text: 'manifest.json: the page pins no organisation' });
  } else if (!sameFingerprint(pinned, options.organisation)) {
    problems.push({
      kind: 'other',
      text: `manifest.json: the page pins organisation ${pinned}, not ${options.organisation}`,
    });
  }
  const differences = await compareBuildFiles(dir, manifest);
  for (const d of differences) problems.push({ kind: 'changed', text: d.text });
  const listed = Object.keys(manifest.files).length;
  io.print(`files listed: ${listed}, differing: ${differences.length}`);
}

async function checkSavedFile(
  file: string,
  signed: PageSignature | undefined,
  problems: Problem[],
  io: CommandIo,
): Promise<void> {
  let digest: string;
  try {
    digest = sha256Hex(await readFile(file));
  } catch {
    throw new CliError('FILE_INVALID', `Cannot read the saved page ${file}.`);
  }
  io.print(`${basename(file)} SHA-256: ${digest}`);
  if (!signed) return;
  if (signed.saved === null) {
    problems.push({
      kind: 'changed',
      text: `${file}: the signature covers no saved page (this build made none)`,
    });
  } else if (signed.saved !== digest) {
    problems.push({
      kind: 'changed',
      text: `${file}: not the saved page the organisation signed (that one has SHA-256 ${signed.saved})`,
    });
  }
}

export async function verifyPage(
  options: VerifyPageOptions,
  io: CommandIo,
): Promise<VerifyPageReport> {
  if (options.organisation.replace(/[\s-]/g, '').length !== 32) {
    throw usage(
      `--organisation ${options.organisation} is not a fingerprint (32 symbols, such as XXXX-XXXX-…).`,
    );
  }
  let folder: boolean;
  try {
    folder = (await stat(options.path)).isDirectory();
  } catch {
    throw new CliError('FILE_MISSING', `${options.path} does not exist.`);
  }
  const base = folder ? options.path : dirname(options.path);
  const signatureFile = options.signature ?? join(base, PAGE_SIGNATURE_FILE);
  const problems: Problem[] = [];
  const signed = await checkSignature(signatureFile, options.organisation, problems);
  if (folder) await checkFolder(options.path, options, signed, problems, io);
  else await checkSavedFile(options.path, signed, problems, io);

  if (problems.length === 0 && signed) {
    io.print(
      `OK: ${options.path} is the page organisation ${signed.org} signed on ${signed.signed} (version ${signed.version}).`,
    );
    return { signed, problems: [] };
  }
  io.print(`${problems.length} difference${problems.length === 1 ? '' : 's'}:`);
  for (const p of problems) io.print(`  ${p.text}`);
  throw new CliError(
    problems.some((p) => p.kind === 'other') ? 'PAGE_OTHER_ORGANISATION' : 'PAGE_CHANGED',
    `${options.path} is not the page organisation ${options.organisation} signed.`,
  );
}
