// What a person sees when the service is flooded: in plain words, that it is
// very busy and how long sending will take on this device, and a button to
// try harder (a higher effort level: longer work now, less chance that a
// rising minimum sends the work back to the start). The line is a polite live
// region, present from the start so that screen readers announce it when it
// fills; the button is an ordinary button, reached by keyboard.
import { focusOn, h, uid } from './dom.ts';
import { formatDuration, onLocaleChange, tr } from './i18n.ts';
import { roundedDuration } from './whole-progress.ts';

export interface BusyState {
  /** Busy from the start, or busier than when this device began. */
  reason: 'busy' | 'busier';
  /** The work's expected length on this device; undefined when it could not be told. */
  seconds: number | undefined;
  /** False at the top level: there is no harder to try. */
  canTryHarder: boolean;
}

export interface BusyNotice {
  element: HTMLElement;
  /** Says what is happening; `onTryHarder` runs when the person asks to try harder. */
  show(state: BusyState, onTryHarder: () => void): void;
  /** The work is done: the button goes, the words stay until `clear`. */
  solved(): void;
  clear(): void;
}

export function busyNotice(): BusyNotice {
  const hintId = uid('harder');
  const line = h('p', { role: 'status', 'aria-live': 'polite', class: 'busy-line' });
  const hint = tr(h('p', { class: 'hint', id: hintId }), 'effort.try_harder_hint');
  const button = tr(
    h('button', { type: 'button', 'aria-describedby': hintId }),
    'effort.try_harder',
  );
  const harder = h('div', { class: 'busy-harder', hidden: true }, hint, button);
  const element = h('div', { class: 'busy' }, line, harder);
  let shown: BusyState | undefined;
  let listener: (() => void) | undefined;

  const render = () => {
    if (!shown) return;
    const key =
      shown.seconds === undefined
        ? 'effort.busy_unknown'
        : shown.reason === 'busier'
          ? 'effort.busier'
          : 'effort.busy';
    const { unit, value } = roundedDuration(shown.seconds ?? 0);
    tr(line, key, { time: formatDuration(value, unit) });
  };
  // The time's words are the language's own: written again when it changes.
  onLocaleChange(render);
  button.addEventListener('click', () => listener?.());

  return {
    element,
    show(state, onTryHarder) {
      shown = state;
      listener = onTryHarder;
      render();
      // At the top level the button goes: focus must not fall to the page's start.
      if (!state.canTryHarder && document.activeElement === button) focusOn(line);
      harder.hidden = !state.canTryHarder;
    },
    solved() {
      listener = undefined;
      harder.hidden = true;
    },
    clear() {
      shown = undefined;
      listener = undefined;
      harder.hidden = true;
      delete line.dataset.i18n;
      delete line.dataset.i18nVars;
      line.textContent = '';
    },
  };
}
