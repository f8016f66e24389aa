// Signs a built page as `sealbox organisation sign-page` does, for tests: the
// SHA-256 of the exact bytes of dir/manifest.json (and of the saved page, when
// given) signed by the organisation root, written to dir/page-signature.json.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PAGE_SIGNATURE_FILE, type SignedPageSignature, signPage } from '../client-crypto/index.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export async function signBuild(
  dir: string,
  org: { publicKey: Uint8Array; secretKey: Uint8Array },
  savedFile?: string,
): Promise<SignedPageSignature> {
  const manifest = await readFile(join(dir, 'manifest.json'));
  const { version } = JSON.parse(manifest.toString('utf8')) as { version: string };
  const saved = savedFile === undefined ? null : sha256(await readFile(join(dir, savedFile)));
  const signed = await signPage({ manifest: sha256(manifest), saved, version }, org);
  await writeFile(join(dir, PAGE_SIGNATURE_FILE), `${JSON.stringify(signed, null, 2)}\n`);
  return signed;
}
