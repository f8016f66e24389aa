// The workbench's catalogues, in the submitter page's shape (web/i18n/*.json:
// flat keys, {name} placeholders), so that another UN language is one more
// file. Only the page's own words are translated; a submitter's never are.
import en from './i18n/en.json' with { type: 'json' };
import fr from './i18n/fr.json' with { type: 'json' };

export const CATALOGUES: Record<string, Record<string, string>> = { en, fr };
let current = 'en';

export function setLocale(locale: string): void {
  current = locale in CATALOGUES ? locale : 'en';
  document.documentElement.lang = current;
}

export function locale(): string {
  return current;
}

export function t(key: string, vars: Record<string, string | number> = {}): string {
  const template = CATALOGUES[current]?.[key] ?? (en as Record<string, string>)[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole,
  );
}
