// Every visible string comes from a catalogue in web/i18n/. English is in the
// bundle; the others are same-origin assets fetched when chosen, so the page
// stays small (the saved page, a single file, carries them all inlined). Elements remember their key (and variables) in data attributes,
// so switching language re-labels the page in place without losing what the
// person typed.
import en from '../i18n/en.json' with { type: 'json' };
import { fetchCatalogue } from './page-check.ts';

declare const __SEALBOX_CATALOGUES__: Record<string, string>;

export type Catalogue = Record<string, string>;
export const LOCALES = ['ar', 'en', 'es', 'fr', 'ru', 'zh'] as const;
export type Locale = (typeof LOCALES)[number];
// A saved page carries every catalogue inline; the served page fetches them (the
// module run by Node in tests has neither defined).
const INLINE: Partial<Record<Locale, Catalogue>> =
  typeof __SEALBOX_INLINE_CATALOGUES__ === 'undefined' ? {} : __SEALBOX_INLINE_CATALOGUES__;
const CATALOGUES: Partial<Record<Locale, Catalogue>> = { ...INLINE, en };
const RTL: ReadonlySet<Locale> = new Set(['ar']);

export type Vars = Record<string, string | number>;
type Listener = (locale: Locale) => void;

let current: Locale = 'en';
const listeners: Listener[] = [];

export function locale(): Locale {
  return current;
}

export function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}

/** The first of the browser's languages we have, else English. */
export function preferredLocale(languages: readonly string[]): Locale {
  for (const tag of languages) {
    const base = tag.toLowerCase().split('-')[0] ?? '';
    if (isLocale(base)) return base;
  }
  return 'en';
}

export function t(key: string, vars: Vars = {}): string {
  const template = CATALOGUES[current]?.[key] ?? (en as Catalogue)[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole,
  );
}

/** Sets an element's text from a key and remembers it for language changes. */
export function tr<E extends HTMLElement>(el: E, key: string, vars?: Vars): E {
  el.dataset.i18n = key;
  if (vars) el.dataset.i18nVars = JSON.stringify(vars);
  else delete el.dataset.i18nVars;
  el.textContent = t(key, vars);
  return el;
}

/** Same for an attribute such as aria-label or placeholder. */
export function trAttr<E extends HTMLElement>(el: E, attr: string, key: string, vars?: Vars): E {
  el.dataset.i18nAttr = `${attr}:${key}`;
  if (vars) el.dataset.i18nAttrVars = JSON.stringify(vars);
  el.setAttribute(attr, t(key, vars));
  return el;
}

function varsOf(raw: string | undefined): Vars | undefined {
  return raw ? (JSON.parse(raw) as Vars) : undefined;
}

function applyTranslations(root: ParentNode): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) {
    el.textContent = t(el.dataset.i18n!, varsOf(el.dataset.i18nVars));
  }
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n-attr]')) {
    const [attr, key] = el.dataset.i18nAttr!.split(':') as [string, string];
    el.setAttribute(attr, t(key, varsOf(el.dataset.i18nAttrVars)));
  }
}

export function onLocaleChange(listener: Listener): void {
  listeners.push(listener);
}

async function loadCatalogue(next: Locale): Promise<void> {
  if (CATALOGUES[next]) return;
  const path = __SEALBOX_CATALOGUES__[next];
  if (!path) return;
  // Compared with the signed manifest first: a changed catalogue could make the page lie.
  const bytes = await fetchCatalogue(path);
  CATALOGUES[next] = JSON.parse(new TextDecoder().decode(bytes)) as Catalogue;
}

// The organisation's own title (web/build.ts --title), the same in every language:
// a neutral one must not turn back into "Sealbox" when the person picks a language.
const PAGE_TITLE = typeof __SEALBOX_PAGE_TITLE__ === 'undefined' ? '' : __SEALBOX_PAGE_TITLE__;

/** Switches language; if the catalogue cannot be fetched, the page stays as it is. */
export async function setLocale(next: Locale): Promise<void> {
  try {
    await loadCatalogue(next);
  } catch {
    return;
  }
  current = next;
  const html = document.documentElement;
  html.lang = next;
  html.dir = RTL.has(next) ? 'rtl' : 'ltr';
  document.title = PAGE_TITLE || t('app.title');
  applyTranslations(document);
  for (const listener of listeners) listener(next);
}

/** Language names in their own language, for the picker. */
export const AUTONYMS: Record<Locale, string> = {
  ar: 'العربية',
  en: 'English',
  es: 'Español',
  fr: 'Français',
  ru: 'Русский',
  zh: '中文',
};

export function formatDate(isoDate: string): string {
  const date = new Date(`${isoDate}T12:00:00Z`);
  if (Number.isNaN(date.getTime())) return isoDate;
  try {
    return new Intl.DateTimeFormat(current, { dateStyle: 'long', timeZone: 'UTC' }).format(date);
  } catch {
    return isoDate;
  }
}

export function formatSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const number = new Intl.NumberFormat(current, { maximumFractionDigits: unit ? 1 : 0 }).format(
    value,
  );
  return `${number} ${units[unit]!}`;
}

/** A duration in words ("3 minutes", "3 минуты"), with the language's own plural forms. */
export function formatDuration(value: number, unit: 'second' | 'minute'): string {
  try {
    return new Intl.NumberFormat(current, { style: 'unit', unit, unitDisplay: 'long' }).format(
      value,
    );
  } catch {
    return `${value} ${unit === 'minute' ? 'min' : 's'}`;
  }
}
