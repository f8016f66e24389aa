// Every setting comes from the environment and is validated once, at start. A
// bad value stops the start with a message that names the variable, so an
// operator never runs with a silently ignored setting.
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be base64url without padding');

/** Variable name → schema. Names are the public interface documented in docs/operations.md. */
const schema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(3000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  SEALBOX_DATA_DIR: z.string().min(1).default('./data'),
  SEALBOX_PEPPER: base64url.min(43, 'must hold at least 32 bytes').optional(),
  SEALBOX_POW_SECRET: base64url.min(43, 'must hold at least 32 bytes').optional(),
  SEALBOX_POW_DIFFICULTY: int(1, 10_000_000).default(50_000),
  SEALBOX_POW_EXPIRES_SECONDS: int(30, 86_400).default(1_800),
  SEALBOX_POW_TOP_LEVEL: int(0, 24).default(6),
  SEALBOX_POW_LEVEL: int(0, 24).optional(),
  SEALBOX_POW_WINDOW_SECONDS: int(1, 86_400).default(600),
  SEALBOX_POW_BUSY_ADMISSIONS: int(1, 100_000_000).optional(),
  SEALBOX_UPLOAD_MAX_BYTES: int(1, 64 * GiB).default(2 * GiB),
  SEALBOX_UPLOAD_PENDING_MAX_BYTES: int(1, 1024 * GiB).default(50 * GiB),
  SEALBOX_UPLOAD_PART_MAX_BYTES: int(64 * KiB, 64 * MiB).default(MiB),
  SEALBOX_UPLOAD_PARTS_IN_FLIGHT: int(1, 1024).default(4),
  SEALBOX_UPLOAD_PART_WAIT_SECONDS: int(1, 600).default(10),
  SEALBOX_UPLOAD_EXPIRY_HOURS: int(1, 8_760).default(24),
  SEALBOX_BODY_LIMIT_BYTES: int(KiB, 64 * MiB).default(4 * MiB),
  SEALBOX_ORG_PUBLIC_KEY: base64url.optional(),
  SEALBOX_ORG_FINGERPRINT: z.string().min(8).optional(),
  SEALBOX_KEYSET_FILE: z.string().min(1).optional(),
  SEALBOX_WEB_DIR: z.string().min(1).optional(),
  SEALBOX_EXIT_URL: z.url({ protocol: /^https$/ }).optional(),
  SEALBOX_PAGE_TITLE: z
    .string()
    .trim()
    .max(120)
    .regex(/^[^\r\n]*$/, 'one line')
    .optional(),
  SEALBOX_ONION_LOCATION: z.url({ protocol: /^https?$/ }).optional(),
  SEALBOX_TRUST_PROXY: flag.default(false),
  SEALBOX_RETENTION_DAYS: int(1, 36_500).default(30),
  SEALBOX_MIGRATE_ON_START: flag.default(true),
  SEALBOX_WRITES_PER_MINUTE: int(1, 1_000_000).default(600),
  SEALBOX_READS_PER_MINUTE: int(1, 10_000_000).default(6_000),
  SEALBOX_SUBMISSIONS_PER_DAY: int(1, 100_000_000).default(20_000),
  SEALBOX_SUBMISSIONS_HARD_PER_DAY: int(1, 1_000_000_000).optional(),
  SEALBOX_FOLLOWUPS_PER_MINUTE: int(1, 1_000_000).default(600),
  SEALBOX_FOLLOWUPS_PER_CASE_PER_DAY: int(1, 100_000).default(20),
  SEALBOX_MAX_EVENT_LOOP_DELAY_MS: int(0, 60_000).default(1_000),
  SEALBOX_MIN_FREE_BYTES: int(0, 1024 * GiB).default(256 * MiB),
  SEALBOX_WATCHDOG_SECONDS: int(0, 86_400).default(120),
  SEALBOX_COMMIT_WINDOW_MS: int(0, 60_000).default(5_000),
  SEALBOX_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info'),
});

export interface Config {
  host: string;
  port: number;
  databaseUrl: string | undefined;
  dataDir: string;
  /** Unset → generated once and kept in the data directory (see secrets.ts). */
  pepper: string | undefined;
  powSecret: string | undefined;
  /**
   * difficulty: the base difficulty (level 0); level k is difficulty × 2^k, k
   * in 0..topLevel. pinnedLevel: the minimum level the operator fixed, in place
   * of the one that follows load. windowSeconds: how far back an instance
   * counts admissions; busyAdmissions: the admissions in a window from which
   * the rate level rises one level per doubling (server/effort.ts).
   */
  pow: {
    difficulty: number;
    expiresSeconds: number;
    topLevel: number;
    pinnedLevel: number | undefined;
    windowSeconds: number;
    busyAdmissions: number;
  };
  /**
   * pendingMaxBytes: bytes stored for all uploads not (yet) part of a case, together.
   * partsInFlight: parts held in memory at once by this instance.
   * partWaitMs: how long a part beyond those may wait for a turn.
   * expiryHours: an upload no case has claimed (finished or not) is dropped
   * this long after the end of the day it began (only the date is stored).
   */
  upload: {
    maxBytes: number;
    partMaxBytes: number;
    pendingMaxBytes: number;
    partsInFlight: number;
    partWaitMs: number;
    expiryHours: number;
  };
  bodyLimit: number;
  /** demo: the DEMO organisation of the data directory (set at start-up, never by a variable). */
  org: { publicKey: string | undefined; fingerprint: string | undefined; demo: boolean };
  keysetFile: string | undefined;
  /**
   * The built page (web/dist by default); unset directory → no page, API only. A
   * page pinned to another organisation than org is refused (plugins/web.ts).
   */
  webDir: string;
  exitUrl: string | undefined;
  /** SEALBOX_PAGE_TITLE: the neutral title the page must carry, if the operator chose one. */
  pageTitle: string | undefined;
  onionLocation: string | undefined;
  trustProxy: boolean;
  retentionDays: number;
  migrateOnStart: boolean;
  limits: {
    writesPerMinute: number;
    readsPerMinute: number;
    /** The soft cap: past it, only top-level proofs open new cases. */
    submissionsPerDay: number;
    /** The hard cap: no new case past it, whatever the effort. */
    submissionsHardPerDay: number;
    followupsPerMinute: number;
    followupsPerCasePerDay: number;
    /** Above this event-loop delay the app answers 503; 0 turns the check off. */
    maxEventLoopDelayMs: number;
    /** Writes are refused while the PGlite data volume has less free; 0 turns the check off. */
    minFreeBytes: number;
    /** The process ends itself when its event loop is stuck this long; 0 turns it off. */
    watchdogSeconds: number;
  };
  /**
   * Anonymous writes commit together at multiples of this many milliseconds
   * (db/commit-window.ts); 0 commits each at once, leaving exact times in the WAL.
   */
  commitWindowMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable counts as unset: `FOO= npm start` should not mean "invalid".
  const present = Object.fromEntries(
    Object.keys(schema.shape).flatMap((k) => (env[k] ? [[k, env[k]]] : [])),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  if (e.SEALBOX_UPLOAD_PART_MAX_BYTES > e.SEALBOX_UPLOAD_MAX_BYTES) {
    throw new ConfigError(
      'invalid configuration\n  SEALBOX_UPLOAD_PART_MAX_BYTES: must not exceed SEALBOX_UPLOAD_MAX_BYTES',
    );
  }
  const fail = (line: string) => new ConfigError(`invalid configuration\n  ${line}`);
  const topDifficulty = e.SEALBOX_POW_DIFFICULTY * 2 ** e.SEALBOX_POW_TOP_LEVEL;
  // altcha's counter is a uint32: the top level's secret counter must fit in one.
  if (topDifficulty > 0xffff_ffff) {
    throw fail(
      'SEALBOX_POW_TOP_LEVEL: SEALBOX_POW_DIFFICULTY × 2^level must not exceed 4294967295',
    );
  }
  if (e.SEALBOX_POW_LEVEL !== undefined && e.SEALBOX_POW_LEVEL > e.SEALBOX_POW_TOP_LEVEL) {
    throw fail('SEALBOX_POW_LEVEL: must not exceed SEALBOX_POW_TOP_LEVEL');
  }
  const hardPerDay = e.SEALBOX_SUBMISSIONS_HARD_PER_DAY ?? 10 * e.SEALBOX_SUBMISSIONS_PER_DAY;
  if (hardPerDay < e.SEALBOX_SUBMISSIONS_PER_DAY) {
    throw fail('SEALBOX_SUBMISSIONS_HARD_PER_DAY: must not be below SEALBOX_SUBMISSIONS_PER_DAY');
  }
  return {
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.SEALBOX_DATA_DIR,
    pepper: e.SEALBOX_PEPPER,
    powSecret: e.SEALBOX_POW_SECRET,
    pow: {
      difficulty: e.SEALBOX_POW_DIFFICULTY,
      expiresSeconds: e.SEALBOX_POW_EXPIRES_SECONDS,
      topLevel: e.SEALBOX_POW_TOP_LEVEL,
      pinnedLevel: e.SEALBOX_POW_LEVEL,
      windowSeconds: e.SEALBOX_POW_WINDOW_SECONDS,
      // By default: the rate that would fill the soft cap in twelve hours.
      busyAdmissions:
        e.SEALBOX_POW_BUSY_ADMISSIONS ??
        Math.max(
          1,
          Math.ceil((e.SEALBOX_SUBMISSIONS_PER_DAY * e.SEALBOX_POW_WINDOW_SECONDS) / 43_200),
        ),
    },
    upload: {
      maxBytes: e.SEALBOX_UPLOAD_MAX_BYTES,
      partMaxBytes: e.SEALBOX_UPLOAD_PART_MAX_BYTES,
      pendingMaxBytes: e.SEALBOX_UPLOAD_PENDING_MAX_BYTES,
      partsInFlight: e.SEALBOX_UPLOAD_PARTS_IN_FLIGHT,
      partWaitMs: e.SEALBOX_UPLOAD_PART_WAIT_SECONDS * 1000,
      expiryHours: e.SEALBOX_UPLOAD_EXPIRY_HOURS,
    },
    bodyLimit: e.SEALBOX_BODY_LIMIT_BYTES,
    org: {
      publicKey: e.SEALBOX_ORG_PUBLIC_KEY,
      fingerprint: e.SEALBOX_ORG_FINGERPRINT,
      demo: false,
    },
    keysetFile: e.SEALBOX_KEYSET_FILE,
    webDir: e.SEALBOX_WEB_DIR ?? fileURLToPath(new URL('../web/dist', import.meta.url)),
    exitUrl: e.SEALBOX_EXIT_URL,
    pageTitle: e.SEALBOX_PAGE_TITLE || undefined,
    onionLocation: e.SEALBOX_ONION_LOCATION,
    trustProxy: e.SEALBOX_TRUST_PROXY,
    retentionDays: e.SEALBOX_RETENTION_DAYS,
    migrateOnStart: e.SEALBOX_MIGRATE_ON_START,
    limits: {
      writesPerMinute: e.SEALBOX_WRITES_PER_MINUTE,
      readsPerMinute: e.SEALBOX_READS_PER_MINUTE,
      submissionsPerDay: e.SEALBOX_SUBMISSIONS_PER_DAY,
      submissionsHardPerDay: hardPerDay,
      followupsPerMinute: e.SEALBOX_FOLLOWUPS_PER_MINUTE,
      followupsPerCasePerDay: e.SEALBOX_FOLLOWUPS_PER_CASE_PER_DAY,
      maxEventLoopDelayMs: e.SEALBOX_MAX_EVENT_LOOP_DELAY_MS,
      minFreeBytes: e.SEALBOX_MIN_FREE_BYTES,
      watchdogSeconds: e.SEALBOX_WATCHDOG_SECONDS,
    },
    commitWindowMs: e.SEALBOX_COMMIT_WINDOW_MS,
    logLevel: e.SEALBOX_LOG_LEVEL,
  };
}
