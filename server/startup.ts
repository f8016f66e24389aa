// What happens between reading the configuration and listening: secrets,
// database, migrations, making sure a keyset is published, and making sure the
// page to serve is pinned to the organisation the server trusts. Kept apart
// from bin/main.ts so that tests can run it on a scratch data directory.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  PAGE_SIGNATURE_FILE,
  PAGE_SIGNATURE_PATH,
  fingerprint,
  fromBase64Url,
  isSealboxError,
  verifyKeyset,
} from '../client-crypto/index.ts';
import type { Config } from './config.ts';
import { ConfigError } from './config.ts';
import type { Db } from './db/database.ts';
import { openDatabase } from './db/database.ts';
import { insertEpochKey } from './db/epochs.ts';
import { latestKeyset, storeKeyset } from './db/keysets.ts';
import { migrateToLatest } from './db/migrate.ts';
import { createDemo, demoDir, readDemoOrganisation } from './demo.ts';
import { signDemoPage } from './demo-page.ts';
import { epochKeyRow } from './epochs.ts';
import { type WebFiles, loadWeb, pageExpectation } from './plugins/web.ts';
import type { Secrets } from './secrets.ts';
import { resolveSecrets } from './secrets.ts';

export interface Started {
  config: Config;
  secrets: Secrets;
  db: Db;
  notes: string[];
  /** Fingerprint of the organisation root that signed the current keyset. */
  organisationFingerprint: string | undefined;
}

/**
 * Publishes SEALBOX_KEYSET_FILE if it is newer than the stored keyset, or
 * makes the DEMO keyset when there is nothing at all. Returns the config with
 * the organisation pin filled in for a demo.
 */
export async function ensureKeyset(config: Config, db: Db, notes: string[]): Promise<Config> {
  const pinned = config.org.publicKey !== undefined || config.org.fingerprint !== undefined;
  if (config.keysetFile) {
    if (!pinned) {
      throw new ConfigError(
        'invalid configuration\n  SEALBOX_KEYSET_FILE: needs SEALBOX_ORG_FINGERPRINT or SEALBOX_ORG_PUBLIC_KEY to verify it',
      );
    }
    let signed: unknown;
    try {
      signed = JSON.parse(await readFile(config.keysetFile, 'utf8'));
    } catch (error) {
      throw new ConfigError(
        `invalid configuration\n  SEALBOX_KEYSET_FILE: cannot read ${config.keysetFile} (${(error as Error).message})`,
      );
    }
    try {
      const keyset = await verifyKeyset(signed, organisationPin(config));
      const stored = await storeKeyset(db, keyset.version, JSON.stringify(signed));
      notes.push(
        stored
          ? `published keyset version ${keyset.version} from ${config.keysetFile}`
          : `keyset version ${keyset.version} from ${config.keysetFile} is not newer than the stored one; kept the stored one`,
      );
    } catch (error) {
      if (!isSealboxError(error)) throw error;
      throw new ConfigError(
        `invalid configuration\n  SEALBOX_KEYSET_FILE: ${error.message} (${error.code})`,
      );
    }
    return config;
  }
  if (pinned) return config;
  const demoKey = await readDemoOrganisation(config.dataDir);
  if (demoKey) {
    notes.push('DEMO organisation in use (no organisation key configured)');
    return { ...config, org: { publicKey: toB64(demoKey), fingerprint: undefined, demo: true } };
  }
  if (await latestKeyset(db)) {
    notes.push(
      'WARNING: a keyset is stored but no organisation key is configured; set SEALBOX_ORG_FINGERPRINT so that newer keysets can be accepted',
    );
    return config;
  }
  const demo = await createDemo(config.dataDir);
  await storeKeyset(db, demo.keyset.version, JSON.stringify(demo.signed));
  for (const { key, signed } of demo.epochs)
    await insertEpochKey(db, await epochKeyRow(key, signed));
  notes.push(
    `DEMO keys created in ${demo.dir} (read its README.txt: they protect nothing; never use them for real cases)`,
    `DEMO reviewer: ${demo.epochs.length} weekly epoch keys published, until ${demo.epochs.at(-1)!.key.ends}`,
  );
  return {
    ...config,
    org: { publicKey: toB64(demo.organisationPublicKey), fingerprint: undefined, demo: true },
  };
}

/**
 * Checks the built page against the organisation the server trusts (plugins/web.ts
 * refuses a page pinned to another one, or a signature that is not for this
 * build). With the DEMO organisation, the page is signed with its key at start
 * (demo-page.ts), and a page not built for it (on the first start, `npm run
 * build:web` ran before the demo existed; an image is built before it) is built
 * for it into data/demo/web and served from there. Never for a configured
 * organisation: its page is built, signed offline and its digest published by
 * the operator.
 */
export async function preparePage(config: Config, notes: string[]): Promise<Config> {
  if (!existsSync(join(config.webDir, 'manifest.json'))) {
    notes.push(`no built page in ${config.webDir} (npm run build:web): serving the API only`);
    return config;
  }
  const expected = await pageExpectation(config);
  try {
    // A read-only build folder cannot take the DEMO signature: rebuild it below.
    if (
      config.org.demo &&
      !(await signDemoPage(config.webDir, config.dataDir).catch(() => false))
    ) {
      throw new ConfigError('the page is not built for the DEMO organisation');
    }
    const files = await loadWeb(config.webDir, expected);
    notes.push(...(await pageNotes(config, config.webDir, files)));
    return config;
  } catch (error) {
    if (!config.org.demo || !(error instanceof ConfigError)) throw error;
  }
  const webDir = join(demoDir(config.dataDir), 'web');
  const { buildWeb } = await import('../web/build.ts');
  await buildWeb({
    outDir: webDir,
    orgFingerprint: expected.fingerprint,
    demo: true,
    exitUrl: config.exitUrl,
    ...(config.pageTitle !== undefined ? { title: config.pageTitle } : {}),
  });
  await signDemoPage(webDir, config.dataDir);
  notes.push(`built the page for the DEMO organisation into ${webDir}`);
  notes.push(...(await pageNotes(config, webDir, await loadWeb(webDir, expected))));
  return { ...config, webDir };
}

/** The digest to publish with the fingerprint (it covers every byte of the page), and whether it is signed. */
async function pageNotes(
  config: Config,
  webDir: string,
  files: WebFiles | undefined,
): Promise<string[]> {
  const manifest = await readFile(join(webDir, 'manifest.json'));
  const digest = createHash('sha256').update(manifest).digest('hex');
  const notes = [`page: ${webDir}, manifest.json SHA-256 ${digest}`];
  const pinned = (
    JSON.parse(manifest.toString('utf8')) as { org?: { fingerprint?: string | null } }
  ).org?.fingerprint;
  if (files?.has(PAGE_SIGNATURE_PATH)) {
    notes.push(
      `page signature: by the ${config.org.demo ? 'DEMO ' : ''}organisation, for this build, served at ${PAGE_SIGNATURE_PATH}`,
    );
  } else if (pinned) {
    notes.push(
      `WARNING: the page is NOT SIGNED by its organisation: every browser will refuse to seal with it until it is. On the offline machine: sealbox organisation sign-page ${webDir} --key ORG.key, then copy its ${PAGE_SIGNATURE_FILE} into ${webDir} and restart (docs/operations.md, "The signing ceremony")`,
    );
  }
  return notes;
}

function toB64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

export function organisationPin(config: Config): { publicKey?: Uint8Array; fingerprint?: string } {
  return {
    ...(config.org.publicKey ? { publicKey: fromBase64Url(config.org.publicKey) } : {}),
    ...(config.org.fingerprint ? { fingerprint: config.org.fingerprint } : {}),
  };
}

export async function startup(initial: Config): Promise<Started> {
  const notes: string[] = [];
  const secrets = await resolveSecrets(initial);
  if (!initial.pepper || !initial.powSecret) {
    notes.push(
      `secrets not given in the environment are kept in ${initial.dataDir}/secrets (mode 0600); every instance must share them`,
    );
  }
  const db = await openDatabase(initial);
  try {
    if (initial.migrateOnStart) {
      const applied = await migrateToLatest(db);
      if (applied.length) notes.push(`migrations applied: ${applied.join(', ')}`);
    }
    const config = await preparePage(await ensureKeyset(initial, db, notes), notes);
    const stored = await latestKeyset(db);
    const signer = stored && (JSON.parse(stored.signed) as { signer?: string }).signer;
    const organisationFingerprint = signer ? await fingerprint(fromBase64Url(signer)) : undefined;
    return { config, secrets, db, notes, organisationFingerprint };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}
