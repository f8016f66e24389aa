// Entry point of the page: the frame (language picker, quick exit, the two views)
// and the rules that hold everywhere. The page keeps nothing: no cookies, no web
// storage, no IndexedDB, no service worker, and it talks only to its own origin
// (the saved page: only to the API origins baked into it, api.ts).
import type { FormDefinition } from '../form/schema.ts';
import { apiOrigin, onApiOrigin } from './api.ts';
import { isDemo } from './config.ts';
import { h } from './dom.ts';
import { AUTONYMS, LOCALES, isLocale, preferredLocale, setLocale, tr, trAttr } from './i18n.ts';
import { installQuickExit } from './quick-exit.ts';
import { statusView } from './status.ts';
import { submitView } from './submit.ts';

declare const __SEALBOX_FORM__: FormDefinition;

type View = 'submit' | 'status';

// The choice survives a reload in the address (?lang=xx), never in storage: the
// page keeps nothing in the browser, and the address is replaced, not added to
// the history, so Back does not walk through languages.
function rememberLocale(code: string): void {
  const url = new URL(location.href);
  url.searchParams.set('lang', code);
  try {
    history.replaceState(history.state, '', url);
  } catch {
    // A saved page opened from disk may not change its address: it just forgets.
  }
}

function languagePicker(): HTMLElement {
  const select = h(
    'select',
    { id: 'language' },
    ...LOCALES.map((code) => h('option', { value: code, lang: code }, AUTONYMS[code])),
  );
  select.addEventListener('change', () => {
    if (!isLocale(select.value)) return;
    void setLocale(select.value);
    rememberLocale(select.value);
  });
  const wrapper = h(
    'div',
    { class: 'language' },
    tr(h('label', { for: 'language' }), 'lang.label'),
    select,
  );
  return wrapper;
}

function initialLocale() {
  const asked = new URLSearchParams(location.search).get('lang') ?? '';
  return isLocale(asked) ? asked : preferredLocale(navigator.languages ?? [navigator.language]);
}

function start(): void {
  const form = __SEALBOX_FORM__;
  const exit = trAttr(
    tr(h('button', { type: 'button', class: 'exit', id: 'quick-exit' }), 'exit.button'),
    'title',
    'exit.hint',
  );
  installQuickExit(exit);
  const views: Record<View, HTMLElement> = { submit: submitView(form), status: statusView(form) };
  const tabs = (['submit', 'status'] as const).map((view) => {
    const button = tr(
      h('button', { type: 'button', class: 'tab', 'data-view': view }),
      `nav.${view}`,
    );
    button.addEventListener('click', () => show(view, true));
    return button;
  });
  function show(view: View, focus: boolean) {
    for (const [name, element] of Object.entries(views)) element.hidden = name !== view;
    for (const tab of tabs) tab.setAttribute('aria-pressed', String(tab.dataset.view === view));
    if (focus) views[view].querySelector('h1')?.focus();
  }
  // A DEMO organisation's keys protect nothing: said at the top of every view,
  // before anything can be typed, and announced to screen readers.
  const demo =
    isDemo() &&
    tr(h('p', { class: 'demo-banner', id: 'demo-banner', role: 'alert' }), 'demo.banner');
  const header = h(
    'header',
    {},
    demo,
    h('div', { class: 'bar' }, exit, tr(h('p', { class: 'brand' }), 'app.name'), languagePicker()),
    tr(h('p', { class: 'exit-hint' }), 'exit.hint'),
    h('nav', { 'aria-label': 'Sealbox' }, ...tabs),
  );
  trAttr(header.querySelector('nav')!, 'aria-label', 'nav.label');
  const main = h('main', {}, views.submit, views.status);
  // The saved page says, quietly, which of its API origins answered.
  const footer = apiOrigin() === null ? false : h('footer', {}, h('p', { class: 'api-origin' }));
  if (footer) {
    onApiOrigin((origin) => {
      tr(footer.querySelector('p')!, 'api.origin', { origin: `\u2066${origin}\u2069` });
    });
  }
  for (const element of Object.values(views))
    element.querySelector('h1')?.setAttribute('tabindex', '-1');
  document.getElementById('app')!.replaceChildren(header, main, ...(footer ? [footer] : []));
  const locale = initialLocale();
  (document.getElementById('language') as HTMLSelectElement).value = locale;
  show(document.body.dataset.view === 'status' ? 'status' : 'submit', false);
  void setLocale(locale).then(() => {
    document.body.dataset.ready = 'true';
  });
}

start();
