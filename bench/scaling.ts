// Benchmark 7: the capacity model's measured point (docs/scaling.md). The
// same POST /v1/status load against one Sealbox instance, then split across
// two instances sharing one PostgreSQL database, as a deployment scales out:
// throughput and the servers' CPU time per answered request (summed over the
// instances) in the same run. On two cores the second instance cannot add
// cores, so what it shows is whether the per-request cost holds when instances
// share the database; the model scales that cost to bigger machines.
import { randomBytes } from 'node:crypto';
import { generateOrganisationKey, toBase64Url } from '../client-crypto/index.ts';
import { insertCases } from './lib/cases.ts';
import { cpuPerRequest } from './lib/cpu.ts';
import { keysetFor, reviewers } from './lib/keys.ts';
import { load } from './lib/load.ts';
import { freshDatabase, postgresReachable } from './lib/postgres.ts';
import type { Benchmark, Check } from './lib/result.ts';
import { type SealboxServer, startSealbox } from './lib/sealbox.ts';
import { figure, round } from './lib/stats.ts';

const CONNECTIONS = 50;

/** The same connections spread over the instances, run at once; one combined result. */
async function spread(servers: SealboxServer[], bodies: string[], duration: number) {
  const share = Math.floor(CONNECTIONS / servers.length);
  const results = await Promise.all(
    servers.map((server, i) =>
      load({
        url: `${server.url}/v1/status`,
        // Each instance gets its own slice of the tokens.
        bodies: bodies.filter((_, j) => j % servers.length === i),
        duration,
        connections: share,
      }),
    ),
  );
  const ok = results.reduce((sum, r) => sum + r.ok, 0);
  const seconds = Math.max(...results.map((r) => r.seconds));
  return {
    ok,
    rate: ok / seconds,
    p99: Math.max(...results.map((r) => r.p99)),
    refused: results.filter((r) => r.non2xx > 0 || r.errors > 0).map((r) => r.statusCodes),
  };
}

const benchmark: Benchmark = {
  name: 'scaling',
  title: 'One instance against two sharing one PostgreSQL (POST /v1/status)',
  async run({ smoke, postgresUrl, log }) {
    if (!(await postgresReachable(postgresUrl))) {
      return { checks: [], notes: ['PostgreSQL was not reachable: skipped'] };
    }
    const cases = smoke ? 1_000 : 20_000;
    const duration = smoke ? 1 : 10;
    const reps = smoke ? 1 : 3;
    const pepper = randomBytes(32);
    const org = await generateOrganisationKey();
    const keyset = keysetFor(await reviewers(1));
    const database = await freshDatabase(postgresUrl!, 'scaling');
    const env = {
      SEALBOX_PEPPER: toBase64Url(pepper),
      ...(smoke ? { SEALBOX_MAX_EVENT_LOOP_DELAY_MS: '0' } : {}),
    };
    const first = await startSealbox({ keyset, org, databaseUrl: database.url, env });
    const second = await startSealbox({ keyset, org, databaseUrl: database.url, env });
    const one: { rate: number[]; cpu: number[]; p99: number[] } = { rate: [], cpu: [], p99: [] };
    const two: { rate: number[]; cpu: number[]; p99: number[] } = { rate: [], cpu: [], p99: [] };
    const refused: string[] = [];
    try {
      log(`scaling: inserting ${cases} cases`);
      const tokens = await insertCases(database.url, pepper, cases, 1024);
      const bodies = Array.from({ length: 5_000 }, (_, i) =>
        JSON.stringify({ lookupToken: tokens[(i * 7919) % tokens.length]!.toString('base64url') }),
      );
      // Warm-up of both instances, not counted.
      await spread([first, second], bodies, smoke ? 1 : 3);
      const measure = async (servers: SealboxServer[], into: typeof one) => {
        const { result, cpuMs } = await cpuPerRequest(
          servers.map((s) => s.pid),
          () => spread(servers, bodies, duration),
        );
        into.rate.push(result.rate);
        into.cpu.push(cpuMs);
        into.p99.push(result.p99);
        refused.push(...result.refused.map((codes) => JSON.stringify(codes)));
      };
      for (let r = 0; r < reps; r++) {
        log(`scaling: repetition ${r + 1}/${reps}`);
        // Alternate the order so that neither side always runs on a warmer machine.
        if (r % 2 === 0) {
          await measure([first], one);
          await measure([first, second], two);
        } else {
          await measure([first, second], two);
          await measure([first], one);
        }
      }
    } finally {
      await first.stop();
      await second.stop();
      await database.drop();
    }
    const rateOne = figure(one.rate, 'req/s');
    const rateTwo = figure(two.rate, 'req/s');
    const cpuOne = figure(one.cpu, 'ms');
    const cpuTwo = figure(two.cpu, 'ms');
    const checks: Check[] = [
      {
        what: `POST /v1/status, ${cases} cases, ${CONNECTIONS} connections, ${duration} s runs: two instances against one`,
        subject: rateTwo,
        baseline: rateOne,
        ratio: round(rateTwo.median / rateOne.median, 2),
        target: 'report (two cores: the model’s measured point)',
        met: null,
        notes: [
          `p99: one instance ${figure(one.p99, 'ms').median} ms, two ${figure(two.p99, 'ms').median} ms`,
        ],
      },
      {
        what: 'CPU time of the Sealbox processes per answered request (user + system, summed over the instances)',
        subject: cpuTwo,
        baseline: cpuOne,
        ratio: round(cpuOne.median / cpuTwo.median, 2),
        target: 'report (the cost the model scales)',
        met: null,
        notes: [
          `two instances use ${round(cpuTwo.median / cpuOne.median, 2)}× one instance's CPU per request`,
        ],
      },
    ];
    return {
      checks,
      notes: [
        `${cases} cases inserted with SQL (lookup hashes keyed with the instances' shared pepper, 1 KiB envelopes); 5,000 known tokens, each instance taking its own share`,
        'instances: server/bin/main.ts in child processes on the same database (pg Pool of 10 each), read limit raised through SEALBOX_READS_PER_MINUTE; autocannon in the parent, the connections split evenly; PostgreSQL on the same 2 cores',
        ...(refused.length
          ? [`requests not answered 200 (only 2xx count): ${refused.join(', ')}`]
          : []),
      ],
    };
  },
};

export default benchmark;
