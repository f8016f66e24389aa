// Benchmark 6: the submit page. Its weight on the wire (the build's own .gz
// files, measured by bench/web-weight.ts) where WebAssembly is available and on
// the pure-JS fallback, and the time to seal and submit a report with a 1 MiB
// attachment in headless Chromium against the real server process, which
// serves the page itself. Baseline in the same run: the same report without an
// attachment, so the difference is what sealing and uploading 1 MiB costs.
import { randomFillSync } from 'node:crypto';
import type { Browser as ChromiumBrowser } from 'playwright-core';
import { measureWebWeight } from './web-weight.ts';
import type { Benchmark, Check } from './lib/result.ts';
import { CHROMIUM, TOR_LINK, openSession, startPageBench, submitOnce } from './lib/page-session.ts';
import { BENCH_POW_DIFFICULTY } from './lib/sealbox.ts';
import { MiB, type Figure, figure, median, round } from './lib/stats.ts';

const BUDGET_KIB = 200;

interface Load {
  /** Milliseconds from asking for the address until the form can be filled in. */
  usable: number;
  /** … until the organisation's keys are verified (sealing is possible). */
  verified: number;
}

/** A first visit: a fresh context, nothing cached. */
async function loadOnce(
  browser: ChromiumBrowser,
  url: string,
  options: { noWasm: boolean; link?: typeof TOR_LINK },
): Promise<Load> {
  const session = await openSession(browser, options);
  try {
    const { page } = session;
    const start = performance.now();
    const usable = page
      .locator('body[data-ready=true]')
      .waitFor({ timeout: 120_000 })
      .then(() => performance.now() - start);
    const verified = page
      .getByText(/keys are verified/)
      .waitFor({ timeout: 120_000 })
      .then(() => performance.now() - start);
    await page.goto(url, { waitUntil: 'commit' });
    return { usable: await usable, verified: await verified };
  } finally {
    await session.close();
  }
}

const benchmark: Benchmark = {
  name: 'web',
  title: 'Submit page: gzip weight and time to seal and submit 1 MiB in Chromium',
  async run({ smoke, log }) {
    const reps = smoke ? 1 : 5;
    const size = smoke ? 64 * 1024 : MiB;
    const torReps = smoke ? 1 : 3;
    const checks: Check[] = [];
    const notes: string[] = [];
    const timings: Partial<
      Record<'wasm' | 'js', { usable: Figure; verified: Figure; withFile: Figure; without: Figure }>
    > = {};

    log('web: measuring the build weight');
    const weight = await measureWebWeight();
    const kib = (bytes: number) => round(bytes / 1024, 1);
    const wasm = kib(weight.wasmOtherLanguage.gzip);
    const noWasm = kib(weight.noWasmOtherLanguage.gzip);
    checks.push({
      what: 'submit page transfer where WebAssembly is available (gzip, largest catalogue)',
      subject: figure([wasm], 'KiB gzip'),
      target: `≤ ${BUDGET_KIB} KiB gzip`,
      met: wasm <= BUDGET_KIB,
      notes: [
        `WebAssembly path, English: ${kib(weight.wasmEnglish.gzip)} KiB gzip (${kib(weight.wasmEnglish.raw)} KiB uncompressed); with the largest other catalogue ${wasm} KiB gzip`,
      ],
    });
    checks.push({
      what: 'submit page transfer without WebAssembly (pure-JS libsodium, gzip, largest catalogue)',
      subject: figure([noWasm], 'KiB gzip'),
      target: 'report (fetched only where WebAssembly is missing)',
      met: null,
      notes: [
        `fallback path: ${noWasm} KiB gzip (${kib(weight.noWasmOtherLanguage.raw)} KiB uncompressed), ${round(noWasm / wasm, 2)}× the WebAssembly path`,
      ],
    });

    const bench = await startPageBench(log);
    const { browser } = bench;
    try {
      const file = Buffer.alloc(size);
      randomFillSync(file);
      const url = bench.url;
      for (const noWasm of [false, true]) {
        const path = noWasm ? 'without WebAssembly' : 'with WebAssembly';
        log(`web: ${path}`);
        const loads: Load[] = [];
        for (let r = 0; r < reps; r++) loads.push(await loadOnce(browser, url, { noWasm }));
        const session = await openSession(browser, { noWasm });
        try {
          // One warm-up so that the first measured run does not pay for compiling the page.
          await submitOnce(session.page, url, null);
          const withFile: number[] = [];
          const without: number[] = [];
          for (let r = 0; r < reps; r++) {
            log(`web: ${path}, repetition ${r + 1}/${reps}`);
            without.push(await submitOnce(session.page, url, null));
            withFile.push(await submitOnce(session.page, url, file));
          }
          timings[noWasm ? 'js' : 'wasm'] = {
            usable: figure(
              loads.map((l) => l.usable),
              'ms',
            ),
            verified: figure(
              loads.map((l) => l.verified),
              'ms',
            ),
            withFile: figure(withFile, 'ms'),
            without: figure(without, 'ms'),
          };
        } finally {
          await session.close();
        }
      }
      const { wasm: w, js } = timings as Required<typeof timings>;
      checks.push({
        what: `seal and submit a report with a ${size / 1024} KiB attachment in headless Chromium (click to receipt)`,
        subject: w.withFile,
        baseline: w.without,
        ratio: round(w.without.median / w.withFile.median, 2),
        target: 'report the time',
        met: null,
        notes: [
          `baseline: the same report without an attachment; the ${size / 1024} KiB attachment adds ${round(w.withFile.median - w.without.median, 0)} ms (median)`,
        ],
      });
      const submitRatio = round(js.withFile.median / w.withFile.median, 2);
      checks.push({
        what: `the same without WebAssembly (Tor Browser at "Safer"): seal and submit ${size / 1024} KiB`,
        subject: js.withFile,
        baseline: w.withFile,
        ratio: round(w.withFile.median / js.withFile.median, 2),
        target: '≤ 2× the WebAssembly path',
        met: submitRatio <= 2,
        notes: [`${submitRatio}× the WebAssembly path's time`],
      });
      const loadRatio = round(js.verified.median / w.verified.median, 2);
      checks.push({
        what: 'page load without WebAssembly, fresh browser, until the keys are verified',
        subject: js.verified,
        baseline: w.verified,
        ratio: round(w.verified.median / js.verified.median, 2),
        target: '≤ 2× the WebAssembly path',
        met: loadRatio <= 2,
        notes: [
          `${loadRatio}× the WebAssembly path's load; the form can be used after ${round(js.usable.median, 0)} ms without WebAssembly, ${round(w.usable.median, 0)} ms with it (medians)`,
        ],
      });

      log('web: over an emulated Tor link');
      for (const noWasm of [false, true]) {
        const loads: Load[] = [];
        const receipts: number[] = [];
        for (let r = 0; r < torReps; r++) {
          loads.push(await loadOnce(browser, url, { noWasm, link: TOR_LINK }));
          const session = await openSession(browser, { noWasm, link: TOR_LINK });
          try {
            receipts.push(await submitOnce(session.page, url, file));
          } finally {
            await session.close();
          }
        }
        const usable = figure(
          loads.map((l) => l.usable),
          'ms',
        );
        const path = noWasm ? 'without WebAssembly' : 'with WebAssembly';
        checks.push({
          what: `over a Tor-like link (${TOR_LINK.latency} ms round trip, 1 Mbit/s), ${path}: from the address to a form that can be used`,
          subject: usable,
          target: noWasm ? 'report' : '< 6 s',
          met: noWasm ? null : usable.median < 6000,
          notes: [
            `until the keys are verified: ${round(median(loads.map((l) => l.verified)), 0)} ms (median)`,
          ],
        });
        checks.push({
          what: `over the same link, ${path}: from "Lock and send" to the receipt, ${size / 1024} KiB attachment`,
          subject: figure(receipts, 'ms'),
          target: 'report',
          met: null,
          notes: [],
        });
      }
    } finally {
      await bench.close();
    }
    notes.push(
      `weight: bench/web-weight.ts, the build's own .gz files (gzip -9): HTML, loader, styles, proof-of-work worker, one app build and the largest non-English catalogue`,
      `time: server/bin/main.ts in a child process on PGlite serving the built page; Chromium ${CHROMIUM} via playwright-core on the same 2 cores; proof-of-work difficulty lowered to ${BENCH_POW_DIFFICULTY} (the page still solves and the server verifies it), so the time is sealing + upload + server work, not the proof of work`,
      'without WebAssembly: WebAssembly deleted before any page script runs (as Tor Browser at "Safer" does), so the loader picks the pure-JavaScript libsodium build; each load in a fresh browser context (nothing cached); "usable" is when the form is drawn in the person\'s language, "verified" when the keyset, the epoch keys and the page\'s own signature are checked and the page will seal',
      `Tor-like link: Chromium's network emulation, ${TOR_LINK.latency} ms added to every request and ${(TOR_LINK.throughput * 8) / 1e6} Mbit/s each way, a fresh context per run`,
    );
    return { checks, notes };
  },
};

export default benchmark;
