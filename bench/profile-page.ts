// Where the submit page spends its time on one submission: a CPU profile of
// every thread of the page (the page itself, the proof-of-work worker and any
// other worker), taken with Chromium's tracing (the V8 sampling profiler's
// trace category), with WebAssembly and without it.
//
//   npx tsx bench/profile-page.ts                # 1 MiB, both paths
//   npx tsx bench/profile-page.ts --size 256 --no-wasm-only --top 40
//   npx tsx bench/profile-page.ts --trace-dir /tmp/traces   # keep the raw traces
//
// Each trace opens in Chromium's DevTools (Performance panel, "Load profile").
// Printed per path: the time from "Lock and send" to the receipt, each
// thread's busy time, and the functions and scripts with the most self time.
import { randomFillSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openSession, readyToSend, sendAndWait, startPageBench } from './lib/page-session.ts';
import { type ThreadProfile, summariseTrace } from './lib/trace-profile.ts';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '1024' },
    top: { type: 'string', default: '25' },
    'trace-dir': { type: 'string' },
    'wasm-only': { type: 'boolean', default: false },
    'no-wasm-only': { type: 'boolean', default: false },
  },
});
const size = Number(values.size) * 1024;
const top = Number(values.top);
const paths = values['wasm-only'] ? [false] : values['no-wasm-only'] ? [true] : [false, true];
const log = (line: string) => console.error(line);

const ms = (n: number) => `${Math.round(n)} ms`.padStart(9);

function print(threads: ThreadProfile[]): void {
  for (const t of threads) {
    console.log(`  thread ${t.name}: busy ${ms(t.busy)} (${t.samples} samples)`);
    const byScript = [...t.byScript].slice(0, 6);
    for (const [script, time] of byScript) console.log(`    ${ms(time)}  ${script}`);
  }
  const all = threads
    .flatMap((t) => t.byFunction.map((f) => ({ ...f, thread: t.name })))
    .sort((a, b) => b.self - a.self)
    .slice(0, top);
  console.log(`  top ${top} functions by self time, every thread:`);
  for (const f of all) console.log(`    ${ms(f.self)}  ${f.name}  [${f.thread}] ${f.where}`);
}

const bench = await startPageBench(log);
try {
  const file = Buffer.alloc(size);
  randomFillSync(file);
  if (values['trace-dir']) await mkdir(values['trace-dir'], { recursive: true });
  for (const noWasm of paths) {
    const label = noWasm ? 'without WebAssembly' : 'with WebAssembly';
    const session = await openSession(bench.browser, { noWasm });
    try {
      // A warm-up submission, so that compiling the page is not in the profile.
      await readyToSend(session.page, bench.url, null);
      await sendAndWait(session.page);
      await readyToSend(session.page, bench.url, file);
      await bench.browser.startTracing(session.page, {
        categories: ['disabled-by-default-v8.cpu_profiler', 'v8', 'devtools.timeline'],
      });
      const took = await sendAndWait(session.page);
      const trace = await bench.browser.stopTracing();
      if (values['trace-dir']) {
        const name = `page-${noWasm ? 'no-wasm' : 'wasm'}-${size / 1024}k.json`;
        await writeFile(join(values['trace-dir'], name), trace);
      }
      console.log(`${label}: ${size / 1024} KiB, "Lock and send" to receipt ${ms(took)}`);
      print(
        summariseTrace(JSON.parse(trace.toString('utf8')) as Parameters<typeof summariseTrace>[0]),
      );
    } finally {
      await session.close();
    }
  }
} finally {
  await bench.close();
}
