// Naming what can no longer be opened: an envelope whose stanzas are for
// none of the reviewer's keys, but one of them is for a key this reviewer
// erased (the folder state keeps their recipient ids, public information).
import { envelopeRecipientIds, toBase64Url } from '../../client-crypto/index.ts';
import type { FolderState } from '../cases/records.ts';

/** The epoch (0: the identity key) of an erased key the envelope is sealed to, or null. */
export function erasedEpochOf(envelope: Uint8Array, state: FolderState): number | null {
  const erased = state.erased ?? [];
  if (erased.length === 0) return null;
  const ids = envelopeRecipientIds(envelope).map(toBase64Url);
  return erased.find((e) => ids.includes(e.recipientId))?.epoch ?? null;
}
