// The questionnaire's and the statuses' words in the reviewer's language, from
// the submitter page's own catalogues (web/i18n/*.json) and form
// (web/form/default-form.json): a question reads as the person read it, and a
// new UN language there is a new language here. Only ids are translated: what
// the person wrote stays as written, and a field or option this form does not
// know is shown as it came.
import form from '../../../web/form/default-form.json' with { type: 'json' };
import en from '../../../web/i18n/en.json' with { type: 'json' };
import fr from '../../../web/i18n/fr.json' with { type: 'json' };
import { locale, t } from './i18n.ts';

const FORM_CATALOGUES: Record<string, Record<string, string>> = { en, fr };

interface FormField {
  id: string;
  kind: string;
  labelKey: string;
  options?: { id: string; labelKey: string }[];
}

const FIELDS = new Map((form.fields as FormField[]).map((f) => [f.id, f]));

function formWord(key: string): string | undefined {
  return FORM_CATALOGUES[locale()]?.[key] ?? (en as Record<string, string>)[key];
}

/** The question as the form asked it, or `fallback` (the case folder's label) for a field this form lacks. */
export function fieldLabel(fieldId: string, fallback = fieldId): string {
  const field = FIELDS.get(fieldId);
  return (field && formWord(field.labelKey)) ?? fallback;
}

const regionNames = new Map<string, Intl.DisplayNames>();

export function countryName(code: string): string {
  if (!/^[A-Za-z]{2}$/.test(code)) return code;
  let names = regionNames.get(locale());
  if (!names) {
    names = new Intl.DisplayNames([locale()], { type: 'region', fallback: 'code' });
    regionNames.set(locale(), names);
  }
  try {
    return names.of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

/** One answer value in words: an option's label, a country's name, or the person's own text unchanged. */
export function answerWord(fieldId: string, value: string): string {
  const field = FIELDS.get(fieldId);
  if (field?.kind === 'country') return countryName(value);
  const option = field?.options?.find((o) => o.id === value);
  return (option && formWord(option.labelKey)) ?? value;
}

export function answerWords(fieldId: string, values: readonly string[]): string {
  return values.map((v) => answerWord(fieldId, v)).join('; ');
}

/** A case status by the name the submitter's status page gives it. */
export function statusName(status: string): string {
  return formWord(`status.value.${status}`) ?? status;
}

/** What a line of the outbox or a statement is (reply, status, purge, weekly key, invalid). */
export function kindName(kind: string): string {
  const key = `kind.${kind}`;
  const word = t(key);
  return word === key ? kind : word;
}
