// The annual report in the workbench: the summary `review summary` keeps on a
// case (a name only where the person said "yes"; the command refuses it
// otherwise), and the draft `review report` makes, listed here and saved as
// Markdown or CSV, in English or French. Summaries and names are set as text.
import { api, postJson, saveCopy } from './api.ts';
import { el, field, table } from './dom.ts';
import { t } from './i18n.ts';
import { type Shell, failed } from './shell.ts';

export interface Reporting {
  consent: string | null;
  publicityRisk: string | null;
  summary: string | null;
  summaryName: string | null;
  report: { included: boolean; reason?: string };
}
interface Preview {
  from: string;
  to: string;
  counted: number;
  cases: { caseName: string; included: boolean; name?: string; summary?: string; reason?: string }[]; // prettier-ignore
}

const CONSENTS = ['yes', 'anonymised', 'no'];

/** The summary part of a case's page: consent, whether the draft lists it, and the form. */
export function summarySection(name: string, r: Reporting, shell: Shell): HTMLElement {
  const consent = CONSENTS.includes(r.consent ?? '') ? r.consent! : 'none';
  const text = el('textarea', { rows: '3' });
  text.value = r.summary ?? '';
  // The name field only where the person said "yes"; the command refuses a name otherwise.
  const person = consent === 'yes' ? el('input', { type: 'text', autocomplete: 'off' }) : null;
  if (person) person.value = r.summaryName ?? '';
  const form = el(
    'form',
    { 'aria-labelledby': 'summary-heading' },
    el('h2', { id: 'summary-heading' }, t('summary.heading')),
    el('p', {}, t(`consent.${consent}`)),
    r.publicityRisk === 'yes' ? el('p', { class: 'warning' }, t('summary.risk')) : null,
    el('p', { id: 'summary-listed' }, r.report.included ? t('summary.listed') : t('summary.left', { reason: t(`report.reason.${r.report.reason ?? 'no_summary'}`) })), // prettier-ignore
    field('summary-text', t('summary.text'), text),
    person ? field('summary-name', t('summary.name'), person) : null,
    el('button', { type: 'submit' }, t('summary.save')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = { text: text.value, ...(person ? { name: person.value } : {}) };
    const show = () => shell.showCase(name);
    postJson(`/api/cases/${encodeURIComponent(name)}/summary`, body)
      .then(() => shell.go(show))
      .then(() => shell.say(t('summary.done')))
      .catch(failed(shell, show));
  });
  return form;
}

export async function showReport(shell: Shell, from: string, to: string): Promise<void> {
  const fromInput = el('input', { type: 'date', value: from });
  const toInput = el('input', { type: 'date', value: to });
  const form = el('form', { class: 'filters', 'aria-label': t('report.heading') }, field('report-from', t('report.from'), fromInput), field('report-to', t('report.to'), toInput), el('button', { type: 'submit' }, t('report.draft'))); // prettier-ignore
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void shell.go(() => showReport(shell, fromInput.value, toInput.value));
  });
  shell.screen(t('report.heading'), el('p', {}, t('report.hint')), form);
  const query = new URLSearchParams({ from, to }).toString();
  const draft = await api<Preview>(`/api/report?${query}`);
  shell.say('');
  const listed = draft.cases.filter((c) => c.included);
  const left = draft.cases.filter((c) => !c.included);
  const saves = (['en.md', 'fr.md', 'en.csv', 'fr.csv'] as const).map((file) => {
    const b = el('button', { type: 'button', 'data-download': file }, t(`report.save.${file}`));
    const name = `report-${draft.from}-${draft.to}.${file}`;
    b.addEventListener('click', () => void saveCopy(`/api/report.${file}?${query}`, name).catch(shell.problem)); // prettier-ignore
    return b;
  });
  shell.screen(
    t('report.heading'),
    el('p', {}, t('report.hint')),
    form,
    el('p', { id: 'report-count' }, t('report.count', { counted: draft.counted, listed: listed.length, left: left.length })), // prettier-ignore
    el('p', {}, ...saves.flatMap((b) => [b, ' '])),
    el('h2', {}, t('report.listed')),
    table([t('col.case'), t('col.name'), t('col.summary')], listed.map((c) => [c.caseName, c.name ?? t('report.anonymised'), c.summary ?? ''])), // prettier-ignore
    el('h2', {}, t('report.left')),
    table([t('col.case'), t('col.reason')], left.map((c) => [c.caseName, t(`report.reason.${c.reason ?? 'no_summary'}`)])), // prettier-ignore
  );
}
