// One progress area per flow: a <progress> bar with a visible, politely
// announced line of text. Screen readers hear each step, not every percent.
import { h, uid } from './dom.ts';
import { type Vars, tr } from './i18n.ts';

export interface Progress {
  element: HTMLElement;
  step(key: string, vars?: Vars): void;
  /** A fraction from 0 to 1, or undefined for "working, length unknown". */
  fraction(value: number | undefined): void;
  hide(): void;
}

export function progressArea(): Progress {
  const labelId = uid('progress');
  const text = h('p', { id: labelId, role: 'status', 'aria-live': 'polite' });
  const bar = h('progress', { 'aria-labelledby': labelId, max: '100' });
  const element = h('div', { class: 'progress', hidden: true }, text, bar);
  return {
    element,
    step(key, vars) {
      element.hidden = false;
      tr(text, key, vars);
    },
    fraction(value) {
      if (value === undefined) bar.removeAttribute('value');
      else bar.value = Math.round(Math.min(1, Math.max(0, value)) * 100);
    },
    hide() {
      element.hidden = true;
    },
  };
}
