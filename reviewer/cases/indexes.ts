// Regenerates what the reviewer browses: each touched case's page, the folder's
// index.html (and set-aside.html while a burst is set aside, see bursts.ts)
// and the cases.csv register. They are derived from case.json and the item
// folders, so they can always be rebuilt. (review open writes a case's page
// together with its case.json, see commit-batch.ts, and the others once at
// the end of the run.)
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../files.ts';
import { isSetAside } from './bursts.ts';
import { casePage, indexPage } from './html.ts';
import { type ItemText, readItemText } from './item-text.ts';
import type { CaseRecord } from './records.ts';
import { registerCsv } from './register-csv.ts';
import { today } from './triage.ts';

/** What the pages are made from: a case folder (case-folder.ts), seen from outside. */
export interface BrowsableCases {
  readonly root: string;
  caseDir(caseId: string): string;
  allCases(): Promise<CaseRecord[]>;
}

export async function writeCasePage(folder: BrowsableCases, record: CaseRecord): Promise<void> {
  const dir = folder.caseDir(record.caseId);
  const items: ItemText[] = [];
  for (const item of record.items) items.push(await readItemText(join(dir, item.folder), item));
  await writeFileAtomic(join(dir, 'index.html'), casePage(record, items));
}

/** Rewrites the pages of the `touched` cases (or all), then the folder's index.html and cases.csv. */
export async function writeIndexes(
  folder: BrowsableCases,
  touched: Iterable<string> | 'all',
): Promise<CaseRecord[]> {
  const records = await folder.allCases();
  const wanted = touched === 'all' ? null : new Set(touched);
  for (const record of records) {
    if (!wanted || wanted.has(record.caseId)) await writeCasePage(folder, record);
  }
  await writeFolderIndex(folder, records);
  return records;
}

/**
 * The folder's index.html (cases not set aside), set-aside.html (the cases of
 * bursts set aside, see bursts.ts) and cases.csv (every case), from every
 * case record.
 */
export async function writeFolderIndex(
  folder: BrowsableCases,
  records?: readonly CaseRecord[],
  day: string = today(),
): Promise<void> {
  const all = records ?? (await folder.allCases());
  const aside = all.filter((r) => isSetAside(r, day));
  const main = all.filter((r) => !isSetAside(r, day));
  await writeFileAtomic(
    join(folder.root, 'index.html'),
    indexPage(main, day, { asideCount: aside.length }),
  );
  // Only while something is set aside: a folder without bursts looks as before.
  const asidePath = join(folder.root, 'set-aside.html');
  if (aside.length > 0) {
    await writeFileAtomic(asidePath, indexPage(aside, day, { setAside: true }));
  } else {
    await rm(asidePath, { force: true });
  }
  await writeFileAtomic(join(folder.root, 'cases.csv'), registerCsv(all, day));
}
