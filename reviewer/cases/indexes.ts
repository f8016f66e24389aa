// Regenerates what the reviewer browses: each touched case's page, the folder's
// index.html and the cases.csv register. They are derived from case.json and
// the item folders, so they can always be rebuilt.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../files.ts';
import type { CaseFolder } from './case-folder.ts';
import { type ItemText, casePage, indexPage } from './html.ts';
import type { CaseRecord } from './records.ts';
import { registerCsv } from './register-csv.ts';

export async function writeCasePage(folder: CaseFolder, record: CaseRecord): Promise<void> {
  const dir = folder.caseDir(record.caseId);
  const items: ItemText[] = [];
  for (const item of record.items) {
    const itemDir = join(dir, item.folder);
    const message = await readFile(join(itemDir, 'message.txt'), 'utf8').catch(() => '');
    const answers = await readFile(join(itemDir, 'answers.json'), 'utf8')
      .then((t) => JSON.parse(t) as Record<string, string | string[]>)
      .catch(() => ({}));
    items.push({ item, message, answers });
  }
  await writeFileAtomic(join(dir, 'index.html'), casePage(record, items));
}

export async function writeIndexes(
  folder: CaseFolder,
  touched: Iterable<string> | 'all',
): Promise<CaseRecord[]> {
  const records = await folder.allCases();
  const wanted = touched === 'all' ? null : new Set(touched);
  for (const record of records) {
    if (!wanted || wanted.has(record.caseId)) await writeCasePage(folder, record);
  }
  await writeFileAtomic(join(folder.root, 'index.html'), indexPage(records));
  await writeFileAtomic(join(folder.root, 'cases.csv'), registerCsv(records));
  return records;
}
