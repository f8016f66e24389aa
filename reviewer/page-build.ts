// A built page folder as `sealbox organisation sign-page` and `sealbox verify-page`
// read it: manifest.json (sealbox-web-manifest-v3) and the files it lists. Every
// check here compares bytes on disk with the digests in the manifest, so that
// nobody signs, or trusts, a build that was changed after it was made.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { PAGE_SIGNATURE_FILE } from '../client-crypto/index.ts';
import { CliError } from './errors.ts';
import { readInputFile } from './files.ts';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'sealbox-web-manifest-v3';

/** The parts of manifest.json these commands read; anything else is covered by its digest. */
export interface BuildManifest {
  format: typeof MANIFEST_FORMAT;
  version: string;
  org: { fingerprint: string | null; demo: boolean };
  files: Record<string, { bytes: number; sha256: string }>;
  /** The self-contained saved page, when the build made one. */
  saved?: { file: string; sha256: string } | null;
}

export interface ReadManifest {
  manifest: BuildManifest;
  /** SHA-256 (hex) of manifest.json's exact bytes: what the organisation signs. */
  sha256: string;
}

export const sha256Hex = (bytes: Uint8Array): string =>
  createHash('sha256').update(bytes).digest('hex');

const SHA256_HEX = /^[0-9a-f]{64}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads DIR/manifest.json and checks its shape; throws FILE_MISSING or FILE_INVALID. */
export async function readBuildManifest(dir: string): Promise<ReadManifest> {
  const path = join(dir, MANIFEST_FILE);
  const bytes = await readInputFile(path, 'page manifest');
  const invalid = (why: string) =>
    new CliError('FILE_INVALID', `${path} is not a Sealbox page manifest: ${why}.`);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw invalid('it is not JSON');
  }
  if (!isRecord(value)) throw invalid('it is not an object');
  if (value.format !== MANIFEST_FORMAT) {
    throw invalid(`its format is ${String(value.format)}, not ${MANIFEST_FORMAT} (rebuild it)`);
  }
  if (typeof value.version !== 'string' || value.version === '') throw invalid('no version');
  const org = value.org;
  if (!isRecord(org) || (org.fingerprint !== null && typeof org.fingerprint !== 'string')) {
    throw invalid('no organisation field');
  }
  if (!isRecord(value.files)) throw invalid('no file list');
  for (const [name, entry] of Object.entries(value.files)) {
    if (
      !isRecord(entry) ||
      typeof entry.sha256 !== 'string' ||
      !SHA256_HEX.test(entry.sha256) ||
      typeof entry.bytes !== 'number' ||
      !safeName(name)
    ) {
      throw invalid(`its entry for "${name}" is malformed`);
    }
  }
  const saved = value.saved;
  if (
    saved !== undefined &&
    saved !== null &&
    (!isRecord(saved) ||
      typeof saved.file !== 'string' ||
      !safeName(saved.file) ||
      typeof saved.sha256 !== 'string' ||
      !SHA256_HEX.test(saved.sha256))
  ) {
    throw invalid('its saved page entry is malformed');
  }
  return { manifest: value as unknown as BuildManifest, sha256: sha256Hex(bytes) };
}

/** A relative path inside the folder: no climbing out, no absolute path. */
function safeName(name: string): boolean {
  return (
    name.length > 0 &&
    !name.startsWith('/') &&
    !name.includes('\\') &&
    !name.split('/').some((part) => part === '' || part === '.' || part === '..')
  );
}

/** One way the folder differs from its manifest, in words for the report. */
export interface FileDifference {
  file: string;
  problem: 'missing' | 'changed' | 'unlisted';
  text: string;
}

/**
 * Compares every file the manifest lists (and the saved page, if it names one)
 * with the bytes in the folder, and names every file in the folder that the
 * manifest does not list (manifest.json and page-signature.json aside).
 */
export async function compareBuildFiles(
  dir: string,
  manifest: BuildManifest,
): Promise<FileDifference[]> {
  const differences: FileDifference[] = [];
  const expected = new Map(Object.entries(manifest.files).map(([n, e]) => [n, e.sha256]));
  if (manifest.saved) expected.set(manifest.saved.file, manifest.saved.sha256);
  for (const [file, sha256] of expected) {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(dir, file));
    } catch {
      differences.push({
        file,
        problem: 'missing',
        text: `${file}: listed, but not in the folder`,
      });
      continue;
    }
    const actual = sha256Hex(bytes);
    if (actual !== sha256) {
      differences.push({
        file,
        problem: 'changed',
        text: `${file}: SHA-256 is ${actual}, the manifest says ${sha256}`,
      });
    }
  }
  const known = new Set([...expected.keys(), MANIFEST_FILE, PAGE_SIGNATURE_FILE]);
  for (const file of await listFiles(dir)) {
    if (!known.has(file)) {
      differences.push({
        file,
        problem: 'unlisted',
        text: `${file}: in the folder, but not listed in the manifest`,
      });
    }
  }
  return differences;
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (path: string): Promise<void> => {
    for (const entry of await readdir(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  await walk(dir);
  return out.sort();
}
