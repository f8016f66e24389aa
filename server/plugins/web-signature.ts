// The organisation's signature over the built page (page-signature.json, written
// by `sealbox organisation sign-page` on the offline machine). The server checks
// it at start, against the organisation it trusts and the exact manifest.json it
// serves, and serves it unchanged at PAGE_SIGNATURE_PATH; it never signs anything
// itself (the DEMO organisation aside, server/demo-page.ts). A stale signature,
// left from the previous build, is refused: serving it would make every page
// and watcher see a page its organisation never signed.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  PAGE_SIGNATURE_FILE,
  fingerprint,
  fromBase64Url,
  isSealboxError,
  verifyPageSignature,
} from '../../client-crypto/index.ts';
import { ConfigError } from '../config.ts';

export type PageSignatureState =
  { state: 'signed'; body: Buffer; signedOn: string } | { state: 'unsigned' };

function refuse(dir: string, problem: string, fix: string): ConfigError {
  return new ConfigError(`cannot serve the page in ${dir}\n  ${problem}\n  ${fix}`);
}

/**
 * Reads DIR/page-signature.json, if any, and checks that the organisation the
 * server trusts (else the one the page pins) signed these manifest bytes.
 * Throws a ConfigError that says how to fix it.
 */
export async function checkPageSignature(
  dir: string,
  manifestBytes: Buffer,
  pin: string | undefined,
): Promise<PageSignatureState> {
  let body: Buffer;
  try {
    body = await readFile(join(dir, PAGE_SIGNATURE_FILE));
  } catch {
    return { state: 'unsigned' };
  }
  const signAgain = `sign this build again: sealbox organisation sign-page ${dir} --key ORG.key (on the offline machine), and copy its ${PAGE_SIGNATURE_FILE} here`;
  let signed: unknown;
  try {
    signed = JSON.parse(body.toString('utf8'));
  } catch {
    throw refuse(dir, `its ${PAGE_SIGNATURE_FILE} is not JSON`, signAgain);
  }
  if (pin === undefined) {
    throw refuse(
      dir,
      `it has a ${PAGE_SIGNATURE_FILE}, but neither the server nor the page names an organisation to check it with`,
      'set SEALBOX_ORG_FINGERPRINT, and build the page with it',
    );
  }
  let payload;
  try {
    payload = await verifyPageSignature(signed, pin);
  } catch (error) {
    if (!isSealboxError(error)) throw error;
    if (error.code === 'KEYSET_ROOT_MISMATCH') {
      const signer = await fingerprint(fromBase64Url((signed as { signer: string }).signer));
      throw refuse(
        dir,
        `its ${PAGE_SIGNATURE_FILE} is signed by organisation ${signer}, but the server trusts ${pin}`,
        signAgain,
      );
    }
    throw refuse(
      dir,
      `its ${PAGE_SIGNATURE_FILE} does not verify (${error.message}, ${error.code})`,
      signAgain,
    );
  }
  const digest = createHash('sha256').update(manifestBytes).digest('hex');
  if (payload.manifest !== digest) {
    throw refuse(
      dir,
      `its ${PAGE_SIGNATURE_FILE} signs another build (manifest.json SHA-256 ${payload.manifest}), not this one (${digest}): usually a signature left from the previous build`,
      signAgain,
    );
  }
  return { state: 'signed', body, signedOn: payload.signed };
}
