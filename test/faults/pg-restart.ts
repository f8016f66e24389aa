// PostgreSQL stopped and started again while submitters keep submitting.
// Shared by the CI test (one short outage) and the soak (several longer
// ones). Each submission carries its own number and its own random text, so
// that afterwards the reviewers' path (one courier pull, one offline open)
// can check that every acknowledged submission is there exactly once, with
// the very text that was sent.
import { randomBytes } from 'node:crypto';
import { postgresDatabase } from '../../server/db/database.ts';
import { migrateToLatest } from '../../server/db/migrate.ts';
import { Submitter, submitCase } from '../audit/submitter.ts';
import type { Teardown } from '../helper.ts';
import { crowdServer, reviewAll } from './many.ts';
import { privatePostgres } from './private-postgres.ts';

export interface RestartOptions {
  /** Outages in one run. */
  cycles: number;
  /** How long the database stays down each time. */
  downMs: number;
  /** Load before, between and after the outages. */
  upMs: number;
  concurrency: number;
}

export interface RestartResult {
  attempted: number;
  acknowledged: number;
  /** Answers other than 201, by status; 0 for a connection that failed. */
  refusals: Record<number, number>;
  /** `/readyz` while the database was down, one per outage. */
  readyWhileDown: number[];
  /** A submission's answer while the database was down, one per outage. */
  submitWhileDown: { status: number; code: string }[];
  pulled: number;
  opened: number;
  /** Acknowledged submissions not found after, or found with other text. */
  missing: number;
  altered: number;
  /** Numbers opened more than once. */
  duplicated: number;
  /** Opened submissions that were never sent (must be 0). */
  unknown: number;
  /** Sent but not acknowledged (the answer was lost in the outage), yet stored. */
  storedUnacknowledged: number;
  seconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function restartUnderLoad(t: Teardown, o: RestartOptions): Promise<RestartResult> {
  const started = Date.now();
  const pgsql = await privatePostgres(t);
  const db = postgresDatabase(pgsql.url, 10);
  t.teardown(() => db.destroy());
  await migrateToLatest(db);
  const { server, org } = await crowdServer(t, db);

  const sent = new Map<number, string>();
  const acknowledged = new Set<number>();
  const refusals: Record<number, number> = {};
  let next = 0;
  let stop = false;
  const worker = async (w: number) => {
    const client = new Submitter(server, { 'user-agent': `submitter-${w}` });
    while (!stop) {
      const n = next++;
      const message = `concurrent submission number ${n} ${randomBytes(12).toString('hex')}`;
      sent.set(n, message);
      try {
        await submitCase(client, org.keyset, { answers: {}, message });
        acknowledged.add(n);
      } catch (error) {
        const status = Number(/: (\d{3}) /.exec(String(error))?.[1] ?? 0);
        refusals[status] = (refusals[status] ?? 0) + 1;
        await sleep(100); // a client backs off a little
      }
    }
  };
  const load = Promise.all(Array.from({ length: o.concurrency }, (_, w) => worker(w)));

  const probe = new Submitter(server);
  const readyWhileDown: number[] = [];
  const submitWhileDown: { status: number; code: string }[] = [];
  for (let cycle = 0; cycle < o.cycles; cycle++) {
    await sleep(o.upMs);
    await pgsql.stop();
    await sleep(o.downMs / 2);
    readyWhileDown.push((await probe.request('GET', '/readyz')).status);
    const answer = await submitCase(probe, org.keyset, { answers: {}, message: 'probe' }).then(
      () => 'POST /v1/submissions: 201 {}',
      (error: unknown) => String(error),
    );
    const [, status, body] = /: (\d{3}) (.*)$/s.exec(answer) ?? [];
    const code = /"code":"([A-Z_]+)"/.exec(body ?? '')?.[1] ?? '';
    submitWhileDown.push({ status: Number(status ?? 0), code });
    await sleep(o.downMs / 2);
    await pgsql.start();
  }
  await sleep(o.upMs);
  stop = true;
  await load;

  const review = await reviewAll(server, org);
  let missing = 0;
  let altered = 0;
  for (const n of acknowledged) {
    const text = review.texts.get(n);
    if (text === undefined) missing++;
    else if (!text.includes(sent.get(n)!)) altered++;
  }
  const opened = [...review.seen.keys()];
  return {
    attempted: sent.size,
    acknowledged: acknowledged.size,
    refusals,
    readyWhileDown,
    submitWhileDown,
    pulled: review.pulled,
    opened: review.opened,
    missing,
    altered,
    duplicated: [...review.seen.values()].filter((times) => times > 1).length,
    unknown: opened.filter((n) => !sent.has(n)).length,
    storedUnacknowledged: opened.filter((n) => sent.has(n) && !acknowledged.has(n)).length,
    seconds: (Date.now() - started) / 1000,
  };
}
