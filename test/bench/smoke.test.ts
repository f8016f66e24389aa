// Every benchmark in its tiny smoke mode, so that a broken benchmark fails CI.
// No timing is asserted here: figures live in docs/benchmarks.md.
import t from 'tap';
import { BENCHMARKS, runBenchmark } from '../../bench/registry.ts';
import { section } from '../../bench/report.ts';

const postgresUrl = process.env.DATABASE_URL;

for (const benchmark of BENCHMARKS) {
  t.test(benchmark.name, async (t) => {
    const result = await runBenchmark(benchmark, {
      smoke: true,
      postgresUrl,
      log: () => undefined,
    });
    t.equal(result.name, benchmark.name);
    t.ok(result.smoke, 'ran in smoke mode');
    t.ok(result.machine.cpus > 0, 'records the machine');
    for (const check of result.checks) {
      t.ok(Number.isFinite(check.subject.median), `${check.what}: a measured figure`);
      if (check.baseline) t.ok(check.baseline.median > 0, `${check.what}: a same-run baseline`);
    }
    t.ok(result.checks.length > 0 || result.notes.length > 0, 'reports something');
    t.match(section(result), `### ${result.title}`, 'renders into the report');
    t.doesNotThrow(() => JSON.stringify(result), 'serialises as JSON');
  });
}
