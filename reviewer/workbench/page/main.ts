// The workbench page: one view at a time (unlock, cases, a case, import,
// outbox, figures). Every piece of case data is set as text.
import { ApiError, SECRET, SECRET_HEADER, api, apiBlob, postJson, saveCopy } from './api.ts';
import { type CaseRow, caseTable } from './case-table.ts';
import { el, field, select, table } from './dom.ts';
import { type FigureTally, periodWords, rowLabel, tallyTitle } from './figure-words.ts';
import { answerWord, answerWords, fieldLabel, kindName, statusName } from './form-words.ts';
import { CATALOGUES, locale, setLocale, t } from './i18n.ts';
import { importBundle } from './import-stream.ts';
import { type Shell, caseSections, protectionViews } from './protection.ts';

interface Session {
  unlocked: boolean;
  idleMinutes: number;
  statuses: string[];
  hasKey: boolean;
  key: string;
  card: string;
  defaultName: string;
}
/** A case as the list gives it, with the full case id. */
interface Summary extends CaseRow {
  caseId: string;
}
interface Attachment { index: number; file: string; originalName: string; type: string; size: number; image: boolean } // prettier-ignore
interface Item { index: number; kind: string; date: string; flag: string | null; message: string; answers: { field: string; label: string; text: string; values: string[] }[]; attachments: Attachment[] } // prettier-ignore
interface CaseView { summary: Summary; items: Item[]; statements: { date: string; kind: string; status?: string; text?: string }[] } // prettier-ignore

const main = el('main', { id: 'main' });
const status = el('p', { role: 'status', class: 'status' });
let session: Session = { unlocked: false, idleMinutes: 15, statuses: [], hasKey: true, key: '', card: '', defaultName: '' }; // prettier-ignore
let view: () => Promise<void> = showCases;
let filters: Record<string, string> = {};

function problem(error: unknown): void {
  status.textContent = error instanceof Error ? error.message : String(error);
  status.className = 'status problem';
}

function say(text: string): void {
  status.textContent = text;
  status.className = 'status';
}

async function go(next: () => Promise<void>): Promise<void> {
  view = next;
  // A line about the last action ("Signed and added to the outbox.") belongs
  // to the view it was said on, not to the next one.
  say('');
  try {
    await next();
  } catch (error) {
    if (error instanceof ApiError && error.code === 'PASSPHRASE_MISSING') return showUnlock(next);
    problem(error);
  }
}

function screen(heading: string, ...content: (Node | null)[]): void {
  main.replaceChildren(el('h1', {}, heading), ...content.filter((n): n is Node => n !== null));
  document.title = `${heading} — ${t('title')}`;
}

function showUnlock(then: () => Promise<void>): Promise<void> {
  if (!session.hasKey) return showCreateKey(then);
  const input = el('input', { type: 'password', autocomplete: 'current-password' });
  const form = el('form', {}, field('passphrase', t('unlock.label'), input), el('button', { type: 'submit' }, t('unlock.button'))); // prettier-ignore
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    postJson('/api/unlock', { passphrase: input.value })
      .then(() => {
        input.value = '';
        session.unlocked = true;
        say('');
        return go(then);
      })
      .catch(problem);
  });
  screen(
    t('unlock.heading'),
    el('p', {}, t('unlock.hint', { minutes: session.idleMinutes })),
    form,
  );
  input.focus();
  return Promise.resolve();
}

// Step 1 of the reviewer guide, for a --key file that does not exist yet: the
// command line's `reviewer create`, run by the workbench.
function showCreateKey(then: () => Promise<void>): Promise<void> {
  const name = el('input', { type: 'text', autocomplete: 'off', value: session.defaultName, 'aria-describedby': 'key-name-warning' }); // prettier-ignore
  const passphrase = el('input', { type: 'password', autocomplete: 'new-password' });
  const again = el('input', { type: 'password', autocomplete: 'new-password' });
  const form = el(
    'form',
    {},
    field('key-name', t('create.name'), name),
    el('p', { id: 'key-name-warning', class: 'warning' }, t('create.nameWarning')),
    field('key-passphrase', t('create.passphrase'), passphrase),
    field('key-again', t('create.again'), again),
    el('button', { type: 'submit' }, t('create.button')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    postJson('/api/key', { name: name.value, passphrase: passphrase.value, again: again.value })
      .then((made) => {
        passphrase.value = again.value = '';
        session.hasKey = session.unlocked = true;
        showCreated(made as { fingerprint: string; key: string; card: string }, then);
      })
      .catch(problem);
  });
  screen(
    t('create.heading'),
    el('p', {}, t('create.hint', { key: session.key, card: session.card })),
    form,
  );
  name.focus();
  return Promise.resolve();
}

function showCreated(
  made: { fingerprint: string; key: string; card: string },
  then: () => Promise<void>,
): void {
  // prettier-ignore
  const save = el('button', { type: 'button' }, t('created.save'));
  const cardName = made.card.split(/[\\/]/).pop() ?? 'card.json';
  save.addEventListener('click', () => void saveCopy('/api/card', cardName).catch(problem));
  const next = el('button', { type: 'button' }, t('created.next'));
  next.addEventListener('click', () => void go(then));
  screen(
    t('created.heading'),
    el('p', {}, t('created.key', { key: made.key })),
    el('p', {}, t('created.card', { card: made.card }), ' ', save),
    el('p', {}, t('created.fingerprint')),
    el('p', { class: 'warning' }, el('code', { id: 'fingerprint' }, made.fingerprint)),
    el('p', {}, next),
  );
}

const FILTERS: [string, string][] = [
  ['country', 'filter.country'],
  ['unBody', 'filter.unBody'],
  ['reprisalKind', 'filter.reprisalKind'],
  ['consent', 'filter.consent'],
];

async function showCases(): Promise<void> {
  const query = new URLSearchParams(filters).toString();
  const { cases } = await api<{ cases: Summary[] }>(`/api/cases${query ? `?${query}` : ''}`);
  const all = (await api<{ cases: Summary[] }>('/api/cases')).cases;
  const values = (fieldId: string, pick: (s: Summary) => string[]) =>
    [...new Set(all.flatMap(pick))]
      .map((v): [string, string] => [v, answerWord(fieldId, v)])
      .sort((a, b) => a[1].localeCompare(b[1], locale()));
  const any: [string, string] = ['', t('filter.any')];
  const controls: Record<string, HTMLInputElement | HTMLSelectElement> = {
    status: select([any, ...session.statuses.map((s): [string, string] => [s, statusName(s)])], filters.status), // prettier-ignore
    country: select([any, ...values('country', (s) => s.country)], filters.country),
    unBody: select([any, ...values('un_body', (s) => s.unBody)], filters.unBody),
    reprisalKind: select([any, ...values('reprisal_kinds', (s) => s.reprisalKinds)], filters.reprisalKind), // prettier-ignore
    consent: select([any, ...values('consent_public', (s) => s.consent)], filters.consent),
    from: el('input', { type: 'date', value: filters.from ?? '' }),
    to: el('input', { type: 'date', value: filters.to ?? '' }),
    text: el('input', { type: 'search', value: filters.text ?? '' }),
  };
  const needs = el('input', { type: 'checkbox' });
  needs.checked = filters.needsAnswer === '1';
  const aside = el('input', { type: 'checkbox' });
  aside.checked = filters.setAside === '1';
  const form = el(
    'form',
    { class: 'filters', 'aria-label': t('cases.heading') },
    field('f-status', t('filter.status'), controls.status!),
    ...FILTERS.map(([name, key]) => field(`f-${name}`, t(key), controls[name]!)),
    field('f-from', t('filter.from'), controls.from!),
    field('f-to', t('filter.to'), controls.to!),
    field('f-text', t('filter.text'), controls.text!),
    field('f-needs', t('filter.needsAnswer'), needs),
    field('f-set-aside', t('filter.setAside'), aside),
    el('button', { type: 'submit' }, t('filter.apply')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    filters = {};
    for (const [name, control] of Object.entries(controls))
      if (control.value) filters[name] = control.value;
    if (needs.checked) filters.needsAnswer = '1';
    if (aside.checked) filters.setAside = '1';
    void go(showCases);
  });
  screen(
    t('cases.heading'),
    form,
    el('p', { id: 'case-count' }, t('cases.count', { count: cases.length })),
    caseTable(cases, session.statuses, (name) => void go(() => showCase(name))),
  );
}

function attachmentEntry(name: string, item: Item, a: Attachment): HTMLElement {
  const path = `/api/cases/${encodeURIComponent(name)}/items/${item.index}/files/${a.index}`;
  const save = el('button', { type: 'button' }, t('case.save'));
  save.addEventListener('click', () => void saveCopy(`${path}?download=1`, a.file).catch(problem));
  const entry = el('li', {}, el('bdi', {}, t('case.file', { name: a.file, type: a.type, size: a.size })), ' ', save); // prettier-ignore
  if (a.image) {
    const img = el('img', { alt: a.file, class: 'attachment' });
    entry.append(el('br'), img);
    void apiBlob(path).then((blob) => (img.src = URL.createObjectURL(blob)), problem);
  }
  return entry;
}

async function showCase(name: string): Promise<void> {
  const c = await api<CaseView>(`/api/cases/${encodeURIComponent(name)}`);
  const back = el('button', { type: 'button', class: 'link' }, t('back'));
  back.addEventListener('click', () => void go(showCases));
  const items = c.items.map((item) =>
    el(
      'section',
      {},
      el('h2', {}, t(item.kind === 'submission' ? 'case.submission' : 'case.followup', { date: item.date })), // prettier-ignore
      item.flag
        ? el('p', { class: 'warning', role: 'alert' }, t('case.flag', { flag: item.flag }))
        : null,
      item.answers.length
        ? el('dl', {}, ...item.answers.flatMap((a) => [el('dt', { dir: 'auto' }, fieldLabel(a.field, a.label)), el('dd', { dir: 'auto' }, a.values.length ? answerWords(a.field, a.values) : a.text)])) // prettier-ignore
        : null,
      el('h3', {}, t('case.message')),
      el('pre', { dir: 'auto', class: 'message' }, item.message),
      item.attachments.length
        ? el('div', {}, el('h3', {}, t('case.attachments')), el('ul', {}, ...item.attachments.map((a) => attachmentEntry(c.summary.name, item, a)))) // prettier-ignore
        : null,
    ),
  );
  const written = c.statements.map(
    (s) =>
    el('li', {}, `${s.date}: ${kindName(s.kind)}${s.status ? ` → ${statusName(s.status)}` : ''}`, s.text !== undefined ? el('pre', { dir: 'auto' }, s.text) : null), // prettier-ignore
  );
  const text = el('textarea', { rows: '5' });
  const newStatus = select([['', t('answer.keep')], ...session.statuses.map((s): [string, string] => [s, statusName(s)])]); // prettier-ignore
  const answer = el(
    'form',
    { 'aria-labelledby': 'answer-heading' },
    el('h2', { id: 'answer-heading' }, t('answer.heading')),
    field('answer-text', t('answer.text'), text),
    field('answer-status', t('answer.status'), newStatus),
    el('button', { type: 'submit' }, t('answer.sign')),
  );
  const sign = (body: Record<string, string>) =>
    postJson(`/api/cases/${encodeURIComponent(c.summary.name)}/statements`, body)
      .then(() => go(() => showCase(c.summary.name)))
      .then(() => say(t('answer.done')));
  answer.addEventListener('submit', (event) => {
    event.preventDefault();
    const body: Record<string, string> = text.value.trim()
      ? { kind: 'reply', text: text.value, ...(newStatus.value ? { status: newStatus.value } : {}) }
      : { kind: 'status', status: newStatus.value };
    sign(body).catch((e: unknown) => (e instanceof ApiError && e.code === 'PASSPHRASE_MISSING' ? showUnlock(view) : problem(e))); // prettier-ignore
  });
  const protection = await caseSections(c.summary.name, shell);
  const purge = el('button', { type: 'button', class: 'danger' }, t('answer.purge'));
  purge.addEventListener('click', () => {
    if (!confirm(t('answer.purgeConfirm'))) return;
    sign({ kind: 'purge' }).catch((e: unknown) => (e instanceof ApiError && e.code === 'PASSPHRASE_MISSING' ? showUnlock(view) : problem(e))); // prettier-ignore
  });
  screen(
    t('case.heading', { name: c.summary.name }),
    el('p', {}, back),
    el(
      'p',
      {},
      t('case.received', { date: c.summary.received, status: statusName(c.summary.status) }),
    ),
    ...items,
    written.length
      ? el('section', {}, el('h2', {}, t('case.written')), el('ul', {}, ...written))
      : null,
    answer,
    ...protection,
    el('p', {}, purge),
  );
}

interface OpenResult {
  report: { opened: string[]; alreadyOpened: number; waiting: string[]; failed: { id: string; message: string }[]; setAside: { id: string; message: string }[] }; // prettier-ignore
  problem: string | null;
}

function upload(path: string, file: File, progress: HTMLProgressElement): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader(SECRET_HEADER, SECRET);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) progress.value = e.loaded / e.total;
    };
    xhr.onload = () => {
      const body = JSON.parse(xhr.responseText) as { error?: { code: string; message: string } };
      if (xhr.status === 200) resolve(body);
      else reject(new ApiError(body.error?.code ?? 'UNEXPECTED', body.error?.message ?? ''));
    };
    xhr.onerror = () => reject(new Error(xhr.statusText));
    xhr.send(file);
  });
}

function showImport(): Promise<void> {
  const bundle = el('input', { type: 'file' });
  const keyset = el('input', { type: 'file', accept: '.json,application/json' });
  const organisation = el('input', { type: 'text', autocomplete: 'off' });
  const progress = el('progress', { max: '1', value: '0', 'aria-label': t('import.progress') });
  const result = el('div', { id: 'import-result', 'aria-live': 'polite' });
  const progressText = el('p', { id: 'import-progress' });
  const form = el(
    'form',
    {},
    field('bundle', t('import.file'), bundle),
    field('keyset', t('import.keyset'), keyset),
    field('organisation', t('import.organisation'), organisation),
    el('button', { type: 'submit' }, t('import.button')),
    progress,
    progressText,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      const k = keyset.files?.[0];
      if (k) await upload(`/api/keyset?organisation=${encodeURIComponent(organisation.value.trim())}`, k, progress); // prettier-ignore
      const b = bundle.files?.[0];
      if (!b) return;
      say(t('import.progress'));
      const { report, problem: trouble } = (await importBundle(b, progress, progressText)) as OpenResult; // prettier-ignore
      say('');
      const list = (xs: { id: string; message: string }[]) => el('ul', {}, ...xs.map((x) => el('li', {}, `${x.id}: ${x.message}`))); // prettier-ignore
      result.replaceChildren(
        el('p', {}, t('import.new', { count: report.opened.length })),
        el('p', {}, t('import.already', { count: report.alreadyOpened })),
        report.waiting.length ? el('p', {}, t('import.waiting', { count: report.waiting.length })) : '',
        report.failed.length ? el('div', { class: 'warning' }, el('p', {}, t('import.damaged')), list(report.failed)) : '', // prettier-ignore
        report.setAside.length ? el('div', { class: 'warning' }, el('p', {}, t('import.setAside')), list(report.setAside)) : '', // prettier-ignore
        el('p', {}, trouble ?? t('import.ok')),
      );
    })().catch((e: unknown) => (e instanceof ApiError && e.code === 'PASSPHRASE_MISSING' ? showUnlock(showImport) : problem(e))); // prettier-ignore
  });
  screen(t('import.heading'), form, result);
  return Promise.resolve();
}

async function showOutbox(): Promise<void> {
  const { path, lines, check } = await api<{ path: string; lines: { line: number; kind: string; case: string | null; date: string | null; status: string | null; problem: string | null }[]; check: { passed: boolean; message: string } | null }>('/api/outbox'); // prettier-ignore
  const statements = lines.filter((l) => l.kind !== 'epoch-key');
  screen(
    t('outbox.heading'),
    el('p', {}, lines.length ? t('outbox.hint', { path }) : t('outbox.empty')),
    check ? el('p', { id: 'outbox-check', class: check.passed ? 'success' : 'warning' }, t(check.passed ? 'outbox.checkPassed' : 'outbox.checkFailed', { message: check.message })) : null, // prettier-ignore
    el('p', {}, t('outbox.epochKeys', { count: lines.length - statements.length })),
    table(
      [t('col.line'), t('col.kind'), t('col.case'), t('col.date'), t('col.status'), t('col.check')],
      statements.map((l) => [String(l.line), kindName(l.kind), l.case ?? '', l.date ?? '', l.status ? statusName(l.status) : '', l.problem ?? t('outbox.valid')]), // prettier-ignore
    ),
  );
}

async function showFigures(from = '', to = ''): Promise<void> {
  const query = new URLSearchParams({ from, to }).toString();
  const stats = await api<{ cases: number; from: string | null; to: string | null; tallies: FigureTally[] }>(`/api/figures?${query}`); // prettier-ignore
  const fromInput = el('input', { type: 'date', value: from });
  const toInput = el('input', { type: 'date', value: to });
  const form = el('form', { class: 'filters' }, field('fig-from', t('filter.from'), fromInput), field('fig-to', t('filter.to'), toInput), el('button', { type: 'submit' }, t('filter.apply'))); // prettier-ignore
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void go(() => showFigures(fromInput.value, toInput.value));
  });
  const svg = el('button', { type: 'button' }, t('figures.svg'));
  svg.addEventListener('click', () => void saveCopy(`/api/figures.svg?${query}`, 'statistics.svg').catch(problem)); // prettier-ignore
  const csv = el('button', { type: 'button' }, t('figures.csv'));
  csv.addEventListener('click', () => void saveCopy(`/api/figures.csv?${query}`, 'statistics.csv').catch(problem)); // prettier-ignore
  screen(
    t('figures.heading'),
    form,
    el(
      'p',
      {},
      t('figures.cases', { count: stats.cases, period: periodWords(stats.from, stats.to) }),
      ' ',
      svg,
      ' ',
      csv,
    ),
    ...stats.tallies.map(
      (tally) =>
      el('section', {}, el('h2', {}, tallyTitle(tally)), table([t('col.label'), t('col.count')], tally.rows.map((r) => [rowLabel(tally, r), String(r.count)]))), // prettier-ignore
    ),
  );
}

const shell: Shell = { screen, go, say, problem, unlock: showUnlock, showCase };

function header(): HTMLElement {
  const nav = el('nav', { 'aria-label': t('title') });
  const views: [string, () => Promise<void>][] = [
    ['nav.cases', showCases],
    ['nav.import', showImport],
    ['nav.outbox', showOutbox],
    ['nav.figures', () => showFigures()],
    ...protectionViews(shell),
  ];
  for (const [key, show] of views) {
    const b = el('button', { type: 'button', 'data-view': key }, t(key));
    b.addEventListener('click', () => void go(show));
    nav.append(b);
  }
  const lock = el('button', { type: 'button', id: 'lock' }, t('lock'));
  lock.addEventListener('click', () => {
    void postJson('/api/lock', {}).then(() => {
      session.unlocked = false;
      return showUnlock(showCases);
    });
  });
  const language = select(Object.keys(CATALOGUES).map((l): [string, string] => [l, l === 'fr' ? 'Français' : 'English']), locale()); // prettier-ignore
  language.addEventListener('change', () => {
    setLocale(language.value);
    render();
  });
  return el('header', {}, el('p', { class: 'brand' }, t('title')), nav, field('language', t('lang'), language), lock); // prettier-ignore
}

function render(): void {
  document.getElementById('app')!.replaceChildren(header(), status, main);
  if (session.unlocked && session.hasKey) void go(view);
  else void showUnlock(view);
}

setLocale(navigator.language.toLowerCase().startsWith('fr') ? 'fr' : 'en');
api<Session>('/api/session')
  .then((s) => {
    session = s;
    render();
  })
  .catch(problem);
