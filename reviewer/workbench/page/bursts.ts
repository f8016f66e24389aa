// Bursts in the workbench: the table `review bursts` prints (a burst said in
// words, not only marked), and per day the buttons that do what
// `review set-aside` does, for the whole day or one effort level. The cases
// the server kept in the list are named with why.
import { api, postJson } from './api.ts';
import { el, select } from './dom.ts';
import { t } from './i18n.ts';
import { type Shell, failed } from './shell.ts';

interface Bursts {
  usual: number;
  factor: number;
  floor: number;
  levels: string[];
  table: string[][];
}

interface Outcome {
  changed: number;
  already: number;
  kept: { name: string; reasons: string[] }[];
}

// The reasons as reviewer/cases/bursts.ts words them, and their catalogue keys.
const REASONS: Record<string, string> = {
  urgent: 'bursts.reason.urgent',
  'its author wrote again (a follow-up)': 'bursts.reason.followup',
  'you have written to this case': 'bursts.reason.written',
};

const levelName = (level: string) =>
  level === 'unknown' ? t('bursts.unknown') : t('bursts.level', { level });

function outcomeWords(day: string, undo: boolean, o: Outcome): Node[] {
  if (undo) return [el('p', { id: 'bursts-outcome' }, t('bursts.back', { count: o.changed, day }))]; // prettier-ignore
  return [
    el('p', { id: 'bursts-outcome' }, t('bursts.done', { count: o.changed, day })),
    o.already > 0 ? el('p', {}, t('bursts.already', { count: o.already })) : null,
    o.kept.length > 0 ? el('p', {}, t('bursts.kept', { count: o.kept.length })) : null,
    o.kept.length > 0
      ? el('ul', { id: 'bursts-kept' }, ...o.kept.map((k) => el('li', {}, el('bdi', {}, k.name), ` — ${k.reasons.map((r) => (REASONS[r] ? t(REASONS[r]) : r)).join('; ')}`))) // prettier-ignore
      : null,
  ].filter((n): n is HTMLParagraphElement | HTMLUListElement => n !== null);
}

export async function showBursts(shell: Shell, result: Node[] = []): Promise<void> {
  const b = await api<Bursts>('/api/bursts');
  const again = (nodes: Node[] = []) => shell.go(() => showBursts(shell, nodes));
  const rows = b.table.slice(1);
  if (rows.length === 0) {
    shell.screen(t('bursts.heading'), el('p', {}, t('bursts.hint')), el('p', {}, t('bursts.none')));
    return;
  }
  const act = (day: string, level: string, undo: boolean) => {
    const body = { day, undo, ...(level === '' ? {} : { level }) };
    postJson<Outcome>('/api/bursts/set-aside', body)
      .then((o) =>
        again(outcomeWords(level === '' ? day : `${day} (${levelName(level)})`, undo, o)),
      ) // prettier-ignore
      .catch(failed(shell, () => showBursts(shell)));
  };
  const head = [t('bursts.day'), t('bursts.total'), ...b.levels.map(levelName), t('bursts.aside'), t('bursts.burst'), t('bursts.actions')]; // prettier-ignore
  const body = rows.map((row) => {
    const day = row[0]!;
    const counts = row.slice(2, 2 + b.levels.length);
    const levels = b.levels.filter((_, i) => counts[i] !== '0');
    const choice = select([['', t('bursts.allLevels')], ...levels.map((l): [string, string] => [l, levelName(l)])]); // prettier-ignore
    choice.id = `level-${day}`;
    const aside = el('button', { type: 'button', 'data-set-aside': day }, t('bursts.setAside', { day })); // prettier-ignore
    const back = el('button', { type: 'button', 'data-bring-back': day }, t('bursts.bringBack', { day })); // prettier-ignore
    aside.addEventListener('click', () => act(day, choice.value, false));
    back.addEventListener('click', () => act(day, choice.value, true));
    const burst = row[row.length - 1] === 'BURST';
    const cells = [
      ...row.slice(0, -1).map((cell) => el('td', {}, cell)),
      el('td', {}, burst ? el('strong', {}, t('bursts.mark')) : ''),
      el('td', {}, el('label', { for: choice.id }, t('bursts.levelOf', { day })), ' ', choice, ' ', aside, ' ', back), // prettier-ignore
    ];
    return el('tr', { 'data-day': day }, ...cells);
  });
  const table = el(
    'table',
    { id: 'bursts-table' },
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ...body),
  );
  const count = rows.filter((r) => r[r.length - 1] === 'BURST').length;
  shell.screen(
    t('bursts.heading'),
    el('p', {}, t('bursts.hint')),
    el('p', { id: 'bursts-usual' }, t('bursts.usual', { usual: b.usual, count, factor: b.factor, floor: b.floor })), // prettier-ignore
    table,
    el('div', { id: 'bursts-result', 'aria-live': 'polite' }, ...result),
  );
}
