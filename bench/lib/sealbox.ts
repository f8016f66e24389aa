// The real Sealbox process (server/bin/main.ts) in a child, configured for a
// benchmark: a fresh database, a signed keyset published at start (and the
// reviewers' epoch keys, through the courier API, when given), secrets
// the benchmark knows (so it can hash lookup tokens), generous global limits
// and, where a benchmark says so, a low proof-of-work difficulty. Every proof
// is still verified and spent.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Challenge } from 'altcha-lib';
import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import {
  courierCard,
  generateCourierKey,
  generateOrganisationKey,
  signKeyset,
  toBase64Url,
} from '../../client-crypto/index.ts';
import type { Keyset, SignedEpochKey, SigningKeyPair } from '../../client-crypto/index.ts';
import { call, courierClient } from '../../reviewer/courier/http.ts';
import { type ChildServer, startChild } from './child.ts';

export interface SealboxServer extends ChildServer {
  pepper: Uint8Array;
  dataDir: string;
}

export const BENCH_POW_DIFFICULTY = 10;

export async function startSealbox(options: {
  keyset: Keyset;
  databaseUrl?: string | undefined;
  env?: Record<string, string>;
  nodeArgs?: string[];
  /** The organisation root; a page in SEALBOX_WEB_DIR must be built for it. */
  org?: SigningKeyPair;
  /** The reviewers' signed epoch keys, published by a courier the keyset lists. */
  epochs?: SignedEpochKey[];
}): Promise<SealboxServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sealbox-bench-'));
  const org = options.org ?? (await generateOrganisationKey());
  const courier = await generateCourierKey('Bench courier');
  const keyset: Keyset = options.epochs
    ? { ...options.keyset, couriers: [...options.keyset.couriers, courierCard(courier)] }
    : options.keyset;
  const keysetFile = join(dataDir, 'keyset.json');
  await writeFile(keysetFile, JSON.stringify(await signKeyset(keyset, org)));
  const pepper = new Uint8Array(randomBytes(32));
  const child = await startChild(
    'server/bin/main.ts',
    {
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: options.databaseUrl,
      SEALBOX_DATA_DIR: dataDir,
      SEALBOX_WEB_DIR: join(dataDir, 'no-web'),
      SEALBOX_KEYSET_FILE: keysetFile,
      SEALBOX_ORG_PUBLIC_KEY: toBase64Url(org.publicKey),
      SEALBOX_PEPPER: toBase64Url(pepper),
      SEALBOX_POW_SECRET: randomBytes(32).toString('base64url'),
      SEALBOX_POW_DIFFICULTY: String(BENCH_POW_DIFFICULTY),
      SEALBOX_WRITES_PER_MINUTE: '1000000',
      SEALBOX_READS_PER_MINUTE: '10000000',
      SEALBOX_SUBMISSIONS_PER_DAY: '100000000',
      SEALBOX_LOG_LEVEL: 'warn',
      // Commit windows (docs/operations.md) make every anonymous write wait for
      // the next window: that is latency by design, not work. The figures
      // measure the work; BENCH_COMMIT_WINDOW_MS measures with windows on.
      SEALBOX_COMMIT_WINDOW_MS: process.env.BENCH_COMMIT_WINDOW_MS ?? '0',
      ...options.env,
    },
    {
      nodeArgs: [
        ...(options.nodeArgs ?? []),
        // BENCH_SERVER_PROF_DIR: CPU profiles of the Sealbox server processes.
        ...(process.env.BENCH_SERVER_PROF_DIR
          ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_SERVER_PROF_DIR}`]
          : []),
      ],
    },
  );
  if (options.epochs) {
    await call(courierClient(child.url, courier), 'POST', '/v1/courier/epochs', {
      epochs: options.epochs,
    });
  }
  return {
    ...child,
    pepper,
    dataDir,
    async stop() {
      await child.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Fetches and solves `count` challenges, `parallel` at a time, before any timed phase. */
export async function solvedChallenges(
  url: string,
  count: number,
  parallel = 16,
): Promise<unknown[]> {
  const out: unknown[] = new Array(count);
  let next = 0;
  async function worker() {
    while (next < count) {
      const i = next++;
      let res = await fetch(`${url}/v1/challenge`);
      // Just after start-up a busy machine can trip the overload guard: wait it out.
      for (let tries = 0; res.status === 503 && tries < 40; tries++) {
        await new Promise((r) => setTimeout(r, 500));
        res = await fetch(`${url}/v1/challenge`);
      }
      if (!res.ok) throw new Error(`GET /v1/challenge answered ${res.status}`);
      const challenge = (await res.json()) as Challenge;
      const solution = await solveChallenge({ challenge, deriveKey });
      if (!solution) throw new Error('could not solve a challenge');
      out[i] = { challenge, solution };
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker));
  return out;
}
