// The DEMO organisation signs its own page at start, so that `npm install && npm
// start` serves a signed page end to end, as a real deployment would after its
// signing ceremony. Its root key lies unlocked-by-a-public-passphrase in the
// data directory (demo.ts): a DEMO signature proves nothing, like every DEMO key.
// A real organisation's key never reaches the server; its page is signed offline
// with `sealbox organisation sign-page`.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  PAGE_SIGNATURE_FILE,
  fingerprint,
  sameFingerprint,
  signPage,
  unlockKeyFile,
  verifyPageSignature,
} from '../client-crypto/index.ts';
import { DEMO_PASSPHRASE, demoDir, readDemoOrganisation } from './demo.ts';

/**
 * Signs the page in webDir with the DEMO organisation of dataDir, unless it is
 * already signed for these manifest bytes. Returns false, signing nothing, when
 * the page is not pinned to that DEMO organisation, or does not say it is a DEMO
 * one (it is then rebuilt for it).
 */
export async function signDemoPage(webDir: string, dataDir: string): Promise<boolean> {
  const manifestBytes = await readFile(join(webDir, 'manifest.json'));
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as {
    version: string;
    org?: { fingerprint?: string | null; demo?: boolean };
    saved?: { sha256?: string } | null;
  };
  // The public key decides whether there is anything to sign; the key file (its
  // Argon2id unlock) is opened only to sign.
  const publicKey = await readDemoOrganisation(dataDir);
  if (!publicKey) return false;
  const pin = await fingerprint(publicKey);
  const pinned = manifest.org?.fingerprint;
  if (!pinned || !sameFingerprint(pinned, pin) || manifest.org?.demo !== true) return false;
  const digest = createHash('sha256').update(manifestBytes).digest('hex');
  const path = join(webDir, PAGE_SIGNATURE_FILE);
  try {
    const current = await verifyPageSignature(JSON.parse(await readFile(path, 'utf8')), pin);
    if (current.manifest === digest) return true;
  } catch {
    // None yet, or one left from an earlier build: sign this one.
  }
  const keyFile: unknown = JSON.parse(
    await readFile(join(demoDir(dataDir), 'organisation.key'), 'utf8'),
  );
  const { secret } = await unlockKeyFile(keyFile, DEMO_PASSPHRASE);
  const org = { secretKey: secret, publicKey: secret.slice(32) };
  const signed = await signPage(
    { manifest: digest, saved: manifest.saved?.sha256 ?? null, version: manifest.version },
    org,
  );
  await writeFile(path, `${JSON.stringify(signed, null, 2)}\n`);
  return true;
}
