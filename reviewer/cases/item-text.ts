// An item's texts as the pages show them, read back from its folder: what
// case pages are rebuilt from when the item's document is no longer in memory.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CaseItem } from './records.ts';

export interface ItemText {
  item: CaseItem;
  message: string;
  answers: Record<string, string | string[]>;
}

/** A follow-up without answers has no answers files: it reads as none. */
export async function readItemText(itemDir: string, item: CaseItem): Promise<ItemText> {
  const message = await readFile(join(itemDir, 'message.txt'), 'utf8').catch(() => '');
  const answers = await readFile(join(itemDir, 'answers.json'), 'utf8')
    .then((t) => JSON.parse(t) as Record<string, string | string[]>)
    .catch(() => ({}));
  return { item, message, answers };
}
