// review stats: the counts for reporting, as a text table on screen and an SVG
// chart beside the cases (or where --svg says).
import { join } from 'node:path';
import { CaseFolder } from '../cases/case-folder.ts';
import { usage } from '../errors.ts';
import { writeFileAtomic } from '../files.ts';
import type { CommandIo } from '../io.ts';
import { type Statistics, computeStatistics, statisticsTable } from '../stats/count.ts';
import { statisticsSvg } from '../stats/svg.ts';

export async function reviewStats(
  options: { cases: string; year?: string | undefined; svg?: string | undefined },
  io: CommandIo,
): Promise<Statistics> {
  if (options.year !== undefined && !/^\d{4}$/.test(options.year)) {
    throw usage('--year is a year written with four digits, such as 2026.');
  }
  const folder = await CaseFolder.open(options.cases, { create: false });
  const stats = computeStatistics(await folder.allCases(), options.year);
  const svgPath =
    options.svg ?? join(options.cases, `statistics${options.year ? `-${options.year}` : ''}.svg`);
  await writeFileAtomic(svgPath, statisticsSvg(stats));
  io.print(statisticsTable(stats));
  io.print(`Chart written to ${svgPath}.`);
  return stats;
}
