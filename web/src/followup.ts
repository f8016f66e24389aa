// A follow-up from the status page: a message, files or both, sealed and sent
// as a report is (send-files.ts, send-sealed.ts), signed with the receipt's
// author key. What was sent is shown back once, from this page's memory, and
// kept nowhere: not on the server in a form the receipt opens, not in the
// browser. A receipt taken later opens no testimony (docs/threat-model.md,
// "What the person sees of what they sent").
import { type ReceiptKeys, DOCUMENT_VERSION, toBase64Url } from '../../client-crypto/index.ts';
import type { FormDefinition } from '../form/schema.ts';
import type { DeskRoute } from './desk-choice.ts';
import { focusOn, h, uid } from './dom.ts';
import { describeFollowupFailure, showFailure } from './errors.ts';
import { type ChosenFile, filePicker } from './files.ts';
import { formatDate, formatSize, locale, tr } from './i18n.ts';
import { holdPage } from './leave-guard.ts';
import { progressArea } from './progress.ts';
import { sendAttachments, showWhole } from './send-files.ts';
import { sealingFor, sendSealed } from './send-sealed.ts';

interface Sent {
  received: string;
  message: string;
  files: { name: string; size: number }[];
}

/**
 * What was sent during this visit, newest last. Only in the page: it goes when
 * the person hides it, checks again, or leaves (status.ts empties the result
 * on `pagehide`, so Back or a restored tab shows nothing).
 */
function sentSummary() {
  const headingId = uid('sent');
  const list = h('ol', { class: 'sent-list' });
  const hide = tr(h('button', { type: 'button', class: 'link' }), 'followup.summary_hide');
  const element = h(
    'section',
    { class: 'sent-summary', 'aria-labelledby': headingId, hidden: true },
    tr(h('h4', { id: headingId }), 'followup.summary_heading'),
    tr(h('p', { class: 'hint' }), 'followup.summary_kept'),
    list,
    hide,
  );
  hide.addEventListener('click', () => {
    list.replaceChildren();
    element.hidden = true;
  });
  return {
    element,
    add(sent: Sent) {
      const files = sent.files.map((file) =>
        h(
          'li',
          { class: 'file' },
          h('span', { class: 'file-name', dir: 'auto' }, file.name),
          ' ',
          h('span', { class: 'file-size' }, formatSize(file.size)),
        ),
      );
      list.append(
        h(
          'li',
          { class: 'sent-item' },
          tr(h('p', { class: 'meta' }), 'followup.summary_date', {
            date: formatDate(sent.received),
          }),
          sent.message ? h('p', { class: 'reply-text', dir: 'auto' }, sent.message) : null,
          files.length
            ? h(
                'div',
                {},
                tr(h('p', { class: 'strong' }), 'followup.summary_files'),
                h('ul', { class: 'file-list' }, ...files),
              )
            : null,
        ),
      );
      element.hidden = false;
    },
  };
}

export function followupForm(
  form: FormDefinition,
  keys: ReceiptKeys,
  route: DeskRoute,
): HTMLElement {
  const id = uid('followup');
  const text = h('textarea', { id, rows: '6', maxlength: '100000' });
  const files = filePicker();
  const button = tr(h('button', { type: 'submit', class: 'primary' }), 'followup.button');
  const progress = progressArea();
  // Said plainly while anything is on its way: leaving now loses the message.
  const keepOpen = tr(h('p', { class: 'strong', hidden: true }), 'followup.keep_open');
  const outcome = h('div', { role: 'alert', class: 'alert', hidden: true });
  // Good news is not an error: said politely, in its own style.
  const sent = h('p', { role: 'status', class: 'success', hidden: true });
  const summary = sentSummary();
  const fieldset = h(
    'fieldset',
    {},
    tr(h('legend'), 'followup.legend'),
    tr(h('p', { class: 'hint' }), 'followup.help'),
    h('label', { for: id }, tr(h('span'), 'followup.label')),
    text,
    files.element,
    tr(h('p', { class: 'notice' }), 'files.notice'),
  );
  const formEl = h(
    'form',
    { novalidate: true, class: 'followup' },
    fieldset,
    button,
    progress.element,
    keepOpen,
    outcome,
    sent,
    summary.element,
  );
  const setBusy = (busy: boolean) => {
    fieldset.disabled = busy;
    button.disabled = busy;
    files.setDisabled(busy);
  };

  async function send(
    message: string,
    chosen: ChosenFile[],
    desk: string | undefined,
  ): Promise<Sent> {
    // The epoch keys may have run out (or the desks changed) while the person
    // wrote: said before any file leaves the page (sendSealed fetches them
    // again to seal).
    await sealingFor(desk);
    const whole = showWhole(
      progress,
      chosen.map((file) => file.size),
    );
    const attachments = await sendAttachments(chosen, progress, whole, {
      lookupToken: toBase64Url(keys.lookupToken),
    });
    const { received } = await sendSealed(
      {
        v: DOCUMENT_VERSION,
        kind: 'followup',
        locale: locale(),
        form: `${form.id}@${form.version}`,
        answers: {},
        message,
        attachments,
        ...(desk !== undefined ? { desk } : {}),
      },
      keys,
      progress,
      { sealing: whole.sealing, sending: whole.sendingReport },
    );
    whole.done();
    return { received, message, files: chosen.map(({ name, size }) => ({ name, size })) };
  }

  formEl.addEventListener('submit', (event) => {
    event.preventDefault();
    outcome.hidden = true;
    sent.hidden = true;
    const message = text.value.trim() ? text.value : '';
    const chosen = files.files();
    if (!message && chosen.length === 0) {
      tr(outcome, 'followup.empty');
      outcome.hidden = false;
      text.focus();
      return;
    }
    const desk = route.resolve();
    if (desk === null) return;
    setBusy(true);
    keepOpen.hidden = false;
    const release = holdPage();
    void send(message, chosen, desk)
      .then((done) => {
        progress.hide();
        text.value = '';
        files.clear();
        summary.add(done);
        tr(sent, 'followup.sent');
        sent.hidden = false;
        focusOn(sent);
        setBusy(false);
      })
      .catch((error: unknown) => {
        const failure = describeFollowupFailure(error);
        progress.hide();
        showFailure(outcome, failure);
        focusOn(outcome);
        if (!failure.final) setBusy(false);
      })
      .finally(() => {
        keepOpen.hidden = true;
        release();
      });
  });
  return formEl;
}
