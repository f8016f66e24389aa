// Many concurrent submitters, then the reviewers' whole path: one courier
// pull, one offline open. Shared by the CI test (a few hundred) and the soak
// (ten thousand). Each message carries its own number, so that "exactly once"
// can be checked on the reviewer's side.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reviewOpen } from '../../reviewer/commands/review-open.ts';
import { courierPull } from '../../reviewer/courier/pull.ts';
import type { Db } from '../../server/db/database.ts';
import { makeOrganisation, publishOrganisation } from '../audit/organisation.ts';
import type { Organisation } from '../audit/organisation.ts';
import { build, testDatabase } from '../helper.ts';
import type { Teardown } from '../helper.ts';
import { Submitter, submitCase } from '../audit/submitter.ts';

export interface ManyResult {
  acknowledged: number;
  refused: number;
  pulled: number;
  opened: number;
  /** Numbers found in the opened cases, each as often as it was found. */
  seen: Map<number, number>;
  /** The opened message files' text, by the number they carry. */
  texts: Map<number, string>;
}

/**
 * An organisation made with the real commands and a server on this process's
 * own database (PGlite or DATABASE_URL) or the one given, limits raised for
 * the crowd.
 */
export async function crowdServer(
  t: Teardown,
  database?: Db,
): Promise<{ server: string; org: Organisation }> {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-many-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const db = database ?? (await testDatabase(t));
  const org = await makeOrganisation(dir);
  await publishOrganisation(db, org);
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
  return { server: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, org };
}

export async function submitMany(
  server: string,
  org: Organisation,
  count: number,
  concurrency: number,
): Promise<{ acknowledged: Set<number>; refused: number }> {
  const acknowledged = new Set<number>();
  let refused = 0;
  let next = 0;
  const worker = async (w: number) => {
    const client = new Submitter(server, { 'user-agent': `submitter-${w}` });
    while (next < count) {
      const n = next++;
      try {
        await submitCase(client, org.keyset, {
          answers: { country: 'NO', number: String(n) },
          message: `concurrent submission number ${n}`,
        });
        acknowledged.add(n);
      } catch {
        refused++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  return { acknowledged, refused };
}

export async function reviewAll(
  server: string,
  org: Organisation,
): Promise<Omit<ManyResult, 'acknowledged' | 'refused'>> {
  const bundle = join(org.dir, `bundle-${Date.now()}.sbx`);
  const cases = join(org.dir, 'cases');
  const pulled = await courierPull({ server, key: org.courierKey, out: bundle }, org.io);
  const report = await reviewOpen(
    { bundle, key: org.reviewerKey, cases, keyset: org.keysetFile, organisation: org.fingerprint },
    org.io,
  );
  const seen = new Map<number, number>();
  const texts = new Map<number, string>();
  for (const file of await readdir(cases, { recursive: true })) {
    if (!file.endsWith('message.txt')) continue;
    const text = await readFile(join(cases, file), 'utf8');
    const n = Number(/concurrent submission number (\d+)/.exec(text)?.[1] ?? -1);
    seen.set(n, (seen.get(n) ?? 0) + 1);
    texts.set(n, text);
  }
  if (process.env.SEALBOX_DEBUG_MANY)
    console.error(
      JSON.stringify({
        failed: report.failed.slice(0, 5),
        bundleError: report.bundleError,
        already: report.alreadyOpened,
        notForMe: report.notForThisKey.length,
        opened: report.opened.length,
      }),
    );
  return { pulled: pulled.items, opened: report.opened.length, seen, texts };
}
