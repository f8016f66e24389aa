// Every catalogue carries every key the page and the form use, with the same
// placeholders as English, and no empty text. A missing key fails here, not in
// front of a frightened person reading Arabic or Russian.
import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { CASE_STATUSES } from '../../client-crypto/index.ts';
import { formI18nKeys, parseFormDefinition } from '../../web/form/schema.ts';
import { COUNTRY_CODES } from '../../web/src/countries.ts';

const LOCALES = ['ar', 'en', 'es', 'fr', 'ru', 'zh'];
const web = new URL('../../web/', import.meta.url);
const load = (locale: string) =>
  JSON.parse(readFileSync(new URL(`i18n/${locale}.json`, web), 'utf8')) as Record<string, string>;
const catalogues = Object.fromEntries(LOCALES.map((l) => [l, load(l)]));
const en = catalogues.en!;

function keysUsedByPage(): Set<string> {
  const keys = new Set<string>();
  const dir = new URL('src/', web);
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.ts')) continue;
    const source = readFileSync(new URL(name, dir), 'utf8');
    for (const m of source.matchAll(/'((?:[a-z_]+\.)+[a-z_]+)'/g)) keys.add(m[1]!);
  }
  // Keys built at run time.
  for (const view of ['submit', 'status']) keys.add(`nav.${view}`);
  for (const status of CASE_STATUSES) keys.add(`status.value.${status}`);
  keys.add('noscript');
  const form = parseFormDefinition(
    JSON.parse(readFileSync(new URL('form/default-form.json', web), 'utf8')),
  );
  for (const key of formI18nKeys(form)) keys.add(key);
  return keys;
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

void t.test('the page and the form use only keys that English defines', (t) => {
  const missing = [...keysUsedByPage()].filter((k) => !(k in en));
  t.same(missing, [], 'keys missing from en.json');
  t.end();
});

for (const locale of LOCALES) {
  void t.test(`${locale}.json is complete`, (t) => {
    const catalogue = catalogues[locale]!;
    t.same(
      Object.keys(en).filter((k) => !(k in catalogue)),
      [],
      'missing keys',
    );
    t.same(
      Object.keys(catalogue).filter((k) => !(k in en)),
      [],
      'keys English does not have',
    );
    for (const [key, text] of Object.entries(catalogue)) {
      if (typeof text !== 'string' || !text.trim()) t.fail(`${key} is empty`);
      else if (placeholders(text).join() !== placeholders(en[key] ?? '').join()) {
        t.fail(`${key}: placeholders differ from English`);
      }
    }
    t.end();
  });
}

void t.test('translations are translations', (t) => {
  // Apart from names and pure placeholders, a catalogue that equals English was not translated.
  const sameAsEnglish = (locale: string) =>
    Object.keys(en).filter(
      (k) => catalogues[locale]![k] === en[k] && !/^(app\.name|status\.reply\.meta)$/.test(k),
    );
  for (const locale of LOCALES.filter((l) => l !== 'en')) {
    const same = sameAsEnglish(locale);
    t.ok(
      same.length <= 2,
      `${locale}: ${same.length} strings identical to English (${same.join(', ')})`,
    );
  }
  t.match(catalogues.ar!['intro.heading'], /[\u0600-\u06ff]/, 'Arabic script');
  t.match(catalogues.ru!['intro.heading'], /[\u0400-\u04ff]/, 'Cyrillic script');
  t.match(catalogues.zh!['intro.heading'], /[\u4e00-\u9fff]/, 'Han script');
  t.end();
});

void t.test('every country code has a name in every language', (t) => {
  t.equal(new Set(COUNTRY_CODES).size, COUNTRY_CODES.length, 'no duplicates');
  t.ok(COUNTRY_CODES.length >= 249);
  for (const locale of LOCALES) {
    const names = new Intl.DisplayNames([locale], { type: 'region' });
    const unnamed = COUNTRY_CODES.filter(
      (code) => !/^[A-Z]{2}$/.test(code) || names.of(code) === code,
    );
    t.same(unnamed, [], `${locale}: codes without a name`);
  }
  t.end();
});

void t.test('the note to stay never reads as the news that it is done', (t) => {
  // Read out while a follow-up is on its way: a person (or a screen reader)
  // must not hear "your message has been sent" in it.
  for (const locale of LOCALES) {
    const catalogue = catalogues[locale]!;
    const sent = catalogue['followup.sent']!.replace(/[.。]$/, '').toLowerCase();
    t.notOk(
      catalogue['followup.keep_open']!.toLowerCase().includes(sent),
      `${locale}: followup.keep_open does not say it was sent`,
    );
  }
  t.end();
});
