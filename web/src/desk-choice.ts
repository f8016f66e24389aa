// The person's choice of desk (docs/protocol.md, "Desks"): a required radio
// group of the desks the keyset offers, named in the page's language. Desks
// marked `always` are not a choice; the page names them in a sentence, so
// the person knows who else reads. The names come from the keyset verified
// against the pinned root, never from the server alone.
import type { Desk, Keyset } from '../../client-crypto/index.ts';
import { h, uid } from './dom.ts';
import { type Locale, locale, onLocaleChange, t, tr } from './i18n.ts';

/** A desk's name in `lang`: that language, a regional variant of it, English, else the first given. */
export function deskName(desk: Desk, lang: Locale): { name: string; lang: string } {
  const tags = Object.keys(desk.names);
  const tag =
    tags.find((t) => t === lang) ??
    tags.find((t) => t.split('-')[0] === lang) ??
    tags.find((t) => t === 'en') ??
    tags.find((t) => t.split('-')[0] === 'en') ??
    tags[0]!;
  return { name: desk.names[tag]!, lang: tag };
}

export interface DeskChoice {
  element: HTMLElement;
  /** The chosen desk's id, if one is chosen. */
  chosen(): string | undefined;
  /** Marks a missing choice; returns the element to focus, if any is missing. */
  validate(): HTMLElement | undefined;
}

/**
 * The radio group for `desks` (those not `always`), with `legendKey` above it
 * and `hintKey` under the legend. `always` desks are named in a sentence.
 */
export function deskChoice(desks: readonly Desk[], legendKey: string, hintKey: string): DeskChoice {
  const name = uid('desk');
  const hintId = uid('hint');
  const errorId = uid('err');
  const alwaysId = uid('always');
  const offered = desks.filter((d) => !d.always);
  const always = desks.filter((d) => d.always);
  const error = h('p', { class: 'error', id: errorId, hidden: true });
  const inputs = offered.map((desk) =>
    h('input', { type: 'radio', name, value: desk.id, id: uid(name), required: true }),
  );
  const labels = offered.map((_, i) => h('label', { for: inputs[i]!.id }));
  const alwaysLine = always.length ? h('p', { class: 'hint', id: alwaysId }) : null;
  const nameSpan = (desk: Desk) => {
    const { name, lang } = deskName(desk, locale());
    return h('span', { lang, dir: 'auto' }, name);
  };
  const fill = () => {
    offered.forEach((desk, i) => labels[i]!.replaceChildren(nameSpan(desk)));
    if (alwaysLine) {
      // The sentence is translated around the names, which keep their own language.
      const [before, after] = t('desk.always', { names: '\u0000' }).split('\u0000');
      const names: (Node | string)[] = [];
      always.forEach((desk, i) => names.push(...(i ? [', '] : []), nameSpan(desk)));
      alwaysLine.replaceChildren(before ?? '', ...names, after ?? '');
    }
  };
  fill();
  onLocaleChange(fill);
  const described = [hintId, alwaysLine ? alwaysId : '', errorId].filter(Boolean).join(' ');
  const element = h(
    'fieldset',
    { class: 'field choice desk-choice', 'aria-describedby': described },
    h(
      'legend',
      {},
      tr(h('span'), legendKey),
      ' ',
      tr(h('span', { class: 'req' }), 'form.required'),
    ),
    tr(h('p', { class: 'hint', id: hintId }), hintKey),
    alwaysLine,
    error,
    ...offered.map((_, i) => h('div', { class: 'option' }, inputs[i], labels[i])),
  );
  element.dataset.field = 'desk';
  const chosen = () => inputs.find((input) => input.checked)?.value;
  return {
    element,
    chosen,
    validate() {
      const missing = chosen() === undefined;
      error.hidden = !missing;
      if (missing) tr(error, 'desk.error');
      inputs[0]!.setAttribute('aria-invalid', String(missing));
      return missing ? inputs[0] : undefined;
    },
  };
}

/** Where a follow-up of a case goes (docs/protocol.md, "Follow-ups go to the desk of their case"). */
export interface DeskRoute {
  /** The choice to show, when the person must choose the desk again; else null. */
  element: HTMLElement | null;
  /**
   * The desk to seal to: undefined when the keyset has no desks; null when
   * the person has yet to choose (the choice is then marked and focused).
   */
  resolve(): string | undefined | null;
}

/**
 * The desk named by the newest reply of the case that names one (`named`),
 * if the keyset still has it; otherwise the person chooses again, from the
 * same desks as the form. Never every reviewer when the keyset has desks.
 */
export function caseDesk(keyset: Keyset, named: string | undefined): DeskRoute {
  const desks = keyset.desks;
  if (!desks) return { element: null, resolve: () => undefined };
  if (named !== undefined && desks.some((d) => d.id === named))
    return { element: null, resolve: () => named };
  const choice = deskChoice(desks, 'desk.followup_legend', 'desk.followup_hint');
  return {
    element: choice.element,
    resolve() {
      const missing = choice.validate();
      if (!missing) return choice.chosen()!;
      missing.focus();
      return null;
    },
  };
}
