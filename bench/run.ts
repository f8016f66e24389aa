// `npm run bench` runs every benchmark; `npm run bench -- submissions status`
// runs some; `--smoke` runs each in a tiny mode (seconds) to prove it works.
// Each result is printed as one JSON line and kept in bench/results/.
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { format } from 'prettier';
import { BENCHMARKS, runBenchmark } from './registry.ts';
import { writeReport } from './report.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    smoke: { type: 'boolean', default: false },
    'no-report': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(
    `usage: npm run bench -- [--smoke] [--no-report] [${BENCHMARKS.map((b) => b.name).join('|')} ...]\n` +
      'PostgreSQL parts use BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres);\n' +
      'set BENCH_POSTGRES_URL=off to skip them.',
  );
  process.exit(0);
}

const unknown = positionals.filter((p) => !BENCHMARKS.some((b) => b.name === p));
if (unknown.length > 0) {
  console.error(`unknown benchmark: ${unknown.join(', ')}`);
  process.exit(2);
}
const chosen = positionals.length
  ? BENCHMARKS.filter((b) => positionals.includes(b.name))
  : BENCHMARKS;
const pgEnv = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const postgresUrl = pgEnv === 'off' ? undefined : pgEnv;

const resultsDir = new URL('./results/', import.meta.url);
await mkdir(resultsDir, { recursive: true });
let failed = false;
for (const benchmark of chosen) {
  try {
    const result = await runBenchmark(benchmark, {
      smoke: values.smoke,
      postgresUrl,
      log: (line) => console.error(line),
    });
    console.log(JSON.stringify(result));
    if (!values.smoke) {
      // Written as prettier writes JSON, so that `prettier --check .` stays clean.
      const text = await format(JSON.stringify(result), { parser: 'json' });
      await writeFile(new URL(`${benchmark.name}.json`, resultsDir), text);
    }
  } catch (error) {
    failed = true;
    console.error(`benchmark ${benchmark.name} failed:`, error);
  }
}
if (!values.smoke && !values['no-report']) await writeReport();
process.exit(failed ? 1 : 0);
