// Maps any failure during sealing or sending to a message key. Crypto failures
// are final (fail closed); network and server failures can be tried again with
// everything the person wrote still on the page.
import { isSealboxError } from '../../client-crypto/index.ts';
import { ApiError } from './api.ts';
import type { Vars } from './i18n.ts';

export interface Failure {
  key: string;
  vars?: Vars;
  final: boolean;
}

export function describeFailure(error: unknown): Failure {
  if (isSealboxError(error))
    return { key: 'error.crypto', vars: { code: error.code }, final: true };
  if (error instanceof ApiError) {
    if (error.status === 0) return { key: 'error.network', final: false };
    if (error.status === 413) return { key: 'error.too_large', final: false };
    if (error.status === 503 || error.status === 429) return { key: 'error.busy', final: false };
    return { key: 'error.server', vars: { code: error.code }, final: false };
  }
  return { key: 'error.unexpected', final: false };
}
