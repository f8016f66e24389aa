// Test helper: signs a built page as `sealbox organisation sign-page` would, without
// the CLI's checks, so that tests can serve, watch or tamper with a signed build.
// Reads dir/manifest.json, signs the SHA-256 of its exact bytes (and of the saved
// page: savedFile, resolved against dir, else the manifest's own saved.sha256) and
// writes dir/page-signature.json.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PAGE_SIGNATURE_FILE, type SignedPageSignature, signPage } from '../client-crypto/index.ts';

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export async function signBuild(
  dir: string,
  org: { publicKey: Uint8Array; secretKey: Uint8Array },
  savedFile?: string,
): Promise<SignedPageSignature> {
  const bytes = await readFile(join(dir, 'manifest.json'));
  const manifest = JSON.parse(bytes.toString('utf8')) as {
    version: string;
    saved?: { sha256?: string } | null;
  };
  const saved =
    savedFile !== undefined
      ? sha256Hex(await readFile(resolve(dir, savedFile)))
      : (manifest.saved?.sha256 ?? null);
  const signed = await signPage(
    { manifest: sha256Hex(bytes), saved, version: manifest.version },
    org,
  );
  await writeFile(join(dir, PAGE_SIGNATURE_FILE), `${JSON.stringify(signed, null, 2)}\n`);
  return signed;
}
