// Maps any failure during sealing or sending to a message key. Crypto failures
// are final (fail closed); network and server failures can be tried again with
// everything the person wrote still on the page. A keyset that cannot be trusted
// says so in the submit page's own words, never as a network error.
import { isSealboxError } from '../../client-crypto/index.ts';
import { ApiError, isEpochNotCurrent } from './api.ts';
import { h } from './dom.ts';
import { type Vars, tr } from './i18n.ts';
import { refusalHeadline } from './page-check.ts';
import { DesksChanged, KeysetNotTrusted } from './trust.ts';

export interface Failure {
  key: string;
  vars?: Vars;
  /** A second message key: why, under the headline `key`. */
  detail?: string;
  final: boolean;
}

export function describeFailure(error: unknown): Failure {
  if (error instanceof KeysetNotTrusted)
    return { key: refusalHeadline(error.reason), detail: error.reason, final: !error.retry };
  if (error instanceof DesksChanged) return { key: 'desk.changed', final: false };
  if (isSealboxError(error))
    return { key: 'error.crypto', vars: { code: error.code }, final: true };
  if (error instanceof ApiError) {
    if (error.status === 0) return { key: 'error.network', final: false };
    if (error.status === 413) return { key: 'error.too_large', final: false };
    if (error.status === 503 || error.status === 429) return { key: 'error.busy', final: false };
    // Refused even after sealing again to freshly fetched epoch keys (send-sealed.ts).
    if (isEpochNotCurrent(error)) return { key: 'error.epoch', final: false };
    return { key: 'error.server', vars: { code: error.code }, final: false };
  }
  return { key: 'error.unexpected', final: false };
}

/**
 * A failed report says what was lost and what was kept: a lost connection means
 * the report never reached anyone, and the answers and files are still in the form.
 */
export function describeSubmitFailure(error: unknown): Failure {
  const failure = describeFailure(error);
  return failure.key === 'error.network' ? { ...failure, key: 'error.network_unsent' } : failure;
}

/** The same for a follow-up: the message and files are still in its form. */
export function describeFollowupFailure(error: unknown): Failure {
  const failure = describeFailure(error);
  return failure.key === 'error.network' ? { ...failure, key: 'followup.network_unsent' } : failure;
}

/** Writes a failure into an alert element and shows it. */
export function showFailure(alert: HTMLElement, failure: Failure): void {
  if (failure.detail) {
    // The element may have held a single message (set with tr): forget it, or a
    // language change would write it back over these two.
    delete alert.dataset.i18n;
    delete alert.dataset.i18nVars;
    alert.replaceChildren(
      tr(h('p', { class: 'strong' }), failure.key, failure.vars),
      tr(h('p'), failure.detail),
    );
  } else {
    tr(alert, failure.key, failure.vars);
  }
  alert.hidden = false;
}
