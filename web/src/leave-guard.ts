// While a report is being sealed or sent, leaving the page (reload, close, back)
// loses it without a word: the browser is asked to warn first. Only then: a
// warning at any other time teaches people to click it away. Quick exit lets go
// of every hold before it leaves, so it never waits on a dialog.
let holds = 0;

function warn(event: BeforeUnloadEvent): void {
  // preventDefault is the standard; some browsers still want a return value.
  event.preventDefault();
  event.returnValue = '';
}

/** Asks the browser to warn before leaving until the returned function is called. */
export function holdPage(): () => void {
  if (holds++ === 0) window.addEventListener('beforeunload', warn);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holds = Math.max(0, holds - 1);
    if (holds === 0) window.removeEventListener('beforeunload', warn);
  };
}

/** Drops every hold at once (quick exit). */
export function letGo(): void {
  holds = 0;
  window.removeEventListener('beforeunload', warn);
}
