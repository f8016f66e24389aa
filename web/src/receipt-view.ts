// The receipt is shown once. The person is asked to write it down and to confirm
// before the page lets go of it; leaving earlier asks the browser to warn them.
import { h, focusOn, uid } from './dom.ts';
import { formatDate, tr } from './i18n.ts';

export function showReceipt(receipt: string, received: string): HTMLElement {
  const heading = tr(h('h1', { id: uid('receipt') }), 'receipt.heading');
  const code = h('p', { class: 'receipt', lang: 'en', dir: 'ltr', translate: 'no' }, receipt);
  const confirmId = uid('confirm');
  const confirm = h('input', { type: 'checkbox', id: confirmId });
  const finish = tr(
    h('button', { type: 'button', class: 'primary', disabled: true }),
    'receipt.finish',
  );
  const panel = h(
    'div',
    { class: 'receipt-panel' },
    heading,
    tr(h('p'), 'receipt.received', { date: formatDate(received) }),
    tr(h('p', { class: 'strong' }), 'receipt.intro'),
    code,
    tr(h('p'), 'receipt.advice'),
    h('div', { class: 'option' }, confirm, tr(h('label', { for: confirmId }), 'receipt.confirm')),
    finish,
  );
  window.onbeforeunload = (event: BeforeUnloadEvent) => {
    event.preventDefault();
    return '';
  };
  confirm.addEventListener('change', () => {
    finish.disabled = !confirm.checked;
  });
  finish.addEventListener('click', () => {
    window.onbeforeunload = null;
    const done = tr(h('h1'), 'receipt.done_heading');
    panel.replaceChildren(done, tr(h('p'), 'receipt.done'));
    focusOn(done);
  });
  queueMicrotask(() => focusOn(heading));
  return panel;
}
