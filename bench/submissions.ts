// Benchmark 1: POST /v1/submissions with sealed ~4 KiB envelopes, unique
// lookup tokens and pre-solved proofs of work, on PostgreSQL and on PGlite,
// against a bare Fastify route inserting the same bytes into the same kind of
// database. Both servers run in child processes; autocannon runs here, -c 50.
import { randomBytes } from 'node:crypto';
import { sealDocument, sealingKeys, toBase64Url } from '../client-crypto/index.ts';
import { startChild } from './lib/child.ts';
import { cpuSeconds } from './lib/cpu.ts';
import { currentEpochsOf } from './lib/epochs.ts';
import { keysetFor, reviewers, sampleReport, submitterKeys } from './lib/keys.ts';
import { type LoadResult, load } from './lib/load.ts';
import { freshDatabase, postgresReachable } from './lib/postgres.ts';
import type { Benchmark, Check } from './lib/result.ts';
import { BENCH_POW_DIFFICULTY, solvedChallenges, startSealbox } from './lib/sealbox.ts';
import { figure, ratio, round } from './lib/stats.ts';

const DISTINCT_ENVELOPES = 200;

function summary(runs: LoadResult[]): string {
  return runs
    .map(
      (r) =>
        `${round(r.rate)}/s p99 ${r.p99} ms (${r.ok} ok, ${r.non2xx} non-2xx, ${r.errors} errors)`,
    )
    .join('; ');
}

const benchmark: Benchmark = {
  name: 'submissions',
  title: 'POST /v1/submissions vs a bare Fastify insert route',
  async run({ smoke, postgresUrl, log }) {
    const reps = smoke ? 1 : 3;
    const checks: Check[] = [];
    const notes: string[] = [];
    // The keyset the envelopes are sealed to must be the one the server publishes.
    const identities = await reviewers(1);
    const keyset = keysetFor(identities);
    const epochs = await currentEpochsOf(identities);
    const sealing = await sealingKeys(keyset, epochs.signed);
    const sealed: string[] = [];
    for (let i = 0; i < (smoke ? 5 : DISTINCT_ENVELOPES); i++) {
      const submitter = await submitterKeys();
      const report = sampleReport(submitter.replyKeyPair.publicKey, 600);
      sealed.push(toBase64Url(await sealDocument(report, sealing, submitter.authorKeyPair)));
    }
    const envelopeBytes = Buffer.from(sealed[0]!, 'base64url').length;

    const targets: { label: string; amount: number; postgres: boolean }[] = [];
    if (await postgresReachable(postgresUrl)) {
      targets.push({ label: 'PostgreSQL', amount: smoke ? 100 : 8_000, postgres: true });
    } else notes.push('PostgreSQL was not reachable: its part was skipped');
    targets.push({ label: 'PGlite', amount: smoke ? 30 : 1_500, postgres: false });

    const extra: Record<string, unknown> = {};
    for (const target of targets) {
      log(`submissions: ${target.label}`);
      const subjectDb = target.postgres ? await freshDatabase(postgresUrl!, 'sub') : undefined;
      const bareDb = target.postgres ? await freshDatabase(postgresUrl!, 'bare') : undefined;
      const server = await startSealbox({
        keyset,
        epochs: epochs.signed,
        databaseUrl: subjectDb?.url,
        // A smoke run shares the machine with the test suite: no overload guard there.
        ...(smoke ? { env: { SEALBOX_MAX_EVENT_LOOP_DELAY_MS: '0' } } : {}),
      });
      const bare = await startChild('bench/servers/bare.ts', { DATABASE_URL: bareDb?.url });
      const subjectRuns: LoadResult[] = [];
      const bareRuns: LoadResult[] = [];
      const subjectCpu: number[] = [];
      const bareCpu: number[] = [];
      try {
        for (let r = smoke ? 0 : -1; r < reps; r++) {
          // r = -1 is a warm-up (JIT, pools, caches), not counted.
          const amount = r < 0 ? 1_000 : target.amount;
          log(
            `submissions: ${target.label} repetition ${r + 1}/${reps}: solving ${amount} challenges`,
          );
          const proofs = await solvedChallenges(server.url, amount);
          const bodies = proofs.map((challenge, i) =>
            JSON.stringify({
              challenge,
              lookupToken: randomBytes(32).toString('base64url'),
              envelope: sealed[i % sealed.length],
              uploads: [],
            }),
          );
          const measure = async (pid: number, url: string, cpu: number[]) => {
            const before = await cpuSeconds(pid);
            const result = await load({ url, bodies, amount: bodies.length });
            if (r >= 0) cpu.push((((await cpuSeconds(pid)) - before) * 1000) / bodies.length);
            return result;
          };
          const runSubject = async () =>
            record(
              subjectRuns,
              await measure(server.pid, `${server.url}/v1/submissions`, subjectCpu),
            );
          const runBare = async () =>
            record(bareRuns, await measure(bare.pid, `${bare.url}/v1/submissions`, bareCpu));
          const record = (list: LoadResult[], result: LoadResult) => {
            if (r >= 0) list.push(result);
          };
          // Alternate the order so that neither side always runs on a warmer machine.
          if (r % 2 === 0) {
            await runSubject();
            await runBare();
          } else {
            await runBare();
            await runSubject();
          }
        }
      } finally {
        await server.stop();
        await bare.stop();
        await subjectDb?.drop();
        await bareDb?.drop();
      }
      // Refused requests (503 OVERLOADED) are a finding, not a crash: only 2xx count as throughput.
      const refused = [...subjectRuns, ...bareRuns].filter((r) => r.non2xx > 0 || r.errors > 0);
      if (refused.length > 0) {
        notes.push(
          `${target.label}: some requests were not accepted: ${refused.map((r) => JSON.stringify(r.statusCodes)).join(', ')}`,
        );
      }
      const subject = figure(
        subjectRuns.map((r) => r.rate),
        'req/s',
      );
      const baseline = figure(
        bareRuns.map((r) => r.rate),
        'req/s',
      );
      const p99 = figure(
        subjectRuns.map((r) => r.p99),
        'ms',
      );
      const bareP99 = figure(
        bareRuns.map((r) => r.p99),
        'ms',
      );
      checks.push({
        what: `POST /v1/submissions on ${target.label}, ${target.amount} requests per repetition, -c 50`,
        subject,
        baseline,
        ratio: ratio(subject, baseline),
        target: '≥ 0.8×',
        met: ratio(subject, baseline) >= 0.8,
        notes: [
          `${target.label}: p99 latency Sealbox ${p99.median} ms, bare route ${bareP99.median} ms`,
          `${target.label}: CPU time of the server process per request (user + system, median): ` +
            `Sealbox ${figure(subjectCpu, 'ms').median} ms, bare route ${figure(bareCpu, 'ms').median} ms` +
            (target.postgres
              ? ' (PostgreSQL’s own work is in neither)'
              : ' (PGlite runs inside it)'),
        ],
      });
      extra[target.label] = { sealbox: summary(subjectRuns), bare: summary(bareRuns) };
    }
    notes.push(
      `envelopes: ${envelopeBytes} B each (a reprisal report sealed to 1 reviewer with client-crypto; ` +
        `${sealed.length} distinct envelopes reused, every request with its own lookup token and proof of work)`,
      `proof of work: difficulty lowered to ${BENCH_POW_DIFFICULTY} through SEALBOX_POW_DIFFICULTY; challenges fetched and solved before the timed phase; the server still verifies and spends every proof`,
      'global limits raised through SEALBOX_WRITES_PER_MINUTE / SEALBOX_SUBMISSIONS_PER_DAY so that the token buckets do not cap the run',
      'baseline: bench/servers/bare.ts — Fastify 5 with a JSON-schema body, base64url decode, one INSERT of token and envelope (pg Pool of 10 / PGlite), same request bodies',
      'both servers run as child processes; autocannon runs in the parent on the same 2 cores',
    );
    return { checks, notes, extra };
  },
};

export default benchmark;
