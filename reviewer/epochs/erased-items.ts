// Naming what can no longer be opened: an envelope whose stanzas are for
// none of the reviewer's keys, but one of them is for a key this reviewer
// erased (the folder state keeps their recipient ids, public information).
import {
  DESK_ENVELOPE_VERSION,
  envelopeRecipientIds,
  parseEnvelopeHeader,
  toBase64Url,
} from '../../client-crypto/index.ts';
import type { FolderState } from '../cases/records.ts';

/** The epoch (0: the identity key) of an erased key the envelope is sealed to, or null. */
export function erasedEpochOf(envelope: Uint8Array, state: FolderState): number | null {
  const erased = state.erased ?? [];
  if (erased.length === 0) return null;
  const ids = envelopeRecipientIds(envelope).map(toBase64Url);
  return erased.find((e) => ids.includes(e.recipientId))?.epoch ?? null;
}

/**
 * Why an envelope did not open with the reviewer's keys: sealed to a key it
 * erased; a desk envelope for a desk it is not in (its stanza was a decoy,
 * an ordinary outcome); or not for this key at all.
 */
export function whyNotOpened(
  envelope: Uint8Array,
  state: FolderState,
): { erased: number } | 'other desk' | 'not for this key' {
  const erased = erasedEpochOf(envelope, state);
  if (erased !== null) return { erased };
  return parseEnvelopeHeader(envelope).version === DESK_ENVELOPE_VERSION
    ? 'other desk'
    : 'not for this key';
}
