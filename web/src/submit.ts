// The submission flow: verify the keyset, take the answers, message and files,
// then proof of work → encrypt and upload each file → seal the document → send.
// Only ciphertext and the lookup token ever leave the page.
import {
  DOCUMENT_VERSION,
  deriveReceiptKeys,
  generateReceipt,
  toBase64Url,
} from '../../client-crypto/index.ts';
import type { FormDefinition } from '../form/schema.ts';
import { busyNotice } from './busy-notice.ts';
import { type DeskChoice, deskChoice } from './desk-choice.ts';
import { isDemo } from './config.ts';
import { h, focusOn, uid } from './dom.ts';
import { describeSubmitFailure, showFailure } from './errors.ts';
import { filePicker } from './files.ts';
import { renderForm } from './form-view.ts';
import { locale, tr } from './i18n.ts';
import { refusalHeadline } from './page-check.ts';
import { progressArea } from './progress.ts';
import { showReceipt } from './receipt-view.ts';
import { sealingFor, sendSealed } from './send-sealed.ts';
import { type Trust, trustedForSealing } from './trust.ts';
import { sendAttachments, showWhole } from './send-files.ts';
import { holdPage } from './leave-guard.ts';

const MESSAGE_MAX = 100_000;

export function submitView(form: FormDefinition): HTMLElement {
  const heading = tr(h('h1'), 'intro.heading');
  const trustLine = h('p', { class: 'trust', role: 'status' });
  const trustError = h('div', { class: 'alert', role: 'alert', hidden: true });
  const questions = renderForm(form);
  // Filled once the keyset verified, and only if it has desks.
  const deskSlot = h('div');
  let desk: DeskChoice | undefined;
  const messageId = uid('message');
  const messageHint = uid('hint');
  const message = h('textarea', {
    id: messageId,
    rows: '8',
    maxlength: String(MESSAGE_MAX),
    'aria-describedby': messageHint,
  });
  const files = filePicker();
  const sendButton = tr(h('button', { type: 'submit', class: 'primary' }), 'submit.button');
  const progress = progressArea();
  const busy = busyNotice();
  // Said plainly while anything is on its way: leaving now loses the report.
  const keepOpen = tr(h('p', { class: 'strong', hidden: true }), 'progress.keep_open');
  const failure = h('div', { class: 'alert', role: 'alert', hidden: true });
  const fields = h(
    'fieldset',
    { class: 'plain' },
    tr(h('legend', { class: 'section' }), form.titleKey),
    deskSlot,
    questions.element,
    h(
      'div',
      { class: 'field' },
      h(
        'label',
        { for: messageId },
        tr(h('span'), 'message.label'),
        ' ',
        tr(h('span', { class: 'req' }), 'form.optional'),
      ),
      tr(h('p', { class: 'hint', id: messageHint }), 'message.hint'),
      message,
    ),
    files.element,
    tr(h('p', { class: 'notice' }), 'files.notice'),
  );
  const formEl = h(
    'form',
    { novalidate: true, hidden: true },
    fields,
    sendButton,
    progress.element,
    busy.element,
    keepOpen,
    failure,
  );
  const section = h(
    'section',
    { id: 'submit-view', 'aria-labelledby': 'submit-heading' },
    heading,
    tr(h('p'), 'intro.body'),
    tr(h('p'), 'intro.safety'),
    trustLine,
    trustError,
    formEl,
  );
  heading.id = 'submit-heading';

  // The form is shown, and sent, only once the keyset and every reviewer's
  // current epoch key have verified: nobody writes a report that cannot be sealed.
  let trusted = false;

  const showTrust = (trust: Trust) => {
    trusted = trust.ok;
    if (trust.ok) {
      // Isolated (LRI…PDI) so the fingerprint reads left to right inside Arabic text.
      // A DEMO organisation's keys verify, but they protect nothing: never "verified".
      tr(trustLine, isDemo() ? 'trust.demo' : 'trust.ok', {
        fingerprint: `\u2066${trust.fingerprint}\u2069`,
      });
      trustError.hidden = true;
      const desks = trust.keyset.desks;
      desk = desks ? deskChoice(desks, 'desk.legend', 'desk.hint') : undefined;
      deskSlot.replaceChildren(...(desk ? [desk.element] : []));
      formEl.hidden = false;
      return;
    }
    formEl.hidden = true;
    trustLine.textContent = '';
    delete trustLine.dataset.i18n;
    const retry = tr(h('button', { type: 'button' }), 'trust.retry');
    retry.addEventListener('click', () => void checkTrust());
    trustError.replaceChildren(
      tr(h('p', { class: 'strong' }), refusalHeadline(trust.reason)),
      tr(h('p'), trust.reason),
      ...(trust.retry ? [retry] : []),
    );
    trustError.hidden = false;
  };

  const checkTrust = async () => {
    tr(trustLine, 'trust.loading');
    showTrust(await trustedForSealing());
  };
  void checkTrust();

  const setBusy = (busy: boolean) => {
    fields.disabled = busy;
    sendButton.disabled = busy;
    files.setDisabled(busy);
  };

  formEl.addEventListener('submit', (event) => {
    event.preventDefault();
    failure.hidden = true;
    // Every missing answer is marked; the first in the form takes focus.
    const deskMissing = desk?.validate();
    const questionMissing = questions.validate();
    const invalid = deskMissing ?? questionMissing;
    if (invalid) {
      tr(failure, 'submit.validation');
      failure.hidden = false;
      invalid.focus();
      return;
    }
    if (!trusted) return;
    setBusy(true);
    keepOpen.hidden = false;
    const release = holdPage();
    void send()
      .catch((error: unknown) => {
        const described = describeSubmitFailure(error);
        progress.hide();
        showFailure(failure, described);
        focusOn(failure);
        if (!described.final) setBusy(false);
      })
      .finally(() => {
        keepOpen.hidden = true;
        release();
      });
  });

  async function send() {
    const receipt = await generateReceipt();
    const keys = await deriveReceiptKeys(receipt);
    // The epoch keys may have run out (or the desks changed) while the person
    // wrote: say so before any file leaves the page (sendSealed fetches them
    // again to seal).
    const chosenDesk = desk?.chosen();
    await sealingFor(chosenDesk);
    const chosen = files.files();
    const whole = showWhole(
      progress,
      chosen.map((file) => file.size),
    );
    const attachments = await sendAttachments(chosen, progress, whole, { busy });
    const { received } = await sendSealed(
      {
        v: DOCUMENT_VERSION,
        kind: 'submission',
        locale: locale(),
        form: `${form.id}@${form.version}`,
        answers: questions.answers(),
        message: message.value,
        attachments,
        replyPublicKey: toBase64Url(keys.replyKeyPair.publicKey),
        ...(chosenDesk !== undefined ? { desk: chosenDesk } : {}),
      },
      keys,
      progress,
      { sealing: whole.sealing, sending: whole.sendingReport },
      busy,
    );
    whole.done();
    progress.hide();
    // What was typed is no longer needed on this page.
    formEl.reset();
    section.replaceChildren(showReceipt(receipt, received));
  }

  return section;
}
