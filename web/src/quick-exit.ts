// Quick exit: the button, or Escape twice within a second and a half. The page is
// emptied first (so nothing lingers on screen while the next page loads), then
// location.replace swaps this history entry for a neutral one.
import { exitUrl } from './config.ts';
import { letGo } from './leave-guard.ts';

const DOUBLE_PRESS_MS = 1500;

function quickExit(): void {
  window.onbeforeunload = null;
  letGo();
  document.title = '';
  document.body.replaceChildren();
  location.replace(exitUrl());
}

export function installQuickExit(button: HTMLButtonElement): void {
  button.addEventListener('click', quickExit);
  let last = 0;
  document.addEventListener(
    'keydown',
    (event) => {
      if (event.key !== 'Escape') return;
      const now = Date.now();
      if (now - last <= DOUBLE_PRESS_MS) quickExit();
      last = now;
    },
    { capture: true },
  );
}
