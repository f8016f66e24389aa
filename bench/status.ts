// Benchmark 2: POST /v1/status against 100,000 stored cases on PostgreSQL.
// The same run measures Fastify's hello world and a bare Fastify + pg route
// doing the same indexed lookup, to show where the time goes on this machine.
import { getSodium } from '../client-crypto/index.ts';
import { insertCases } from './lib/cases.ts';
import { startChild } from './lib/child.ts';
import { cpuPerRequest } from './lib/cpu.ts';
import { keysetFor, reviewers } from './lib/keys.ts';
import { type LoadResult, load } from './lib/load.ts';
import { freshDatabase, postgresReachable } from './lib/postgres.ts';
import type { Benchmark, Check } from './lib/result.ts';
import { startSealbox } from './lib/sealbox.ts';
import { figure, round } from './lib/stats.ts';

const ENVELOPE_BYTES = 1024;

const benchmark: Benchmark = {
  name: 'status',
  title: 'POST /v1/status against 100,000 stored cases',
  async run({ smoke, postgresUrl, log }) {
    if (!(await postgresReachable(postgresUrl))) {
      return { checks: [], notes: ['PostgreSQL was not reachable: skipped'] };
    }
    const cases = smoke ? 2_000 : 100_000;
    // BENCH_STATUS_SECONDS: longer or shorter runs (e.g. a smoke run long enough to profile).
    const duration = Number(process.env.BENCH_STATUS_SECONDS ?? (smoke ? 1 : 10));
    const reps = smoke ? 1 : 3;
    const sodium = await getSodium();
    const keyset = keysetFor(await reviewers(1));
    const database = await freshDatabase(postgresUrl!, 'status');
    const server = await startSealbox({
      keyset,
      databaseUrl: database.url,
      // A smoke run shares the machine with the test suite: no overload guard there.
      ...(smoke ? { env: { SEALBOX_MAX_EVENT_LOOP_DELAY_MS: '0' } } : {}),
    });
    const bare = await startChild('bench/servers/bare.ts', { DATABASE_URL: database.url });
    const runs: Record<'sealbox' | 'bare' | 'hello', LoadResult[]> = {
      sealbox: [],
      bare: [],
      hello: [],
    };
    const cpu: Record<'sealbox' | 'bare', number[]> = { sealbox: [], bare: [] };
    try {
      log(`status: inserting ${cases} cases`);
      const tokens = await insertCases(database.url, server.pepper, cases, ENVELOPE_BYTES);

      const sample = Array.from({ length: 5_000 }, (_, i) => tokens[(i * 7919) % tokens.length]!);
      const sealboxBodies = sample.map((t) =>
        JSON.stringify({ lookupToken: t.toString('base64url') }),
      );
      // The bare route gets the keyed hash directly: its query is the lookup alone.
      const bareBodies = sample.map((t) =>
        JSON.stringify({
          lookupToken: Buffer.from(sodium.crypto_generichash(32, t, server.pepper)).toString(
            'base64url',
          ),
        }),
      );
      // Warm-up, not counted: JIT, connection pools, buffer cache.
      await load({
        url: `${server.url}/v1/status`,
        bodies: sealboxBodies,
        duration: smoke ? 1 : 3,
      });
      await load({ url: `${bare.url}/v1/status`, bodies: bareBodies, duration: smoke ? 1 : 3 });
      const runSealbox = async () => {
        const { result, cpuMs } = await cpuPerRequest([server.pid], () =>
          load({ url: `${server.url}/v1/status`, bodies: sealboxBodies, duration }),
        );
        runs.sealbox.push(result);
        cpu.sealbox.push(cpuMs);
      };
      const runBare = async () => {
        const { result, cpuMs } = await cpuPerRequest([bare.pid], () =>
          load({ url: `${bare.url}/v1/status`, bodies: bareBodies, duration }),
        );
        runs.bare.push(result);
        cpu.bare.push(cpuMs);
      };
      for (let r = 0; r < reps; r++) {
        log(`status: repetition ${r + 1}/${reps}`);
        // Alternate the order so that neither side always runs on a warmer machine.
        if (r % 2 === 0) {
          await runSealbox();
          await runBare();
        } else {
          await runBare();
          await runSealbox();
        }
        runs.hello.push(await load({ url: `${bare.url}/hello`, method: 'GET', duration }));
      }
    } finally {
      await server.stop();
      await bare.stop();
      await database.drop();
    }
    const refused = Object.entries(runs).flatMap(([name, list]) =>
      list
        .filter((r) => r.non2xx > 0 || r.errors > 0)
        .map((r) => `${name} ${JSON.stringify(r.statusCodes)}`),
    );
    const rate = figure(
      runs.sealbox.map((r) => r.rate),
      'req/s',
    );
    const p99 = figure(
      runs.sealbox.map((r) => r.p99),
      'ms',
    );
    const bareRate = figure(
      runs.bare.map((r) => r.rate),
      'req/s',
    );
    const bareP99 = figure(
      runs.bare.map((r) => r.p99),
      'ms',
    );
    const hello = figure(
      runs.hello.map((r) => r.rate),
      'req/s',
    );
    const cpuSealbox = figure(cpu.sealbox, 'ms');
    const cpuBare = figure(cpu.bare, 'ms');
    const throughputRatio = round(rate.median / bareRate.median, 2);
    const cpuRatio = round(cpuSealbox.median / cpuBare.median, 2);
    const p99Ratio = round(p99.median / bareP99.median, 2);
    const checks: Check[] = [
      {
        what: `POST /v1/status, ${cases} cases, -c 50, ${duration} s runs: throughput`,
        subject: rate,
        baseline: bareRate,
        ratio: throughputRatio,
        target: '≥ 0.8× the bare lookup',
        met: throughputRatio >= 0.8,
        notes: [
          `baseline: bare Fastify + pg Pool(10) route doing the same indexed lookup (keyed hash sent ready-made); Fastify hello world in the same run: ${hello.median} req/s (${hello.min}–${hello.max})`,
        ],
      },
      {
        what: 'POST /v1/status: CPU time of the server process per answered request (user + system)',
        subject: cpuSealbox,
        baseline: cpuBare,
        ratio: round(cpuBare.median / cpuSealbox.median, 2),
        target: '≤ 1.5× the bare lookup',
        met: cpuRatio <= 1.5,
        notes: [
          `${cpuRatio}× the bare route's CPU per request (PostgreSQL's own work is in neither)`,
        ],
      },
      {
        what: 'POST /v1/status: p99 latency',
        subject: p99,
        baseline: bareP99,
        ratio: round(bareP99.median / p99.median, 2),
        target: '≤ 1.5× the bare p99',
        met: p99Ratio <= 1.5,
        notes: [`${p99Ratio}× the bare route's p99`],
      },
    ];
    return {
      checks,
      extra: { hello, bareRate, bareP99 },
      notes: [
        `${cases} cases inserted with SQL in a fresh PostgreSQL database (lookup hashes keyed with the server's pepper, ${ENVELOPE_BYTES} B envelopes, no statements); 5,000 known tokens requested in turn`,
        ...(refused.length
          ? [`requests not answered 200 (only 2xx count): ${refused.join(', ')}`]
          : []),
        'server: server/bin/main.ts in a child process (pg Pool of 10, read limit raised through SEALBOX_READS_PER_MINUTE); autocannon in the parent on the same 2 cores',
      ],
    };
  },
};

export default benchmark;
