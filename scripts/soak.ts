// `npm run soak`: the long variants of the fault and bad-input suites, on
// loopback only and bounded in time. Prints one line of figures per part and
// appends them to docs/reliability.md by hand (the figures, not this output,
// are the record). Parts:
//   bad-input   SEALBOX_SOAK_BAD_INPUTS random malformed requests (100,000)
//   concurrent  SEALBOX_SOAK_SUBMISSIONS concurrent submissions (10,000), all
//               pulled and opened by the reviewer tool exactly once
//   pg-restart  a PostgreSQL server of the soak's own (a fresh cluster on a free
//               port, never the machine's shared one; needs root) stopped and
//               started SEALBOX_SOAK_PG_CYCLES times (5) under load; every
//               acknowledged case is there afterwards, once, with its text
// Choose parts with SEALBOX_SOAK_PARTS=bad-input,concurrent,pg-restart.
import { cpus, totalmem } from 'node:os';
import { fuzz, fuzzServer } from '../test/audit/fuzz.ts';
import { submitCase } from '../test/audit/submitter.ts';
import { crowdServer, reviewAll, submitMany } from '../test/faults/many.ts';
import { restartUnderLoad } from '../test/faults/pg-restart.ts';
import { cannotRunPrivatePostgres } from '../test/faults/private-postgres.ts';
import { courierClient } from '../reviewer/courier/http.ts';

const parts = (process.env.SEALBOX_SOAK_PARTS ?? 'bad-input,concurrent,pg-restart').split(',');
const teardowns: (() => unknown)[] = [];
const t = { teardown: (fn: () => unknown) => teardowns.push(fn) };
const figures: string[] = [];
const record = (line: string) => {
  figures.push(line);
  console.log(line);
};

async function badInput(): Promise<void> {
  const runs = Number(process.env.SEALBOX_SOAK_BAD_INPUTS ?? 100_000);
  const { app, seeded, client } = await fuzzServer(t);
  const filed = await submitCase(client, seeded.keyset, { answers: {}, message: 'soak' });
  const started = Date.now();
  let requests = 0;
  let failures = 0;
  const statuses: Record<number, number> = {};
  for (let batch = 0; requests < runs; batch++) {
    const outcome = await fuzz(
      app,
      {
        uploadIds: filed.document.attachments.map((a) => a.uploadId),
        lookupTokens: [filed.lookupToken],
        caseIds: [],
        statement: {},
        keyset: seeded.signed,
        proof: await client.proof(),
        courier: courierClient(client.base, seeded.courier),
      },
      { runs: Math.min(5_000, runs - requests), seed: batch + 1 },
    );
    requests += outcome.requests;
    failures += outcome.failures.length;
    for (const [s, n] of Object.entries(outcome.byStatus))
      statuses[Number(s)] = (statuses[Number(s)] ?? 0) + n;
    for (const f of outcome.failures) console.error('FAILURE', JSON.stringify(f));
  }
  const healthy = (await app.inject({ method: 'GET', url: '/healthz' })).statusCode === 200;
  record(
    `bad-input: ${requests} requests in ${((Date.now() - started) / 1000).toFixed(0)} s, ` +
      `${failures} failures (5xx or missing error shape), statuses ${JSON.stringify(statuses)}, healthz after: ${healthy ? 200 : 'FAILED'}`,
  );
}

async function concurrent(): Promise<void> {
  const count = Number(process.env.SEALBOX_SOAK_SUBMISSIONS ?? 10_000);
  const { server, org } = await crowdServer(t);
  const started = Date.now();
  const { acknowledged, refused } = await submitMany(server, org, count, 100);
  const submitSeconds = (Date.now() - started) / 1000;
  const review = await reviewAll(server, org);
  const once = [...review.seen.values()].filter((n) => n === 1).length;
  const missing = [...acknowledged].filter((n) => !review.seen.has(n)).length;
  record(
    `concurrent: ${count} submissions from 100 clients in ${submitSeconds.toFixed(0)} s ` +
      `(${(count / submitSeconds).toFixed(1)}/s); acknowledged ${acknowledged.size}, refused ${refused}; ` +
      `pulled ${review.pulled}, opened ${review.opened}, seen exactly once ${once}, missing ${missing}`,
  );
}

async function pgRestart(): Promise<void> {
  const why = cannotRunPrivatePostgres();
  if (why) {
    record(`pg-restart: skipped (${why})`);
    return;
  }
  const cycles = Number(process.env.SEALBOX_SOAK_PG_CYCLES ?? 5);
  const r = await restartUnderLoad(t, { cycles, downMs: 5_000, upMs: 10_000, concurrency: 20 });
  record(
    `pg-restart: ${cycles} stops of 5 s under load from 20 clients in ${r.seconds.toFixed(0)} s; ` +
      `/readyz while down ${JSON.stringify(r.readyWhileDown)}; a submission while down ` +
      `${JSON.stringify(r.submitWhileDown.map((a) => `${a.status} ${a.code}`))}; ` +
      `sent ${r.attempted}, acknowledged ${r.acknowledged}, refusals by status ${JSON.stringify(r.refusals)}; ` +
      `pulled ${r.pulled}, opened ${r.opened}; missing ${r.missing}, altered ${r.altered}, ` +
      `twice ${r.duplicated}, never sent ${r.unknown}; stored though the answer was lost ${r.storedUnacknowledged}`,
  );
}

const started = new Date();
console.log(
  `soak on ${started.toISOString().slice(0, 10)}: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`,
);
try {
  if (parts.includes('bad-input')) await badInput();
  if (parts.includes('concurrent')) await concurrent();
  if (parts.includes('pg-restart')) await pgRestart();
} finally {
  for (const fn of teardowns.reverse()) await fn();
}
console.log(figures.join('\n'));
