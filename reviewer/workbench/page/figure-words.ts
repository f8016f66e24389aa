// The figures' tables in the reviewer's language: each table is named by what
// it counts and each row by the answer it counts (reviewer/workbench/
// figures-view.ts sends both), worded like the rest of the page.
import { answerWord } from './form-words.ts';
import { t } from './i18n.ts';

export interface FigureTally {
  id: string | null;
  field: string | null;
  title: string;
  rows: { label: string; value: string | null; count: number }[];
}

export function tallyTitle(tally: FigureTally): string {
  return tally.id ? t(`figures.by.${tally.id}`) : tally.title;
}

export function rowLabel(tally: FigureTally, row: FigureTally['rows'][number]): string {
  if (row.value === null) return row.label === '(not answered)' ? t('figures.notAnswered') : row.label; // prettier-ignore
  return tally.field ? answerWord(tally.field, row.value) : row.value;
}

export function periodWords(from: string | null, to: string | null): string {
  if (from && to) return t('figures.range', { from, to });
  if (from) return t('figures.since', { from });
  if (to) return t('figures.until', { to });
  return t('figures.allTime');
}
