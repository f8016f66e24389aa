// The weekly keys in the workbench: what `reviewer epochs` does once a week
// or a month (make the keys ahead, put their public halves in the outbox,
// erase the ones that are due), with the passphrase of this session.
import { postJson } from './api.ts';
import { el, field } from './dom.ts';
import { t } from './i18n.ts';
import { type Shell, failed } from './shell.ts';

interface Result {
  report: { made: number[]; published: number; reachesUntil: string | null; erased: unknown[] };
  lines: string[];
}

export function showWeeklyKeys(shell: Shell): Promise<void> {
  const number = (placeholder: string) => el('input', { type: 'number', min: '0', placeholder });
  const ahead = number('8');
  const days = number('7');
  const grace = number('14');
  const result = el('div', { id: 'keys-result', 'aria-live': 'polite' });
  const form = el(
    'form',
    { 'aria-label': t('keys.heading') },
    field('keys-ahead', t('keys.ahead'), ahead),
    field('keys-days', t('keys.days'), days),
    field('keys-grace', t('keys.grace'), grace),
    el('button', { type: 'submit' }, t('keys.run')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const again = () => showWeeklyKeys(shell);
    postJson<Result>('/api/epochs', { ahead: ahead.value, days: days.value, grace: grace.value })
      .then(({ report, lines }) => {
        result.replaceChildren(
          el('p', { id: 'keys-reach' }, report.reachesUntil ? t('keys.reach', { date: report.reachesUntil }) : t('keys.noKeys')), // prettier-ignore
          el('p', {}, t('keys.made', { count: report.made.length })),
          el('p', {}, t('keys.published', { count: report.published })),
          el('p', {}, t('keys.erased', { count: report.erased.length })),
          el('h2', {}, t('keys.details')),
          el('ul', {}, ...lines.map((line) => el('li', {}, line))),
        );
        shell.say(t('keys.done'));
      })
      .catch(failed(shell, again));
  });
  shell.screen(t('keys.heading'), el('p', {}, t('keys.hint')), form, result);
  return Promise.resolve();
}
