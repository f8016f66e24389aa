// Every benchmark, in the order `npm run bench` runs them.
import attachment from './attachment.ts';
import bundle from './bundle.ts';
import flood from './flood.ts';
import status from './status.ts';
import scaling from './scaling.ts';
import submissions from './submissions.ts';
import uploadMemory from './upload-memory.ts';
import web from './web.ts';
import type { BenchOptions, BenchResult, Benchmark } from './lib/result.ts';
import { machine, round } from './lib/stats.ts';

export const BENCHMARKS: Benchmark[] = [
  submissions,
  status,
  scaling,
  attachment,
  bundle,
  uploadMemory,
  web,
  flood,
];

export async function runBenchmark(
  benchmark: Benchmark,
  options: BenchOptions,
): Promise<BenchResult> {
  const start = performance.now();
  options.log(`== ${benchmark.name}: ${benchmark.title}${options.smoke ? ' (smoke)' : ''}`);
  const body = await benchmark.run(options);
  return {
    name: benchmark.name,
    title: benchmark.title,
    machine: machine(),
    smoke: options.smoke,
    seconds: round((performance.now() - start) / 1000, 1),
    ...body,
  };
}
