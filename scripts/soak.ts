// `npm run soak`: the long variants of the fault and bad-input suites, on
// loopback only and bounded in time. Prints one line of figures per part and
// appends them to docs/reliability.md by hand (the figures, not this output,
// are the record). Parts:
//   bad-input   SEALBOX_SOAK_BAD_INPUTS random malformed requests (100,000)
//   concurrent  SEALBOX_SOAK_SUBMISSIONS concurrent submissions (10,000), all
//               pulled and opened by the reviewer tool exactly once
//   pg-restart  (with DATABASE_URL and SEALBOX_SOAK_PG_RESTART=1 only) submissions
//               while `pg_ctlcluster --skip-systemctl-redirect 15 main stop/start`
//               runs; acknowledged cases are all there afterwards
// Choose parts with SEALBOX_SOAK_PARTS=bad-input,concurrent,pg-restart.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { storeKeyset } from '../server/db/keysets.ts';
import { makeOrganisation } from '../test/audit/organisation.ts';
import { fuzz } from '../test/audit/fuzz.ts';
import { Submitter, submitCase } from '../test/audit/submitter.ts';
import { reviewAll, submitMany } from '../test/faults/many.ts';
import { build, makeKeyset, seedKeyset, testDatabase } from '../test/helper.ts';
import { courierClient } from '../reviewer/courier/http.ts';
import { toBase64Url } from '../client-crypto/index.ts';

const exec = promisify(execFile);
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
  const db = await testDatabase(t);
  const seeded = await seedKeyset(db);
  const { app } = await build(t, {
    db,
    env: {
      SEALBOX_ORG_PUBLIC_KEY: toBase64Url(seeded.org.publicKey),
      SEALBOX_BODY_LIMIT_BYTES: String(64 * 1024),
      SEALBOX_WRITES_PER_MINUTE: '1000000',
      SEALBOX_READS_PER_MINUTE: '10000000',
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const client = new Submitter(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
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
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-soak-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const db = await testDatabase(t);
  const org = await makeOrganisation(dir);
  await storeKeyset(db, 1, JSON.stringify(org.signed));
  const { app } = await build(t, {
    db,
    env: {
      SEALBOX_ORG_FINGERPRINT: org.fingerprint,
      SEALBOX_WRITES_PER_MINUTE: '1000000',
      SEALBOX_READS_PER_MINUTE: '10000000',
      SEALBOX_SUBMISSIONS_PER_DAY: '100000000',
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const server = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
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
  if (!process.env.DATABASE_URL || process.env.SEALBOX_SOAK_PG_RESTART !== '1') {
    record('pg-restart: skipped (needs DATABASE_URL and SEALBOX_SOAK_PG_RESTART=1)');
    return;
  }
  const db = await testDatabase(t);
  const made = await makeKeyset(1);
  await storeKeyset(db, 1, JSON.stringify(made.signed));
  const { app } = await build(t, {
    db,
    env: { SEALBOX_ORG_PUBLIC_KEY: toBase64Url(made.org.publicKey) },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const client = new Submitter(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
  const acknowledged: string[] = [];
  const answers: Record<number, number> = {};
  let stop = false;
  const load = (async () => {
    while (!stop) {
      try {
        const filed = await submitCase(client, made.keyset, {
          answers: {},
          message: 'during restart',
        });
        acknowledged.push(filed.lookupToken);
      } catch (error) {
        const status = Number(/: (\d{3}) /.exec(String(error))?.[1] ?? 0);
        answers[status] = (answers[status] ?? 0) + 1;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  })();
  const pgctl = (action: string) =>
    exec('pg_ctlcluster', ['--skip-systemctl-redirect', '15', 'main', action]);
  await new Promise((r) => setTimeout(r, 3_000));
  await pgctl('stop');
  await new Promise((r) => setTimeout(r, 5_000));
  const readyWhileDown = (await app.inject({ method: 'GET', url: '/readyz' })).statusCode;
  await pgctl('start');
  await new Promise((r) => setTimeout(r, 5_000));
  stop = true;
  await load;
  let found = 0;
  for (const lookupToken of acknowledged) {
    const res = await app.inject({ method: 'POST', url: '/v1/status', payload: { lookupToken } });
    if (res.statusCode === 200) found++;
  }
  record(
    `pg-restart: /readyz while down ${readyWhileDown}; refusals by status ${JSON.stringify(answers)}; ` +
      `acknowledged ${acknowledged.length}, found after restart ${found}`,
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
