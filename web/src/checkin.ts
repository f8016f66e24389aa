// The sign of life a reviewer asked for (a reply carrying `checkin`, see
// docs/protocol.md): one action, sent as a follow-up like any other, sealed
// and signed with the receipt's author key, so the server learns nothing it
// would not learn from a message. The words are plain on purpose: someone
// looking over the person's shoulder sees "Confirm", never "danger", and a
// missed check-in shows nothing at all (docs/threat-model.md).
import { type ReceiptKeys, DOCUMENT_VERSION } from '../../client-crypto/index.ts';
import type { FormDefinition } from '../form/schema.ts';
import type { DeskRoute } from './desk-choice.ts';
import { focusOn, h, uid } from './dom.ts';
import { describeFollowupFailure, showFailure } from './errors.ts';
import { formatDate, locale, tr } from './i18n.ts';
import { progressArea } from './progress.ts';
import { sendSealed } from './send-sealed.ts';

export type CheckinAnswer = 'fine' | 'help';

export function checkinForm(
  form: FormDefinition,
  keys: ReceiptKeys,
  route: DeskRoute,
): HTMLElement {
  const headingId = uid('checkin');
  const confirm = tr(h('button', { type: 'button', class: 'primary' }), 'checkin.confirm');
  const contact = tr(h('button', { type: 'button' }), 'checkin.contact');
  const progress = progressArea();
  const outcome = h('div', { role: 'alert', class: 'alert', hidden: true });
  const done = h('p', { role: 'status', class: 'success', hidden: true });
  const section = h(
    'section',
    { class: 'checkin', 'aria-labelledby': headingId },
    tr(h('h3', { id: headingId }), 'checkin.heading'),
    tr(h('p', { class: 'hint' }), 'checkin.help'),
    h('p', {}, confirm, ' ', contact),
    progress.element,
    outcome,
    done,
  );
  const send = (answer: CheckinAnswer) => {
    // A follow-up like any other: to the desk of the case.
    const desk = route.resolve();
    if (desk === null) return;
    confirm.disabled = true;
    contact.disabled = true;
    outcome.hidden = true;
    done.hidden = true;
    void sendSealed(
      {
        v: DOCUMENT_VERSION,
        kind: 'followup',
        locale: locale(),
        form: `${form.id}@${form.version}`,
        answers: { checkin: answer },
        message: '',
        attachments: [],
        ...(desk !== undefined ? { desk } : {}),
      },
      keys,
      progress,
    )
      .then(({ received }) => {
        progress.hide();
        tr(done, 'checkin.sent', { date: formatDate(received) });
        done.hidden = false;
        focusOn(done);
      })
      .catch((error: unknown) => {
        const failure = describeFollowupFailure(error);
        progress.hide();
        showFailure(outcome, failure);
        focusOn(outcome);
      })
      .finally(() => {
        confirm.disabled = false;
        contact.disabled = false;
      });
  };
  confirm.addEventListener('click', () => send('fine'));
  contact.addEventListener('click', () => send('help'));
  return section;
}
