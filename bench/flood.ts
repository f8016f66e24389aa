// Benchmark: a day of flooding, before and after effort levels (issue 17). The
// proof cost is measured here, on this machine, with altcha-lib's own solver
// (SHA-256, deterministic mode, as the server issues); a phone-class core is
// taken as PHONE_FACTOR times slower. The day itself runs on a virtual clock
// through the server's own admission rules (bench/lib/flood-sim.ts): no
// network, no CPU burnt on the attacker's behalf. What the HTTP routes do
// with those rules is tested in test/adversary/flooder.test.ts.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { measureRate as measureTries } from '../web/src/pow-rate.ts';
import { type FloodOptions, FOLLOWUP_WITHIN_SECONDS, simulateFlood } from './lib/flood-sim.ts';
import type { Benchmark, Check } from './lib/result.ts';
import { figure, median, round } from './lib/stats.ts';

/** The server's default base difficulty (SEALBOX_POW_DIFFICULTY). */
const DIFFICULTY = 50_000;
/** A phone-class core against one core of this machine (docs/threat-model.md). */
const PHONE_FACTOR = 2;
const ATTACKER_PHONES = 100;
/** On-demand compute-optimised vCPU (AWS c7i.large, us-east-1: $0.08925/h for 2 vCPUs). */
const USD_PER_VCPU_HOUR = 0.0446;

/** Tries per second of one core of this machine, over about `seconds` (the page's own measure). */
async function measureRate(seconds: number): Promise<number[]> {
  const rates: number[] = [];
  const until = performance.now() + seconds * 1000;
  do rates.push(await measureTries(20_000, deriveKey));
  while (performance.now() < until);
  return rates;
}

/**
 * Tries per second of the page's solver (altcha-lib's web SHA-256: one
 * WebCrypto digest per try) in headless Chromium on one core here, on a
 * loopback page (WebCrypto needs a secure context).
 */
async function measureBrowserRate(tries: number): Promise<number[]> {
  const server = createServer((_request, response) =>
    response.end('<!doctype html><title>bench</title>'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const rates: number[] = [];
    for (let r = 0; r < 3; r++) {
      rates.push(
        await page.evaluate(async (n) => {
          const input = crypto.getRandomValues(new Uint8Array(36));
          const counter = new DataView(input.buffer);
          const start = performance.now();
          for (let i = 0; i < n; i++) {
            counter.setUint32(32, i);
            await crypto.subtle.digest('SHA-256', input);
          }
          return n / ((performance.now() - start) / 1000);
        }, tries),
      );
    }
    return rates;
  } finally {
    await browser.close();
    server.close();
  }
}

const usd = (cpuHours: number) => round(cpuHours * USD_PER_VCPU_HOUR, 2);

const benchmark: Benchmark = {
  name: 'flood',
  title: 'A day of flooding: the price of closing intake, before and after effort levels',
  async run({ smoke, log }) {
    const rates = await measureRate(smoke ? 0.2 : 3);
    const rate = figure(rates, 'tries/s');
    const browserRate = figure(await measureBrowserRate(smoke ? 2_000 : 30_000), 'tries/s');
    // A solver tries half the counter's range on average. The attacker runs
    // native code (Node's solver here); a person, the page's (the browser's).
    const machineProof = DIFFICULTY / 2 / rate.median;
    const phoneProof = (DIFFICULTY / 2 / browserRate.median) * PHONE_FACTOR;
    /** Machine CPU-hours for the tries a phone makes in `phoneSeconds`. */
    const hours = (phoneSeconds: number) => (phoneSeconds * machineProof) / phoneProof / 3600;
    log(
      `flood: a level-0 proof takes ${round(machineProof)} s here, ${round(phoneProof)} s on a phone`,
    );

    // Smoke: a hundredth of the caps and of the day, same rates.
    const scale = smoke ? 0.01 : 1;
    const base: FloodOptions = {
      rules: 'after',
      attackerPhones: ATTACKER_PHONES,
      strategy: 'greedy',
      drainFollowups: false,
      phoneProofSeconds: phoneProof,
      daySeconds: 86_400 * scale,
      softCap: 20_000 * scale,
      hardCap: 200_000 * scale,
      topLevel: 6,
      windowSeconds: 600 * scale,
      writesPerMinute: 600,
      followupsPerMinute: 600,
      legitNewPerDay: 200,
      legitFollowupsPerDay: 500,
      seed: 17,
    };
    const run = (o: Partial<FloodOptions>) => {
      const started = performance.now();
      const outcome = simulateFlood({ ...base, ...o });
      log(
        `flood: ${o.rules} ${o.strategy ?? base.strategy} ${o.attackerPhones ?? base.attackerPhones} phones${o.drainFollowups ? ' + drain' : ''}: ${outcome.dayCount} cases, closed at ${outcome.closedAt ?? '-'} (${round((performance.now() - started) / 1000, 1)} s)`,
      );
      return outcome;
    };
    const before = run({ rules: 'before' });
    const beforeDrain = run({ rules: 'before', drainFollowups: true });
    const greedy = run({ rules: 'after', strategy: 'greedy' });
    const paced = run({ rules: 'after', strategy: 'paced' });
    const afterDrain = run({ rules: 'after', strategy: 'paced', drainFollowups: true });
    // The cheapest way to close the day under today's rules: paced, with as
    // many cores as closing within the day takes.
    let closer = run({ rules: 'after', strategy: 'paced', attackerPhones: 100_000 });
    if (closer.workToClose === null) closer = paced;

    // The same flood with two more levels on top (SEALBOX_POW_TOP_LEVEL=8).
    const top8 = run({ rules: 'after', strategy: 'greedy', topLevel: 8 });
    const top8Worst = Math.max(0, ...top8.legitNew.proofSeconds);
    const beforeCost = hours(before.workToClose ?? before.attackerWork);
    const afterCost = closer.workToClose === null ? null : hours(closer.workToClose);
    const costRatio = afterCost === null ? null : round(afterCost / beforeCost, 1);
    const afterLegit = greedy.legitNew.proofSeconds.concat(paced.legitNew.proofSeconds);
    const worstProof = afterLegit.length ? Math.max(...afterLegit) : 0;
    const share = (f: { sent: number; within: number }) =>
      f.sent ? round((100 * f.within) / f.sent, 1) : 100;
    const closedHours = (c: number | null) =>
      c === null ? 'not within the day' : `${round(c / 3600, 2)} h`;
    const onePoint = (value: number, unit: string) => figure([value], unit);

    const checks: Check[] = [
      {
        what: `cost to keep new cases out for a day: machine CPU-hours (at $${USD_PER_VCPU_HOUR}/vCPU-hour)`,
        subject: onePoint(afterCost ?? 0, 'CPU-h'),
        baseline: onePoint(beforeCost, 'CPU-h'),
        ratio: costRatio ?? undefined,
        target: '≥ 100× before',
        met: costRatio !== null && costRatio >= 100,
        notes: [
          `before: $${usd(beforeCost)}, the day closed after ${closedHours(before.closedAt)} by ${ATTACKER_PHONES} phones`,
          afterCost === null
            ? 'after: the day could not be closed in the simulation'
            : `after: $${usd(afterCost)} (the cheapest attacker found: paced under the rate level, ${closer === paced ? ATTACKER_PHONES : 100_000} phone-class cores, closed after ${closedHours(closer.closedAt)})`,
          `with SEALBOX_POW_TOP_LEVEL=8 the same ${ATTACKER_PHONES} phones (greedy) reach ${top8.dayCount} cases: ${closedHours(top8.closedAt)}; a person's worst proof is then ${round(top8Worst)} s`,
          `${ATTACKER_PHONES} phones after: ${paced.dayCount} (paced) / ${greedy.dayCount} (greedy) cases of the hard cap ${base.hardCap} by the end of the day: ${closedHours(paced.closedAt)} / ${closedHours(greedy.closedAt)}`,
        ],
      },
      {
        what: 'proof time a person on a phone-class core needs to get a new case in during the flood (worst case)',
        subject: onePoint(worstProof, 's'),
        baseline: onePoint(phoneProof, 's'),
        target: '≤ 60 s',
        met: worstProof <= 60,
        notes: [
          `after: ${greedy.legitNew.admitted}/${greedy.legitNew.arrived} (greedy flood) and ${paced.legitNew.admitted}/${paced.legitNew.arrived} (paced) new cases got in; median ${afterLegit.length ? round(median(afterLegit)) : 0} s of work`,
          `before: ${before.legitNew.admitted}/${before.legitNew.arrived} got in, each with ${round(phoneProof)} s of work; after the day closed (${closedHours(before.closedAt)}) none could at any price`,
        ],
      },
      {
        what: `legitimate follow-ups through within ${FOLLOWUP_WITHIN_SECONDS / 60} minutes, %`,
        subject: onePoint(share(paced.followups), '%'),
        baseline: onePoint(share(before.followups), '%'),
        target: '100 %',
        met: share(paced.followups) === 100 && share(afterDrain.followups) === 100,
        notes: [
          `flooding new cases only: before ${share(before.followups)} %, after ${share(paced.followups)} %`,
          `and spending ${round((1.5 * base.followupsPerMinute * phoneProof) / 60, 1)} phone cores of level-0 proofs on POST /v1/followups (tokens of no case: after, they take from the strangers' write bucket): before ${share(beforeDrain.followups)} %, after ${share(afterDrain.followups)} %`,
        ],
      },
    ];
    return {
      checks,
      extra: {
        rate,
        browserRate,
        machineProof,
        phoneProof,
        ...Object.fromEntries(
          Object.entries({ before, beforeDrain, greedy, paced, afterDrain, closer, top8 }).map(
            ([name, o]) => [name, { ...o, legitNew: { ...o.legitNew, proofSeconds: undefined } }],
          ),
        ),
      },
      notes: [
        `a level-0 proof at difficulty ${DIFFICULTY}: ${round(machineProof)} s on one core here with native code (${rate.median} tries/s, altcha-lib SHA-256 in Node: what the attacker pays, in CPU-hours), ${round(DIFFICULTY / 2 / browserRate.median)} s with the page's solver in Chromium (${browserRate.median} tries/s, one WebCrypto digest a try), ${round(phoneProof)} s on a phone-class core taken as ${PHONE_FACTOR}× slower than that; the attacker has the hash rate of ${ATTACKER_PHONES} such cores`,
        `the day: caps ${base.softCap}/${base.hardCap}, window ${base.windowSeconds} s, top level ${base.topLevel}, buckets ${base.writesPerMinute}/min (new cases; before: shared with follow-ups) and ${base.followupsPerMinute}/min (follow-ups); ${base.legitNewPerDay} new cases and ${base.legitFollowupsPerDay} follow-ups a day from people, at random (seeded); a person refused by a full bucket tries again every ${2} minutes`,
        'simulated on a virtual clock through server/load.ts and TokenBucket; CPU-hours are of this machine’s cores running native code',
      ],
    };
  },
};

export default benchmark;
