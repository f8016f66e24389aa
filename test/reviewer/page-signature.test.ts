// The organisation signs a real build (`sealbox organisation sign-page`) and
// anyone checks it (`sealbox verify-page`), through the command line and its
// exit codes: a genuine build and saved page pass; a file one byte off, a file
// added, a manifest changed after signing, a signature by another root and a
// page pinned elsewhere are each refused, and named in the report.
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import {
  PAGE_SIGNATURE_FILE,
  fingerprint,
  generateOrganisationKey,
  verifyPageSignature,
} from '../../client-crypto/index.ts';
import { run } from '../../reviewer/cli.ts';
import { organisationCreate } from '../../reviewer/commands/organisation.ts';
import { EXIT } from '../../reviewer/exit-codes.ts';
import { sha256Hex } from '../../reviewer/page-build.ts';
import { buildWeb } from '../../web/build.ts';
import { signBuild } from '../page-signing.ts';
import { keyOptions } from '../../reviewer/io.ts';
import { loadSigningKey } from '../../reviewer/keys.ts';
import { tempDir, testIo } from './fixtures.ts';

const dir = await tempDir(t);
const orgKey = join(dir, 'org.key');
const { fingerprint: pin } = await organisationCreate({ out: orgKey }, testIo());
const other = await generateOrganisationKey();
const otherPin = await fingerprint(other.publicKey);

const genuine = join(dir, 'genuine');
await buildWeb({ outDir: genuine, orgFingerprint: pin });
const unpinned = join(dir, 'unpinned');
await buildWeb({ outDir: unpinned });

let copies = 0;
async function copyOf(src: string): Promise<string> {
  const to = join(dir, `copy-${++copies}`);
  await cp(src, to, { recursive: true });
  return to;
}

async function sealbox(...argv: string[]) {
  const io = testIo();
  const code = await run(argv, io);
  return { code, out: io.lines.join('\n'), err: io.errors.join('') };
}

const signPage = (build: string, key = orgKey) =>
  sealbox('organisation', 'sign-page', build, '--key', key);
const verify = (path: string, org = pin, ...rest: string[]) =>
  sealbox('verify-page', path, '--organisation', org, ...rest);

/** Flips the last byte of a file. */
async function flipByte(path: string): Promise<void> {
  const bytes = await readFile(path);
  bytes[bytes.length - 1]! ^= 1;
  await writeFile(path, bytes);
}

t.test('the organisation signs a genuine build; anyone verifies it', async (t) => {
  const build = await copyOf(genuine);
  const signed = await signPage(build);
  t.equal(signed.code, EXIT.ok, signed.err);
  const manifestBytes = await readFile(join(build, 'manifest.json'));
  const digest = sha256Hex(manifestBytes);
  t.match(signed.out, new RegExp(`manifest.json SHA-256: +${digest}`), 'prints the digest');
  t.match(signed.out, new RegExp(`organisation: +${pin}`));
  t.match(signed.out, /version: +\d+\.\d+\.\d+/);
  t.match(signed.out, /saved page SHA-256: +none in this build/);
  const manifest = JSON.parse(manifestBytes.toString()) as { files: object };
  t.match(signed.out, new RegExp(`files: +${Object.keys(manifest.files).length},`));

  const file = JSON.parse(await readFile(join(build, PAGE_SIGNATURE_FILE), 'utf8')) as unknown;
  const payload = await verifyPageSignature(file, pin);
  t.equal(payload.manifest, digest, 'the signature covers these manifest bytes');
  t.equal(payload.saved, null);

  const ok = await verify(build);
  t.equal(ok.code, EXIT.ok, ok.out + ok.err);
  t.match(ok.out, /^OK: /m);
  t.match(ok.out, digest);
});

t.test('sign-page refuses a build that is not exactly what its manifest says', async (t) => {
  const changed = await copyOf(genuine);
  const manifest = JSON.parse(await readFile(join(changed, 'manifest.json'), 'utf8')) as {
    assets: { app: string };
  };
  await flipByte(join(changed, manifest.assets.app));
  const r = await signPage(changed);
  t.equal(r.code, EXIT.tampered, 'a changed script');
  t.match(r.out, manifest.assets.app, 'names the changed file');
  t.match(r.err, /nothing was signed/);
  await t.rejects(readFile(join(changed, PAGE_SIGNATURE_FILE)), 'no signature written');

  const extra = await copyOf(genuine);
  await writeFile(join(extra, 'assets', 'extra.js'), 'alert(1)');
  const e = await signPage(extra);
  t.equal(e.code, EXIT.tampered, 'an extra file');
  t.match(e.out, /assets\/extra.js: in the folder, but not listed/);

  const missing = await copyOf(genuine);
  await rm(join(missing, 'status.html'));
  t.equal((await signPage(missing)).code, EXIT.tampered, 'a missing file');
});

t.test('sign-page refuses a page not pinned to this organisation', async (t) => {
  const none = await signPage(await copyOf(unpinned));
  t.equal(none.code, EXIT.inputInvalid);
  t.match(none.err, /pins no organisation/);

  const elsewhere = await copyOf(genuine);
  const otherKey = join(dir, 'other.key');
  await organisationCreate({ out: otherKey }, testIo());
  const r = await signPage(elsewhere, otherKey);
  t.equal(r.code, EXIT.otherKeyset);
  t.match(r.err, new RegExp(`pins organisation ${pin}, but this key is organisation`));
  await t.rejects(readFile(join(elsewhere, PAGE_SIGNATURE_FILE)), 'no signature written');
});

t.test('verify-page refuses every difference and names it', async (t) => {
  const signed = await copyOf(genuine);
  t.equal((await signPage(signed)).code, EXIT.ok);
  const manifest = JSON.parse(await readFile(join(signed, 'manifest.json'), 'utf8')) as {
    assets: { loader: string };
  };

  const byteOff = await copyOf(signed);
  await flipByte(join(byteOff, manifest.assets.loader));
  const b = await verify(byteOff);
  t.equal(b.code, EXIT.tampered, 'a file one byte off');
  t.match(
    b.out,
    new RegExp(`${manifest.assets.loader}: SHA-256 is [0-9a-f]{64}, the manifest says`),
  );

  const added = await copyOf(signed);
  await writeFile(join(added, 'evil.html'), '<script>1</script>');
  const a = await verify(added);
  t.equal(a.code, EXIT.tampered, 'a file the manifest does not list');
  t.match(a.out, /evil.html: in the folder, but not listed/);

  const rewritten = await copyOf(signed);
  const text = await readFile(join(rewritten, 'manifest.json'), 'utf8');
  await writeFile(join(rewritten, 'manifest.json'), text.replace('"demo": false', '"demo": true'));
  const m = await verify(rewritten);
  t.equal(m.code, EXIT.tampered, 'a manifest changed after signing');
  t.match(m.out, /manifest.json: changed after signing/);

  const otherRoot = await copyOf(genuine);
  await signBuild(otherRoot, other);
  const o = await verify(otherRoot);
  t.equal(o.code, EXIT.otherKeyset, 'a signature by another root');
  t.match(o.out, new RegExp(`signed by organisation ${otherPin}, not by ${pin}`));

  const wrongPin = await verify(signed, otherPin);
  t.equal(wrongPin.code, EXIT.otherKeyset, 'checked against another fingerprint');
  t.match(wrongPin.out, new RegExp(`pins organisation ${pin}, not ${otherPin}`));

  const forged = await copyOf(signed);
  const sig = JSON.parse(await readFile(join(forged, PAGE_SIGNATURE_FILE), 'utf8')) as {
    signature: string;
  };
  sig.signature = `${sig.signature.slice(0, -2)}${sig.signature.endsWith('AA') ? 'AB' : 'AA'}`;
  await writeFile(join(forged, PAGE_SIGNATURE_FILE), JSON.stringify(sig));
  const f = await verify(forged);
  t.equal(f.code, EXIT.tampered, 'a signature changed');
  t.match(f.out, /does not verify/);

  const noSig = await copyOf(genuine);
  t.equal((await verify(noSig)).code, EXIT.inputInvalid, 'no signature at all');
  t.equal((await verify(join(dir, 'nowhere'))).code, EXIT.inputInvalid, 'no such page');
  t.equal((await verify(signed, 'ABCD-1234')).code, EXIT.usage, 'not a fingerprint');
});

t.test('verify-page checks a saved page against the signed digest', async (t) => {
  const build = await copyOf(genuine);
  const saved = join(build, 'sealbox-saved.html');
  await writeFile(saved, '<!doctype html><title>Sealbox</title><p>saved page stand-in</p>');
  const signature = await signBuild(build, await unlockedOrg(), 'sealbox-saved.html');
  t.ok(signature);
  const ok = await verify(saved);
  t.equal(ok.code, EXIT.ok, ok.out + ok.err);
  t.match(ok.out, sha256Hex(await readFile(saved)));

  const elsewhere = join(dir, 'elsewhere.sig.json');
  await cp(join(build, PAGE_SIGNATURE_FILE), elsewhere);
  await flipByte(saved);
  const off = await verify(saved, pin, '--signature', elsewhere);
  t.equal(off.code, EXIT.tampered, 'a saved page one byte off');
  t.match(off.out, /not the saved page the organisation signed/);

  const plain = await copyOf(genuine);
  await signBuild(plain, await unlockedOrg());
  await writeFile(join(plain, 'page.html'), '<!doctype html>');
  const none = await verify(join(plain, 'page.html'));
  t.equal(none.code, EXIT.tampered, 'a signature that covers no saved page');
  t.match(none.out, /covers no saved page/);
});

/** The organisation key of orgKey, unlocked as sign-page does, for the test helper. */
function unlockedOrg() {
  return loadSigningKey(orgKey, 'organisation', keyOptions(testIo()));
}
