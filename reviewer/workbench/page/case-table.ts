// The list of cases as a table the reviewer can sort by a column: received,
// status, country, UN body, what happened or case number. It starts in the
// order the server gives (urgent cases first, as index.html and cases.csv put
// them), and an urgent case says so in words, not only by its colour, as
// does a case set aside with a burst (listed only when asked for). Each
// sortable header holds a button (keyboard and screen reader use it like any
// other) and carries aria-sort; sorting happens here, over the cases shown.
import { el } from './dom.ts';
import { answerWords, statusName } from './form-words.ts';
import { locale, t } from './i18n.ts';

export interface CaseRow {
  name: string;
  short: string;
  received: string;
  status: string;
  country: string[];
  unBody: string[];
  reprisalKinds: string[];
  consent: string[];
  needsAnswer: boolean;
  urgent: boolean;
  dangerNow: boolean;
  helpRequested: string | null;
  /** Set aside with a burst: shown only when the reviewer asks for those too. */
  setAside: boolean;
}

export type SortKey = 'attention' | 'case' | 'received' | 'status' | 'country' | 'unBody' | 'kinds';

interface Column {
  heading: string;
  sort?: SortKey;
  cell: (c: CaseRow) => Node | string;
}

// Kept while the page is open, so that filtering keeps the reviewer's order.
let sortKey: SortKey = 'attention';
let descending = false;

function attention(c: CaseRow): Node | string {
  if (!c.urgent) return c.setAside ? el('span', { class: 'set-aside' }, t('setAside.mark')) : '';
  const reasons = [
    c.dangerNow ? t('urgent.danger') : null,
    c.helpRequested ? t('urgent.help', { date: c.helpRequested }) : null,
  ].filter((r): r is string => r !== null);
  return el('span', {}, el('strong', { class: 'urgent' }, t('urgent.mark')), ` ${reasons.join('; ')}`); // prettier-ignore
}

function columns(open: (name: string) => void): Column[] {
  return [
    { heading: t('col.attention'), sort: 'attention', cell: attention },
    {
      heading: t('col.case'),
      sort: 'case',
      cell: (c) => {
        const link = el('button', { type: 'button', class: 'link', 'data-case': c.name }, c.short);
        link.addEventListener('click', () => open(c.name));
        return link;
      },
    },
    { heading: t('col.received'), sort: 'received', cell: (c) => c.received },
    { heading: t('col.status'), sort: 'status', cell: (c) => statusName(c.status) },
    { heading: t('col.country'), sort: 'country', cell: (c) => answerWords('country', c.country) },
    { heading: t('col.unBody'), sort: 'unBody', cell: (c) => answerWords('un_body', c.unBody) },
    { heading: t('col.kinds'), sort: 'kinds', cell: (c) => answerWords('reprisal_kinds', c.reprisalKinds) }, // prettier-ignore
    { heading: t('col.consent'), cell: (c) => answerWords('consent_public', c.consent) },
    { heading: t('col.answer'), cell: (c) => (c.needsAnswer ? t('yes') : t('no')) },
  ];
}

/** The cases in the chosen order; ties keep the server's order (urgent first). */
export function sortCases(cases: readonly CaseRow[], statuses: readonly string[]): CaseRow[] {
  const words = (c: CaseRow): string =>
    sortKey === 'country'
      ? answerWords('country', c.country)
      : sortKey === 'unBody'
        ? answerWords('un_body', c.unBody)
        : answerWords('reprisal_kinds', c.reprisalKinds);
  const compare = (a: CaseRow, b: CaseRow): number => {
    switch (sortKey) {
      case 'attention':
        return 0;
      case 'case':
        return a.name.localeCompare(b.name);
      case 'received':
        return a.received.localeCompare(b.received);
      case 'status':
        return statuses.indexOf(a.status) - statuses.indexOf(b.status);
      default:
        return words(a).localeCompare(words(b), locale());
    }
  };
  const indexed = cases.map((c, index) => ({ c, index }));
  const sign = descending ? -1 : 1;
  indexed.sort((a, b) => sign * (compare(a.c, b.c) || a.index - b.index));
  return indexed.map(({ c }) => c);
}

/** The table of cases with sortable headers; sorting redraws it in place and keeps focus on the header's button. */
export function caseTable(
  cases: readonly CaseRow[],
  statuses: readonly string[],
  open: (name: string) => void,
): HTMLTableElement {
  const table = el('table', { id: 'case-table' });
  const draw = (focus: SortKey | null): void => {
    const cols = columns(open);
    const current = cols.find((c) => c.sort === sortKey)!;
    const direction = t(descending ? 'sort.descending' : 'sort.ascending');
    const head = cols.map((col) => {
      if (!col.sort) return el('th', { scope: 'col' }, col.heading);
      const active = col.sort === sortKey;
      const button = el('button', { type: 'button', class: 'sort', 'data-sort': col.sort }, col.heading); // prettier-ignore
      if (active) button.append(el('span', { 'aria-hidden': 'true' }, descending ? ' ▼' : ' ▲'));
      button.addEventListener('click', () => {
        descending = col.sort === sortKey ? !descending : false;
        sortKey = col.sort!;
        draw(sortKey);
      });
      const th = el('th', { scope: 'col' }, button);
      if (active) th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
      return th;
    });
    const rows = sortCases(cases, statuses).map(
      (c) =>
      el('tr', c.urgent ? { class: 'urgent-case' } : {}, ...cols.map((col) => el('td', { dir: 'auto' }, col.cell(c)))), // prettier-ignore
    );
    table.replaceChildren(
      el('caption', {}, t(sortKey === 'attention' ? 'sort.urgentFirst' : 'sort.caption', { column: current.heading, direction })), // prettier-ignore
      el('thead', {}, el('tr', {}, ...head)),
      el('tbody', {}, ...rows),
    );
    if (focus) table.querySelector<HTMLButtonElement>(`button[data-sort="${focus}"]`)?.focus();
  };
  draw(null);
  return table;
}
