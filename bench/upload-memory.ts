// Benchmark 4: the server's resident memory while it receives a 1 GiB
// attachment through the upload API (create, parts two at a time, finish with
// the digest), against the same server at rest. The server runs in a child
// process; its RSS is sampled from /proc every 50 ms. Three runs: PostgreSQL
// with 1 MiB parts (the server's default largest part, and what the page
// sends), PostgreSQL with 8 MiB parts, PGlite with 1 MiB parts.
import { randomFillSync } from 'node:crypto';
import { SegmentDigest } from '../server/upload-digest.ts';
import { keysetFor, reviewers } from './lib/keys.ts';
import { freshDatabase, postgresReachable } from './lib/postgres.ts';
import type { Benchmark, Check } from './lib/result.ts';
import { solvedChallenges, startSealbox } from './lib/sealbox.ts';
import { MiB, figure } from './lib/stats.ts';

interface Outcome {
  overloaded: number;
  partsSeconds: number;
  finishSeconds: number;
}

async function upload(url: string, size: number, PART: number, proof: unknown): Promise<Outcome> {
  let overloaded = 0;
  const part = new Uint8Array(PART);
  randomFillSync(part);
  const created = await fetch(`${url}/v1/uploads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ challenge: proof, size, partSize: PART }),
  });
  if (created.status !== 201)
    throw new Error(`create upload: ${created.status} ${await created.text()}`);
  const { uploadId, partCount } = (await created.json()) as { uploadId: string; partCount: number };
  // The digest pages send (sha256-segments), so finish takes the running hash.
  const hash = new SegmentDigest();
  let next = 0;
  // Two parts in flight (the page sends one at a time): the harder case for
  // memory, and parts may overtake each other on their way to the database.
  async function sender() {
    while (next < partCount) {
      const i = next++;
      const bytes = part.subarray(0, Math.min(PART, size - i * PART));
      const put = () =>
        fetch(`${url}/v1/uploads/${uploadId}/parts/${i}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/octet-stream' },
          body: bytes,
        });
      let res = await put();
      // The overload guard may answer 503; a client resumes the part, as the page does.
      while (res.status === 503) {
        overloaded++;
        await res.arrayBuffer();
        await new Promise((r) => setTimeout(r, 500));
        res = await put();
      }
      if (res.status !== 204) throw new Error(`part ${i}: ${res.status} ${await res.text()}`);
    }
  }
  for (let i = 0; i < partCount; i++) {
    hash.update(part.subarray(0, Math.min(PART, size - i * PART)));
  }
  const started = performance.now();
  await Promise.all([sender(), sender()]);
  const partsDone = performance.now();
  const digest = Buffer.from(hash.final()).toString('base64url');
  const finish = () =>
    fetch(`${url}/v1/uploads/${uploadId}/finish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ digest, digestAlgorithm: 'sha256-segments' }),
    });
  let finished = await finish();
  while (finished.status === 503) {
    overloaded++;
    await finished.arrayBuffer();
    await new Promise((r) => setTimeout(r, 500));
    finished = await finish();
  }
  if (finished.status !== 200)
    throw new Error(`finish: ${finished.status} ${await finished.text()}`);
  const partsSeconds = (partsDone - started) / 1000;
  return { overloaded, partsSeconds, finishSeconds: (performance.now() - partsDone) / 1000 };
}

const benchmark: Benchmark = {
  name: 'upload-memory',
  title: 'Server memory while receiving a 1 GiB attachment',
  async run({ smoke, postgresUrl, log }) {
    // Smoke: 4 MiB in 1 MiB parts on one database.
    // BENCH_UPLOAD_MIB / BENCH_UPLOAD_PART_MIB shrink a full run on a slow machine
    // (a part size given runs that size only).
    const size = (smoke ? 4 : Number(process.env.BENCH_UPLOAD_MIB ?? 1024)) * MiB;
    const partMiB = process.env.BENCH_UPLOAD_PART_MIB;
    const keyset = keysetFor(await reviewers(1));
    const checks: Check[] = [];
    const notes: string[] = [];
    const targets: { label: string; postgres: boolean; part: number }[] = [];
    const postgres = await postgresReachable(postgresUrl);
    if (!postgres) notes.push('PostgreSQL was not reachable: its runs were skipped');
    for (const part of smoke ? [1] : partMiB ? [Number(partMiB)] : [1, 8]) {
      if (postgres) targets.push({ label: 'PostgreSQL', postgres: true, part: part * MiB });
    }
    if (!smoke || !postgres) {
      targets.push({
        label: 'PGlite',
        postgres: false,
        part: (partMiB ? Number(partMiB) : 1) * MiB,
      });
    }
    for (const { label, postgres, part: PART } of targets) {
      log(`upload-memory: ${label}, ${size / MiB} MiB in ${PART / MiB} MiB parts`);
      const database = postgres ? await freshDatabase(postgresUrl!, 'upload') : undefined;
      const server = await startSealbox({
        keyset,
        databaseUrl: database?.url,
        env: {
          SEALBOX_UPLOAD_PART_MAX_BYTES: String(PART),
          ...(smoke ? { SEALBOX_MAX_EVENT_LOOP_DELAY_MS: '0' } : {}),
        },
      });
      try {
        const [proof] = await solvedChallenges(server.url, 1, 1);
        // At rest: after start-up and one request, give the heap a moment to settle.
        await new Promise((r) => setTimeout(r, 1_000));
        const rest: number[] = [];
        for (let i = 0; i < 10; i++) {
          rest.push(await server.rss());
          await new Promise((r) => setTimeout(r, 50));
        }
        const samples: number[] = [];
        let sampling = true;
        const sampler = (async () => {
          while (sampling) {
            samples.push(await server.rss());
            await new Promise((r) => setTimeout(r, 50));
          }
        })();
        let outcome: Outcome;
        try {
          outcome = await upload(server.url, size, PART, proof);
        } finally {
          sampling = false;
          await sampler;
        }
        const atRest = figure(
          rest.map((b) => b / MiB),
          'MiB',
        );
        const during = figure(
          samples.map((b) => b / MiB),
          'MiB',
        );
        const growth = during.max - atRest.median;
        const seconds = outcome.partsSeconds + outcome.finishSeconds;
        checks.push({
          what: `RSS growth receiving ${size / MiB} MiB in ${PART / MiB} MiB parts (${label}); peak ${during.max} MiB over ${during.samples.length} samples`,
          subject: { ...figure([growth], 'MiB growth (peak − rest)'), samples: [growth] },
          baseline: atRest,
          target: '< 64 MiB',
          met: growth < 64,
          notes: [
            `${label}, ${PART / MiB} MiB parts: upload took ${seconds.toFixed(1)} s (${(size / MiB / seconds).toFixed(0)} MiB/s), of which finish ${outcome.finishSeconds.toFixed(2)} s; ${outcome.overloaded} requests answered 503 and were resent`,
          ],
        });
      } finally {
        await server.stop();
        await database?.drop();
      }
    }
    notes.push(
      'server: server/bin/main.ts in a child process, default settings but SEALBOX_UPLOAD_PART_MAX_BYTES = the part size; RSS from /proc/<pid>/status every 50 ms; two parts in flight, sent in order; random bytes stand in for ciphertext (the server sees only bytes and checks the digest at finish, sha256-segments as pages send it)',
    );
    return { checks, notes };
  },
};

export default benchmark;
