// The figures as the page shows them: the tables of `review stats`, each
// named by what it counts and each row by the answer it counts (an option id,
// a country code, a month), so that the page can word them in the reviewer's
// language. The SVG and CSV exports keep the command line's English words.
import { CaseFolder } from '../cases/case-folder.ts';
import { FIELD, answerValues, optionLabel } from '../cases/form-labels.ts';
import { type Workspace, figures } from './actions.ts';

export type TallyId = 'country' | 'unBody' | 'kinds' | 'month';

// The titles reviewer/stats/count.ts gives its tables, and the field each counts.
const TALLIES: Record<string, { id: TallyId; field: string | null }> = {
  'Cases by country': { id: 'country', field: FIELD.country },
  'Cases by UN body engaged': { id: 'unBody', field: FIELD.unBody },
  'Cases by kind of reprisal': { id: 'kinds', field: FIELD.reprisalKinds },
  'Cases by month received': { id: 'month', field: null },
};

export interface FiguresView {
  cases: number;
  /** The command line's words for the period; the page words `from` and `to` itself. */
  period: string;
  from: string | null;
  to: string | null;
  tallies: {
    id: TallyId | null;
    field: string | null;
    title: string;
    /** `value` is the answer counted; null for "not answered" (or a label no answer gives). */
    rows: { label: string; value: string | null; count: number }[];
  }[];
}

export async function figuresView(
  ws: Workspace,
  period: { from?: string | undefined; to?: string | undefined },
): Promise<FiguresView> {
  const stats = await figures(ws, period);
  const records = await (await CaseFolder.open(ws.cases, { create: false })).allCases();
  return {
    cases: stats.cases,
    period: stats.period,
    from: period.from || null,
    to: period.to || null,
    tallies: stats.tallies.map((tally) => {
      const known = TALLIES[tally.title];
      const field = known?.field ?? null;
      const values = new Map<string, string>();
      if (field) {
        for (const r of records) {
          for (const v of answerValues(r.answers, field)) values.set(optionLabel(field, v), v);
        }
      }
      return {
        id: known?.id ?? null,
        field,
        title: tally.title,
        rows: tally.rows.map((row) => ({
          label: row.label,
          value: known?.id === 'month' ? row.label : (values.get(row.label) ?? null),
          count: row.count,
        })),
      };
    }),
  };
}
