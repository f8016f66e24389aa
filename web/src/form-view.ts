// Renders a form definition (web/form/*.json, checked at build time) as real
// fieldsets with legends and labels, and reads the answers back. Required
// questions are checked here, before anything is sealed.
import type { FormDefinition, FormField } from '../form/schema.ts';
import { countryOptions } from './countries.ts';
import { h, uid } from './dom.ts';
import { locale, onLocaleChange, tr } from './i18n.ts';

export type Answers = Record<string, string | string[]>;

export interface RenderedForm {
  element: HTMLElement;
  answers(): Answers;
  /** Marks unanswered required questions; returns the first, for focus. */
  validate(): HTMLElement | undefined;
}

interface FieldView {
  field: FormField;
  element: HTMLElement;
  error: HTMLElement;
  read(): string | string[] | undefined;
  focusTarget(): HTMLElement;
}

function requiredMark(field: FormField): HTMLElement {
  return tr(h('span', { class: 'req' }), field.required ? 'form.required' : 'form.optional');
}

function hintFor(field: FormField, id: string): HTMLElement | undefined {
  return field.hintKey ? tr(h('p', { class: 'hint', id }), field.hintKey) : undefined;
}

function choiceField(
  field: FormField & { options: { id: string; labelKey: string }[] },
): FieldView {
  const multi = field.kind === 'multi';
  const name = uid(field.id);
  const hintId = uid('hint');
  const errorId = uid('err');
  const error = h('p', { class: 'error', id: errorId, hidden: true });
  const inputs = field.options.map((option) =>
    h('input', { type: multi ? 'checkbox' : 'radio', name, value: option.id, id: uid(name) }),
  );
  const legend = h('legend', {}, tr(h('span'), field.labelKey), ' ', requiredMark(field));
  const described = [field.hintKey ? hintId : '', errorId].filter(Boolean).join(' ');
  const element = h(
    'fieldset',
    { class: multi ? 'field multi' : 'field choice', 'aria-describedby': described },
    legend,
    hintFor(field, hintId),
    error,
    ...field.options.map((option, i) =>
      h(
        'div',
        { class: 'option' },
        inputs[i],
        tr(h('label', { for: inputs[i]!.id }), option.labelKey),
      ),
    ),
  );
  element.dataset.field = field.id;
  return {
    field,
    element,
    error,
    read: () => {
      const checked = inputs.filter((input) => input.checked).map((input) => input.value);
      if (multi) return checked.length ? checked : undefined;
      return checked[0];
    },
    focusTarget: () => inputs[0]!,
  };
}

function countryField(field: FormField): FieldView {
  const id = uid(field.id);
  const errorId = uid('err');
  const error = h('p', { class: 'error', id: errorId, hidden: true });
  const select = h('select', { id, 'aria-describedby': errorId, required: field.required });
  const fill = () => {
    const selected = select.value;
    select.replaceChildren(
      tr(h('option', { value: '' }), 'field.country.choose'),
      ...countryOptions(locale()).map((c) => h('option', { value: c.code }, c.name)),
    );
    select.value = selected;
  };
  fill();
  onLocaleChange(fill);
  const label = h('label', { for: id }, tr(h('span'), field.labelKey), ' ', requiredMark(field));
  const element = h('div', { class: 'field' }, label, error, select);
  element.dataset.field = field.id;
  return {
    field,
    element,
    error,
    read: () => select.value || undefined,
    focusTarget: () => select,
  };
}

function textField(field: FormField & { maxLength: number }): FieldView {
  const id = uid(field.id);
  const hintId = uid('hint');
  const errorId = uid('err');
  const error = h('p', { class: 'error', id: errorId, hidden: true });
  const attrs = {
    id,
    maxlength: String(field.maxLength),
    'aria-describedby': [field.hintKey ? hintId : '', errorId].filter(Boolean).join(' '),
    required: field.required,
  };
  const input =
    field.kind === 'textarea'
      ? h('textarea', { ...attrs, rows: '4' })
      : h('input', { ...attrs, type: 'text' });
  const label = h('label', { for: id }, tr(h('span'), field.labelKey), ' ', requiredMark(field));
  const element = h('div', { class: 'field' }, label, hintFor(field, hintId), error, input);
  element.dataset.field = field.id;
  return {
    field,
    element,
    error,
    read: () => input.value.trim() || undefined,
    focusTarget: () => input,
  };
}

function fieldView(field: FormField): FieldView {
  switch (field.kind) {
    case 'choice':
    case 'multi':
      return choiceField(field);
    case 'country':
      return countryField(field);
    case 'text':
    case 'textarea':
      return textField(field);
  }
}

export function renderForm(form: FormDefinition): RenderedForm {
  const views = form.fields.map(fieldView);
  const element = h('div', { class: 'questions' }, ...views.map((v) => v.element));
  return {
    element,
    answers() {
      const answers: Answers = {};
      for (const view of views) {
        const value = view.read();
        if (value !== undefined) answers[view.field.id] = value;
      }
      return answers;
    },
    validate() {
      let first: HTMLElement | undefined;
      for (const view of views) {
        const missing = view.field.required && view.read() === undefined;
        view.error.hidden = !missing;
        if (missing) tr(view.error, 'field.error.required');
        view.focusTarget().setAttribute('aria-invalid', String(missing));
        if (missing && !first) first = view.focusTarget();
      }
      return first;
    },
  };
}
