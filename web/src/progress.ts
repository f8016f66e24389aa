// One progress area per flow: a <progress> bar with a visible, politely
// announced line of text. Screen readers hear each step, not every percent.
import { h, uid } from './dom.ts';
import { type Vars, formatDuration, tr } from './i18n.ts';
import { roundedDuration } from './whole-progress.ts';

export interface Progress {
  element: HTMLElement;
  step(key: string, vars?: Vars): void;
  /** A fraction from 0 to 1, or undefined for "working, length unknown". */
  fraction(value: number | undefined): void;
  /** Seconds left, in words; undefined hides the line. */
  estimate(seconds: number | undefined): void;
  hide(): void;
}

export function progressArea(): Progress {
  const labelId = uid('progress');
  const text = h('p', { id: labelId, role: 'status', 'aria-live': 'polite' });
  const bar = h('progress', { 'aria-labelledby': labelId, max: '100' });
  // Not live: read out every few seconds it would drown the steps.
  const eta = h('p', { class: 'hint', hidden: true });
  const element = h('div', { class: 'progress', hidden: true }, text, bar, eta);
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
    estimate(seconds) {
      eta.hidden = seconds === undefined;
      if (seconds === undefined) return;
      const { unit, value } = roundedDuration(seconds);
      tr(eta, 'progress.eta', { time: formatDuration(value, unit) });
    },
    hide() {
      element.hidden = true;
      eta.hidden = true;
    },
  };
}
