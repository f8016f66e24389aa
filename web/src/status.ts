// The status page: the receipt is checked and turned into keys in this browser;
// only the lookup token is sent. Every statement is verified against the pinned
// keyset and opened with the reply key before it is shown; one that fails is
// not shown, and the page says so. Follow-ups are signed with the receipt's
// author key, so that reviewers know they come from this receipt's holder.
import {
  type SubmitterView,
  deriveReceiptKeys,
  isSealboxError,
  parseReceipt,
  readStatementAsSubmitter,
  toBase64Url,
} from '../../client-crypto/index.ts';
import type { FormDefinition } from '../form/schema.ts';
import { ApiError, api } from './api.ts';
import { focusOn, h, uid } from './dom.ts';
import { checkinForm } from './checkin.ts';
import { caseDesk } from './desk-choice.ts';
import { followupForm } from './followup.ts';
import { isDemo, pinnedFingerprint } from './config.ts';
import { describeFailure, showFailure } from './errors.ts';
import { type Vars, formatDate, tr } from './i18n.ts';
import { pageCheck, refusalHeadline } from './page-check.ts';
import { KeysetNotTrusted, requireTrustedKeyset } from './trust.ts';

function receiptError(error: unknown): string {
  if (isSealboxError(error, 'RECEIPT_CHECKSUM')) return 'status.error.checksum';
  return 'status.error.format';
}

/** The start of the fingerprint the page trusts, as the person may have been given it ("ABCD-…"). */
function trustedKeyStart(): string {
  const pin = pinnedFingerprint();
  const bare = pin.ok ? pin.fingerprint.replace(/[\s-]/g, '').toUpperCase() : '';
  return `${bare.slice(0, 4)}-…`;
}

// Only statements that passed readStatementAsSubmitter are ever listed, so each
// one says so, in plain words; those that failed are counted in a warning instead.
function statementItem(view: SubmitterView): HTMLElement {
  return h(
    'li',
    { class: 'statement' },
    tr(h('p', { class: 'meta' }), 'status.reply.meta', {
      date: formatDate(view.date),
      reviewer: view.reviewer,
    }),
    // A DEMO organisation's keys verify, but they protect nothing: never "checked" alone.
    tr(
      h('p', { class: isDemo() ? 'verified demo' : 'verified' }),
      isDemo() ? 'status.reply.verified_demo' : 'status.reply.verified',
      {
        key: `\u2066${trustedKeyStart()}\u2069`,
      },
    ),
    view.status
      ? h(
          'p',
          {},
          tr(h('span'), 'status.changed'),
          ' ',
          tr(h('strong'), `status.value.${view.status}`),
        )
      : null,
    view.text ? h('p', { class: 'reply-text', dir: 'auto' }, view.text) : null,
    view.kind === 'purge' ? tr(h('p'), 'status.purged') : null,
  );
}

export function statusView(form: FormDefinition): HTMLElement {
  const heading = tr(h('h1', { id: 'status-heading' }), 'status.heading');
  const inputId = uid('receipt');
  const hintId = uid('hint');
  const errorId = uid('err');
  const input = h('input', {
    id: inputId,
    type: 'text',
    dir: 'ltr',
    autocomplete: 'off',
    autocapitalize: 'characters',
    spellcheck: 'false',
    'aria-describedby': `${hintId} ${errorId}`,
  });
  const error = h('p', { class: 'error', id: errorId, role: 'alert', hidden: true });
  const button = tr(h('button', { type: 'submit', class: 'primary' }), 'status.check');
  const formEl = h(
    'form',
    { novalidate: true, hidden: true },
    h('label', { for: inputId }, tr(h('span'), 'status.receipt.label')),
    tr(h('p', { class: 'hint', id: hintId }), 'status.receipt.hint'),
    error,
    input,
    button,
  );
  const result = h('div', { class: 'status-result', 'aria-live': 'polite' });
  const checking = tr(h('p', { class: 'trust', role: 'status' }), 'page.checking');
  const refusal = h('div', { class: 'alert', role: 'alert', hidden: true });
  const section = h(
    'section',
    { id: 'status-view', 'aria-labelledby': 'status-heading' },
    heading,
    tr(h('p'), 'status.intro'),
    checking,
    refusal,
    formEl,
    result,
  );

  // A page that is not the one the organisation signed takes no receipt: the
  // form appears once the page has checked itself (page-check.ts).
  const checkPage = async () => {
    checking.hidden = false;
    const check = await pageCheck();
    checking.hidden = true;
    formEl.hidden = !check.ok;
    refusal.hidden = check.ok;
    if (check.ok) return;
    showFailure(refusal, { key: refusalHeadline(check.reason), detail: check.reason, final: true });
    if (!check.retry) return;
    const retry = tr(h('button', { type: 'button' }), 'trust.retry');
    retry.addEventListener('click', () => void checkPage());
    refusal.append(retry);
  };
  void checkPage();

  // Leaving (reload, another address, closing, Back) takes what the check
  // showed with it: the replies, what was sent and the receipt typed in. A
  // page restored from the back/forward cache, or a phone picked up later,
  // shows an empty form.
  window.addEventListener('pagehide', () => {
    result.replaceChildren();
    input.value = '';
  });

  const fail = (key: string, vars?: Vars) => {
    tr(error, key, vars);
    error.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  };

  formEl.addEventListener('submit', (event) => {
    event.preventDefault();
    error.hidden = true;
    input.removeAttribute('aria-invalid');
    result.replaceChildren();
    let receipt: string;
    try {
      receipt = parseReceipt(input.value);
    } catch (e) {
      fail(receiptError(e));
      return;
    }
    button.disabled = true;
    // In a child of its own: a translation marked on `result` itself would write
    // "Checking…" back over the replies at the next change of language.
    result.replaceChildren(tr(h('p'), 'status.loading'));
    void check(receipt)
      .catch((e: unknown) => {
        result.replaceChildren();
        if (e instanceof ApiError && e.status === 404) fail('status.error.notfound');
        else if (e instanceof KeysetNotTrusted) {
          // Not the receipt's fault: said on its own, as the submit page says it.
          const alert = h('div', { class: 'alert', role: 'alert' });
          showFailure(alert, describeFailure(e));
          result.replaceChildren(alert);
          focusOn(alert);
        } else {
          const failure = describeFailure(e);
          fail(failure.key, failure.vars);
        }
      })
      .finally(() => {
        button.disabled = false;
      });
  });

  async function check(receipt: string) {
    const keys = await deriveReceiptKeys(receipt);
    const keyset = await requireTrustedKeyset();
    const answer = await api.status(toBase64Url(keys.lookupToken));
    const views: SubmitterView[] = [];
    let rejected = 0;
    for (const signed of answer.statements) {
      try {
        views.push(
          await readStatementAsSubmitter(signed, keyset, keys.replyKeyPair, answer.caseId),
        );
      } catch {
        rejected += 1;
      }
    }
    // A verified purge ends the case: it is shown as closed and deleted,
    // whatever status came before it.
    const purged = views.some((v) => v.kind === 'purge');
    const latest = purged
      ? 'closed'
      : ([...views].reverse().find((v) => v.status)?.status ?? 'received');
    // The newest word on check-ins counts: a later "0" ends them.
    const checkin = [...views].reverse().find((v) => v.checkin !== undefined)?.checkin ?? 0;
    // Follow-ups go to the desk the newest reply naming one names.
    const route = caseDesk(keyset, [...views].reverse().find((v) => v.desk !== undefined)?.desk);
    const resultHeading = tr(h('h2'), 'status.result_heading');
    const parts = [
      resultHeading,
      h(
        'p',
        { class: 'status-line' },
        tr(h('span'), 'status.current'),
        ' ',
        tr(h('strong'), `status.value.${latest}`),
      ),
      purged ? tr(h('p', { class: 'status-purged' }), 'status.purged') : null,
      tr(h('p'), 'status.received_on', { date: formatDate(answer.received) }),
      rejected
        ? tr(h('p', { class: 'alert', role: 'alert' }), 'status.unverified', { count: rejected })
        : null,
      tr(h('h3'), 'status.replies_heading'),
      views.length
        ? h('ol', { class: 'statements' }, ...views.map(statementItem))
        : tr(h('p'), 'status.replies_none'),
      purged ? null : route.element,
      purged || checkin === 0 ? null : checkinForm(form, keys, route),
      purged ? null : followupForm(form, keys, route),
    ];
    result.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
    focusOn(resultHeading);
  }

  return section;
}
