// One case as the workbench shows it, read from the case folder: its items in
// order (the submission, then each follow-up) with their messages, labelled
// answers and attachments, and what was signed for it. Every string here may
// be a submitter's: the page sets it as text, never as markup.
import { open } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import type { CaseFolder } from '../cases/case-folder.ts';
import { answerText, answerValues, fieldLabel, orderedFieldIds } from '../cases/form-labels.ts';
import { readItemText } from '../cases/item-text.ts';
import type { AttachmentRecord, CaseRecord } from '../cases/records.ts';
import { CliError } from '../errors.ts';
import { type CaseSummary, summarise } from './case-list.ts';

export interface AnswerView {
  field: string;
  /** The English label and text, as the case folder's pages write them. */
  label: string;
  text: string;
  /** The answer as given (option ids, a country code or the person's own words), for the page to word in its language. */
  values: string[];
}

export interface AttachmentView {
  index: number;
  file: string;
  originalName: string;
  type: string;
  size: number;
  /** Shown in the page: a raster image type the browser decodes without running anything. */
  image: boolean;
}

export interface ItemView {
  index: number;
  kind: 'submission' | 'followup';
  date: string;
  flag: string | null;
  message: string;
  answers: AnswerView[];
  attachments: AttachmentView[];
}

export interface CaseView {
  summary: CaseSummary;
  items: ItemView[];
  statements: CaseRecord['statements'];
}

// By the name on disk, which the case folder already made safe; never SVG
// (it is a document that can hold script), never by what the submitter declared.
const IMAGE_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
};

export function imageType(file: string): string | null {
  return IMAGE_TYPES[extname(file).toLowerCase()] ?? null;
}

function answers(values: Record<string, string | string[]>): AnswerView[] {
  return orderedFieldIds(values).map((field) => ({
    field,
    label: fieldLabel(field),
    text: answerText(values, field),
    values: answerValues(values, field),
  }));
}

export async function caseView(folder: CaseFolder, record: CaseRecord): Promise<CaseView> {
  const dir = folder.caseDir(record.caseId);
  const items: ItemView[] = [];
  for (const [index, item] of record.items.entries()) {
    const text = await readItemText(join(dir, item.folder), item);
    items.push({
      index,
      kind: item.kind,
      date: item.date,
      flag: item.flag ?? null,
      message: text.message,
      answers: answers(index === 0 && item.kind === 'submission' ? record.answers : text.answers),
      attachments: item.attachments.map((a, i) => ({
        index: i,
        file: a.file,
        originalName: a.originalName,
        type: a.type,
        size: a.size,
        image: imageType(a.file) !== null,
      })),
    });
  }
  const [summary] = summarise([record]);
  return { summary: summary!, items, statements: record.statements };
}

/** An attachment's file, found by its place in the case, never by a path the page sends. */
export async function attachmentFile(
  folder: CaseFolder,
  record: CaseRecord,
  itemIndex: number,
  fileIndex: number,
): Promise<{ path: string; attachment: AttachmentRecord; size: number }> {
  const item = record.items[itemIndex];
  const attachment = item?.attachments[fileIndex];
  if (!item || !attachment) throw new CliError('FILE_MISSING', 'There is no such attachment.');
  const caseDir = folder.caseDir(record.caseId);
  const path = join(caseDir, item.folder, 'attachments', attachment.file);
  const inside = relative(caseDir, path);
  if (inside.startsWith(`..${sep}`) || inside === '..') {
    throw new CliError('FILE_INVALID', 'That attachment lies outside its case.');
  }
  const handle = await open(path, 'r').catch(() => {
    throw new CliError(
      'FILE_MISSING',
      `The file ${attachment.file} is missing from the case folder.`,
    );
  });
  const { size } = await handle.stat();
  await handle.close();
  return { path, attachment, size };
}
