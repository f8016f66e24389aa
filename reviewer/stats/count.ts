// The figures an annual reprisals report needs, counted over the case folder:
// cases by country, by UN body engaged, by kind of reprisal (a case may report
// several kinds, so that table sums to more than the number of cases) and by
// month received. Answers outside the default form are ignored, not errors.
import { FIELD, answerValues, optionLabel } from '../cases/form-labels.ts';
import type { CaseRecord } from '../cases/records.ts';
import { terminalField } from '../terminal-text.ts';

export interface Tally {
  title: string;
  rows: { label: string; count: number }[];
  /** Chronological tables keep their order; the others are sorted by count. */
  chronological: boolean;
}

export interface Statistics {
  cases: number;
  period: string;
  tallies: Tally[];
}

const NOT_ANSWERED = '(not answered)';

function tally(
  title: string,
  records: readonly CaseRecord[],
  keysOf: (r: CaseRecord) => string[],
  chronological = false,
): Tally {
  const counts = new Map<string, number>();
  for (const record of records) {
    const keys = [...new Set(keysOf(record))];
    for (const key of keys.length ? keys : [NOT_ANSWERED]) {
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const rows = [...counts].map(([label, count]) => ({ label, count }));
  rows.sort(
    chronological
      ? (a, b) => a.label.localeCompare(b.label)
      : (a, b) => b.count - a.count || a.label.localeCompare(b.label),
  );
  return { title, rows, chronological };
}

function labelled(fieldId: string) {
  return (r: CaseRecord): string[] =>
    answerValues(r.answers, fieldId).map((v) => optionLabel(fieldId, v));
}

export function computeStatistics(records: readonly CaseRecord[], year?: string): Statistics {
  const chosen = year ? records.filter((r) => r.received.startsWith(`${year}-`)) : records;
  return {
    cases: chosen.length,
    period: year ?? 'all years',
    tallies: [
      tally('Cases by country', chosen, labelled(FIELD.country)),
      tally('Cases by UN body engaged', chosen, labelled(FIELD.unBody)),
      tally('Cases by kind of reprisal', chosen, labelled(FIELD.reprisalKinds)),
      tally('Cases by month received', chosen, (r) => [r.received.slice(0, 7)], true),
    ],
  };
}

// Labels are answers, i.e. a submitter's text: one line each, nothing a
// terminal would act on (reviewer/terminal-text.ts).
export function statisticsTable(stats: Statistics): string {
  const out = [`${stats.cases} case(s), ${stats.period}.`, ''];
  for (const t of stats.tallies) {
    const labels = t.rows.map((r) => terminalField(r.label));
    const width = Math.max(5, ...labels.map((l) => [...l].length));
    out.push(t.title, `${'-'.repeat(width)}  -----`);
    for (const [i, row] of t.rows.entries()) {
      const label = labels[i]!;
      out.push(
        `${label}${' '.repeat(width - [...label].length)}  ${String(row.count).padStart(5)}`,
      );
    }
    if (t.rows.length === 0) out.push('(none)');
    out.push('');
  }
  return out.join('\n');
}
