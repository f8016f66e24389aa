// Safety check-ins in the workbench: the list `review checkins` prints (urgent
// cases, then check-ins, overdue first, with the last sign of life) and, on a
// case, the rhythm `review checkin` signs into the outbox.
import { api, postJson } from './api.ts';
import { el, field, table } from './dom.ts';
import { t } from './i18n.ts';
import { type Shell, failed } from './shell.ts';

export interface CheckinState { every: number; lastSignOfLife: string; due: string; overdue: boolean } // prettier-ignore
interface Row { caseId: string; name: string; urgent: boolean; reasons: string[]; checkin: CheckinState | null } // prettier-ignore

function stateText(c: CheckinState): string {
  return c.overdue
    ? t('checkin.overdue', { due: c.due, every: c.every, last: c.lastSignOfLife })
    : t('checkin.due', { due: c.due, every: c.every, last: c.lastSignOfLife });
}

export async function showCheckins(shell: Shell): Promise<void> {
  const { day, rows } = await api<{ day: string; rows: Row[] }>('/api/checkins');
  const lines = rows.map((r) => {
    const link = el('button', { type: 'button', class: 'link', 'data-checkin-case': r.name }, r.name); // prettier-ignore
    link.addEventListener('click', () => void shell.go(() => shell.showCase(r.name)));
    return [
      link,
      r.urgent ? el('strong', { class: 'warning' }, t('checkin.urgent', { reasons: r.reasons.join('; ') })) : '', // prettier-ignore
      r.checkin ? (r.checkin.overdue ? el('strong', {}, stateText(r.checkin)) : stateText(r.checkin)) : '', // prettier-ignore
    ];
  });
  shell.screen(
    t('checkins.heading'),
    el('p', {}, t('checkins.hint')),
    rows.length
      ? table([t('col.case'), t('col.urgent'), t('col.checkin')], lines)
      : el('p', { id: 'checkins-none' }, t('checkins.none', { day })),
  );
}

/** The check-in part of a case's page: the rhythm asked for, and the form to set or stop it. */
export function checkinSection(
  name: string,
  state: CheckinState | null,
  since: string | null,
  shell: Shell,
): HTMLElement {
  const every = el('input', { type: 'number', min: '0', max: '365', value: String(state?.every ?? 14) }); // prettier-ignore
  const text = el('textarea', { rows: '3' });
  const form = el(
    'form',
    { 'aria-labelledby': 'checkin-heading' },
    el('h2', { id: 'checkin-heading' }, t('checkin.heading')),
    el('p', { id: 'checkin-state', class: state?.overdue ? 'warning' : '' }, state ? `${t('checkin.asked', { since: since ?? '' })} ${stateText(state)}` : t('checkin.none')), // prettier-ignore
    el('p', {}, t('checkin.hint')),
    field('checkin-every', t('checkin.every'), every),
    field('checkin-text', t('checkin.text'), text),
    el('button', { type: 'submit' }, t('answer.sign')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = { every: every.value, ...(text.value.trim() ? { text: text.value } : {}) };
    const show = () => shell.showCase(name);
    postJson(`/api/cases/${encodeURIComponent(name)}/checkin`, body)
      .then(() => shell.go(show))
      .then(() => shell.say(t('answer.done')))
      .catch(failed(shell, show));
  });
  return form;
}
