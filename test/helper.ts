// Test scaffolding: a fresh, migrated database per test, and `build(t)` for an
// app on it. PostgreSQL (DATABASE_URL set): a new database per test, dropped in
// teardown. PGlite: a fresh data dir costs seconds and ~750 MiB, so one
// migrated template is made per migrations version (under a lock, since tap
// runs files in parallel) and copied per test.
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdir, readFile, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Challenge } from 'altcha-lib';
import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import pg from 'pg';
import {
  DOCUMENT_VERSION,
  courierCard,
  deriveReceiptKeys,
  generateReceipt,
  sealDocument,
  generateCourierKey,
  generateOrganisationKey,
  generateReviewerIdentity,
  isoDate,
  reviewerCard,
  reviewerFingerprint,
  signKeyset,
  toBase64Url,
  verifyKeyset,
} from '../client-crypto/index.ts';
import type {
  CourierKey,
  Desk,
  Keyset,
  ReceiptKeys,
  EpochKey,
  ReviewerIdentity,
  SealedDocument,
  SealingKeys,
  SignedEpochKey,
  SignedKeyset,
  SigningKeyPair,
} from '../client-crypto/index.ts';
import { buildApp } from '../server/app.ts';
import type { Config } from '../server/config.ts';
import { loadConfig } from '../server/config.ts';
import { insertEpochKey } from '../server/db/epochs.ts';
import { epochKeyRow } from '../server/epochs.ts';
import { storeKeyset } from '../server/db/keysets.ts';
import type { Secrets } from '../server/secrets.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../server/db/database.ts';
import { pgliteDatabase, postgresDatabase } from '../server/db/database.ts';
import { migrateToLatest, migrationFolder } from '../server/db/migrate.ts';
import type { NewSubmission } from '../server/db/submissions.ts';
import type { Followup, Submission } from '../server/db/tables.ts';
import type { TestEpoch } from './epochs.ts';
import { currentEpochs, epochSealingKeys } from './epochs.ts';

export interface Teardown {
  teardown(fn: () => unknown): void;
}

export const onPostgres = Boolean(process.env.DATABASE_URL);

async function migrationsDigest(): Promise<string> {
  const hash = createHash('sha256');
  for (const name of (await readdir(migrationFolder)).sort()) {
    hash.update(name).update(await readFile(join(migrationFolder, name)));
  }
  return hash.digest('hex').slice(0, 16);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export async function pgliteTemplate(): Promise<string> {
  const template = join(tmpdir(), `sealbox-pglite-template-${await migrationsDigest()}`);
  const lock = `${template}.lock`;
  for (;;) {
    if (await exists(template)) return template;
    try {
      await mkdir(lock);
    } catch {
      // Someone else is building it; a lock older than two minutes is stale.
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > 120_000) await rmdir(lock).catch(() => undefined);
      await sleep(200);
      continue;
    }
    try {
      const building = `${template}.building-${process.pid}`;
      await rm(building, { recursive: true, force: true });
      const db = await pgliteDatabase(building);
      await migrateToLatest(db);
      await db.destroy();
      await rename(building, template);
    } finally {
      await rmdir(lock).catch(() => undefined);
    }
  }
}

/**
 * A new, empty database on the PostgreSQL server of DATABASE_URL, named
 * `<prefix>_<random>`. In teardown, `close` runs (it ends the connections
 * the test opened), then the database is dropped.
 */
export async function emptyPostgres(
  t: Teardown,
  prefix: string,
  close: () => unknown = () => undefined,
): Promise<{ name: string; url: URL }> {
  const server = process.env.DATABASE_URL;
  if (!server) throw new Error('emptyPostgres needs DATABASE_URL');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  t.teardown(async () => {
    await close();
    const a = new pg.Client({ connectionString: server });
    await a.connect();
    await a.query(`drop database if exists ${name} with (force)`);
    await a.end();
  });
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { name, url };
}

/** A fresh migrated PostgreSQL database (DATABASE_URL), dropped in teardown. */
export async function testPostgres(t: Teardown): Promise<{ db: Db; url: string }> {
  const { url } = await emptyPostgres(t, 'sealbox_t', () => db.destroy());
  const db = postgresDatabase(url.toString(), 4);
  await migrateToLatest(db);
  return { db, url: url.toString() };
}

/** A database and, on PostgreSQL, a second pool of 16 connections for requests racing at once. */
export async function racingDatabase(t: Teardown): Promise<{ db: Db; wide: Db; url?: string }> {
  if (!onPostgres) {
    const db = await testDatabase(t);
    return { db, wide: db };
  }
  const { db, url } = await testPostgres(t);
  const wide = postgresDatabase(url, 16);
  t.teardown(() => wide.destroy());
  return { db, wide, url };
}

// Rows written directly, for tests of the data layer and of exports: the
// server itself admits cases in one statement (server/db/admission.ts).

/** Inserts a submission; undefined when the lookup token is already taken. */
export async function insertSubmission(
  db: Db,
  s: Omit<NewSubmission, 'effortLevel'> & { effortLevel?: number },
): Promise<number | undefined> {
  const row = await db
    .insertInto('submissions')
    .values({
      case_id: s.caseId,
      lookup_hash: s.lookupHash,
      keyset_version: s.keysetVersion,
      envelope: s.envelope,
      received: s.received,
      status_on: s.received,
      ...(s.effortLevel === undefined ? {} : { effort_level: s.effortLevel }),
    })
    .onConflict((oc) => oc.column('lookup_hash').doNothing())
    .returning('seq')
    .executeTakeFirst();
  return row?.seq;
}

/** Submissions after an export cursor, oldest first. */
export async function listSubmissionsAfter(
  db: Db,
  afterSeq: number,
  limit: number,
): Promise<Submission[]> {
  return db
    .selectFrom('submissions')
    .selectAll()
    .where('seq', '>', afterSeq)
    .where('envelope', 'is not', null)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/** Follow-ups after an export cursor, oldest first, with their case id. */
export async function listFollowupsAfter(
  db: Db,
  afterSeq: number,
  limit: number,
): Promise<(Followup & { case_id: string })[]> {
  return db
    .selectFrom('followups as f')
    .innerJoin('submissions as s', 's.seq', 'f.submission_seq')
    .selectAll('f')
    .select('s.case_id')
    .where('f.seq', '>', afterSeq)
    .orderBy('f.seq')
    .limit(limit)
    .execute();
}

/** The admissions the daily-cap row holds for `day` (undefined: no row). */
export async function dayCount(db: Db, day: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('submissions_per_day')
    .select('count')
    .where('day', '=', day)
    .executeTakeFirst();
  return row?.count;
}

/** A fresh migrated database that lives until the end of the test. */
export async function testDatabase(t: Teardown): Promise<Db> {
  if (onPostgres) return (await testPostgres(t)).db;
  const template = await pgliteTemplate();
  const dir = join(tmpdir(), `sealbox-pglite-${randomBytes(6).toString('hex')}`);
  await cp(template, dir, { recursive: true });
  const db = await pgliteDatabase(dir);
  t.teardown(async () => {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });
  return db;
}

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  config: Config;
  secrets: Secrets;
  /** Log lines written so far (every level from debug, unless the test set SEALBOX_LOG_LEVEL). */
  log: string[];
  /** The sink behind `log`: add canaries that no log line may contain. */
  logSink: LogSink;
}

/** Loopback and the addresses and agents the test client itself uses: not identifying. */
const HARMLESS = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1', 'localhost', 'lightMyRequest']);

/**
 * Every app built by `build(t)` writes its log here. The sink remembers, from
 * every request, what identifies who sent it (client address, each
 * X-Forwarded-For hop, user agent, a lookup token in the body) and any canary
 * a test registers; at teardown the test fails if a log line contains one.
 */
export class LogSink {
  readonly lines: string[] = [];
  readonly forbidden = new Map<string, string>();
  readonly stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      this.lines.push(chunk.toString('utf8'));
      done();
    },
  });

  forbid(value: unknown, what: string): void {
    if (typeof value !== 'string') return;
    const v = value.trim();
    // Very short values (a one-letter agent, "0") would match by chance.
    if (v.length < 7 || HARMLESS.has(v) || this.forbidden.has(v)) return;
    this.forbidden.set(v, what);
  }

  /** What identifies the sender of one request. */
  record(request: FastifyRequest): void {
    const { headers } = request;
    for (const value of [headers['x-forwarded-for']].flat()) {
      for (const hop of (value ?? '').split(',')) this.forbid(hop, 'an X-Forwarded-For address');
    }
    for (const value of [headers['x-real-ip']].flat()) this.forbid(value, 'an X-Real-IP address');
    this.forbid(headers['user-agent'], 'a user agent');
    this.forbid(request.ip, 'the client address');
    for (const ip of request.ips ?? []) this.forbid(ip, 'a client address');
  }

  recordBody(body: unknown): void {
    if (typeof body === 'object' && body !== null && 'lookupToken' in body)
      this.forbid(body.lookupToken, 'a lookup token');
  }

  /** Each forbidden value found in the log, with the line it is in. */
  leaks(): string[] {
    const found: string[] = [];
    for (const line of this.lines) {
      for (const [value, what] of this.forbidden) {
        if (line.includes(value)) found.push(`${what} (${value}) in the log line: ${line.trim()}`);
      }
    }
    return found;
  }
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    SEALBOX_DATA_DIR: join(tmpdir(), 'sealbox-unused-data-dir'),
    // No page unless a test builds one: web/dist of the checkout is pinned to
    // whatever organisation it was last built for.
    SEALBOX_WEB_DIR: join(tmpdir(), 'sealbox-no-web-dir'),
    SEALBOX_POW_DIFFICULTY: '20',
    SEALBOX_LOG_LEVEL: 'silent',
    // Parallel test files and TypeScript compilation stall the event loop;
    // the overload answer has its own test (test/server/limits.test.ts).
    SEALBOX_MAX_EVENT_LOOP_DELAY_MS: '0',
    // Commit windows are exercised, but short: the default would add seconds
    // to every anonymous write (test/adversary/server-seizure.test.ts takes longer ones).
    SEALBOX_COMMIT_WINDOW_MS: '10',
    ...env,
  });
}

export const testSecrets: Secrets = {
  pepper: new Uint8Array(randomBytes(32)),
  powSecret: randomBytes(32).toString('base64url'),
};

/**
 * An app on a fresh database, closed in teardown. Its log goes to a LogSink,
 * and the test fails at teardown if any log line names who sent a request.
 */
export async function build(
  t: Teardown,
  options: {
    env?: Record<string, string>;
    /** Kept for callers that asked for the log explicitly: every app's log is captured now. */
    captureLog?: boolean;
    db?: Db;
    secrets?: Secrets;
  } = {},
): Promise<TestApp> {
  const db = options.db ?? (await testDatabase(t));
  const config = testConfig({ SEALBOX_LOG_LEVEL: 'debug', ...options.env });
  const sink = new LogSink();
  const secrets = options.secrets ?? testSecrets;
  const app = await buildApp({ config, secrets, db, logStream: sink.stream });
  app.addHook('onRequest', async (request) => sink.record(request));
  app.addHook('preValidation', async (request) => sink.recordBody(request.body));
  t.teardown(async () => {
    await app.close();
    const leaks = sink.leaks();
    if (leaks.length) throw new Error(`the log names who sent a request:\n${leaks.join('\n')}`);
  });
  return { app, db, config, secrets, log: sink.lines, logSink: sink };
}

export interface TestKeyset {
  org: SigningKeyPair;
  reviewer: ReviewerIdentity;
  courier: CourierKey;
  keyset: Keyset;
  signed: SignedKeyset;
  /** One current epoch key per reviewer (a week from three days ago). */
  epochs: TestEpoch[];
  /** What a page seals to today: the current epoch key of every reviewer. */
  sealing: SealingKeys;
}

/**
 * Makes an organisation, one reviewer and one courier, and stores their
 * signed keyset and the reviewer's current epoch key.
 */
export async function seedKeyset(db: Db, version = 1): Promise<TestKeyset> {
  const made = await makeKeyset(version);
  await storeKeyset(db, version, JSON.stringify(made.signed));
  await storeEpochs(db, made.epochs);
  return made;
}

/** Stores epoch keys as POST /v1/courier/epochs would, without a courier; false for any already stored. */
export async function storeEpochs(db: Db, epochs: readonly TestEpoch[]): Promise<boolean[]> {
  return storeSignedEpochs(
    db,
    epochs.map((e) => e.signed),
  );
}

/** Stores signed epoch keys (not verified: the caller made them); false for any already stored. */
export async function storeSignedEpochs(
  db: Db,
  epochs: readonly SignedEpochKey[],
): Promise<boolean[]> {
  const results: boolean[] = [];
  for (const signed of epochs) {
    const key = JSON.parse(Buffer.from(signed.payload, 'base64url').toString('utf8')) as EpochKey;
    results.push(await insertEpochKey(db, await epochKeyRow(key, signed)));
  }
  return results;
}

/**
 * Makes an organisation, one reviewer and one courier, their signed keyset
 * and the reviewer's current epoch key.
 */
export async function makeKeyset(version = 1): Promise<TestKeyset> {
  const org = await generateOrganisationKey();
  const reviewer = await generateReviewerIdentity('Test Reviewer');
  const courier = await generateCourierKey('Test Courier');
  const now = new Date();
  const keyset: Keyset = {
    version,
    issued: isoDate(now),
    expires: isoDate(new Date(now.getTime() + 365 * 86_400_000)),
    reviewers: [reviewerCard(reviewer)],
    couriers: [courierCard(courier)],
  };
  const signed = await signKeyset(keyset, org);
  const epochs = await currentEpochs([reviewer], now);
  const sealing = await epochSealingKeys(keyset, epochs, now);
  return { org, reviewer, courier, keyset, signed, epochs, sealing };
}

export interface DeskKeyset {
  org: SigningKeyPair;
  /** One reviewer per name given, in keyset order. */
  reviewers: ReviewerIdentity[];
  /** The keyset as verified against `org`, its desks included. */
  keyset: Keyset;
  signed: SignedKeyset;
  /** One current epoch key per reviewer, in keyset order. */
  epochs: TestEpoch[];
  sealing: SealingKeys;
}

/**
 * An organisation whose keyset divides reviewers (one per name) into the desks
 * `desks` makes from their fingerprints (keyset order), signed by its root,
 * with every reviewer's current epoch key; stored in `db` when given.
 */
export async function makeDeskKeyset(
  names: readonly string[],
  desks: (fingerprints: string[]) => Desk[],
  db?: Db,
): Promise<DeskKeyset> {
  const org = await generateOrganisationKey();
  const reviewers = await Promise.all(names.map((name) => generateReviewerIdentity(name)));
  const now = new Date();
  const content: Keyset = {
    version: 1,
    issued: isoDate(now),
    expires: isoDate(new Date(now.getTime() + 365 * 86_400_000)),
    reviewers: reviewers.map(reviewerCard),
    couriers: [courierCard(await generateCourierKey('Courier'))],
  };
  content.desks = desks(await Promise.all(content.reviewers.map((c) => reviewerFingerprint(c))));
  const signed = await signKeyset(content, org);
  const keyset = await verifyKeyset(signed, { publicKey: org.publicKey });
  const epochs = await currentEpochs(reviewers, now);
  const sealing = await epochSealingKeys(keyset, epochs, now);
  if (db) {
    await storeKeyset(db, keyset.version, JSON.stringify(signed));
    await storeEpochs(db, epochs);
  }
  return { org, reviewers, keyset, signed, epochs, sealing };
}

/** Fetches a challenge (at effort `level`, if given) and solves it, as the page does. */
export async function solvedChallenge(app: FastifyInstance, level?: number): Promise<unknown> {
  const url = level === undefined ? '/v1/challenge' : `/v1/challenge?level=${level}`;
  const res = await app.inject({ method: 'GET', url });
  const challenge = res.json<Challenge>();
  const solution = await solveChallenge({ challenge, deriveKey });
  if (!solution) throw new Error('could not solve the challenge');
  return { challenge, solution };
}

/**
 * The body of POST /v1/submissions for a new case: fresh receipt keys (unless
 * given), a solved challenge from `app`, the sample document sealed to
 * `sealing` (or to the current epoch keys of a test keyset).
 */
export async function sampleSubmission(
  app: FastifyInstance,
  sealing: SealingKeys | Pick<TestKeyset, 'sealing'>,
  keys?: ReceiptKeys,
): Promise<{ challenge: unknown; lookupToken: string; envelope: string }> {
  const k = keys ?? (await deriveReceiptKeys(await generateReceipt()));
  return {
    challenge: await solvedChallenge(app),
    lookupToken: toBase64Url(k.lookupToken),
    envelope: toBase64Url(
      await sealDocument(
        sampleDocument('submission', k),
        'sealing' in sealing ? sealing.sealing : sealing,
        k.authorKeyPair,
      ),
    ),
  };
}

export function sampleDocument(
  kind: 'submission' | 'followup',
  keys: Pick<ReceiptKeys, 'replyKeyPair'>,
  attachments: SealedDocument['attachments'] = [],
): SealedDocument {
  const common = {
    v: DOCUMENT_VERSION,
    locale: 'en',
    form: 'reprisal-report',
    answers: { country: 'Atlantis', what: ['threats', 'surveillance'] },
    message: 'They followed me home after the session.',
    attachments,
  } satisfies Omit<SealedDocument, 'kind'>;
  return kind === 'submission'
    ? { ...common, kind, replyPublicKey: toBase64Url(keys.replyKeyPair.publicKey) }
    : { ...common, kind };
}

export { postgresDatabase };
