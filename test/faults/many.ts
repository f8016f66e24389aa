// Many concurrent submitters, then the reviewers' whole path: one courier
// pull, one offline open. Shared by the CI test (a few hundred) and the soak
// (ten thousand). Each message carries its own number, so that "exactly once"
// can be checked on the reviewer's side.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { reviewOpen } from '../../reviewer/commands/review-open.ts';
import { courierPull } from '../../reviewer/courier/pull.ts';
import type { Organisation } from '../audit/organisation.ts';
import { Submitter, submitCase } from '../audit/submitter.ts';

export interface ManyResult {
  acknowledged: number;
  refused: number;
  pulled: number;
  opened: number;
  /** Numbers found in the opened cases, each as often as it was found. */
  seen: Map<number, number>;
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
  for (const file of await readdir(cases, { recursive: true })) {
    if (!file.endsWith('message.txt')) continue;
    const text = await readFile(join(cases, file), 'utf8');
    const n = Number(/concurrent submission number (\d+)/.exec(text)?.[1] ?? -1);
    seen.set(n, (seen.get(n) ?? 0) + 1);
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
  return { pulled: pulled.items, opened: report.opened.length, seen };
}
