// The last steps of every write a submitter makes, a report or a follow-up:
// trusted keyset and epoch keys → seal the document → proof of work → send. Nothing is sealed
// to a keyset that did not verify against the pinned root, and every document is
// signed with the receipt's author key, so that reviewers know it comes from
// this receipt's holder. A keyset with desks has every document sealed to the
// desk it names, never to every reviewer (docs/protocol.md, "Desks").
import {
  type Keyset,
  type ReceiptKeys,
  type SealedDocument,
  type SealingKeys,
  sealDocument,
  sealDocumentToDesk,
  toBase64Url,
} from '../../client-crypto/index.ts';
import { type Proof, api, isEpochNotCurrent } from './api.ts';
import type { BusyNotice } from './busy-notice.ts';
import { sendNewCase } from './new-case.ts';
import { proofOfWork } from './pow.ts';
import type { Progress } from './progress.ts';
import { DesksChanged, requireSealing } from './trust.ts';

/** The keys to seal `desk` (undefined: no desk) to now, or DesksChanged. */
export async function sealingFor(
  desk: string | undefined,
): Promise<{ keyset: Keyset; keys: SealingKeys }> {
  const sealing = await requireSealing();
  const desks = sealing.keyset.desks ?? [];
  const fits = desk === undefined ? desks.length === 0 : desks.some((d) => d.id === desk);
  if (!fits) throw new DesksChanged();
  return sealing;
}

/**
 * Seals `document` and sends it as a submission or a follow-up; the files are
 * already uploaded. An epoch may end between fetching its keys and sending
 * (the server refuses with EPOCH_NOT_CURRENT): the epoch keys are fetched
 * again, the document sealed again, and sent once more, with a fresh proof of
 * work (the first one is spent). The uploads stay as they are: their keys
 * travel inside the document. A second refusal is the caller's to show.
 */
export async function sendSealed(
  document: SealedDocument,
  keys: ReceiptKeys,
  progress: Progress,
  /** Moves a whole-submission bar on (see whole-progress.ts); without it the bar runs indeterminate. */
  stages?: { sealing(): void; sending(): void },
  /** Where a new case says that the service is busy (busy-notice.ts). */
  busy?: BusyNotice,
): Promise<{ received: string }> {
  const attempt = async (step: 'progress.seal' | 'progress.reseal') => {
    const { keyset, keys: sealing } = await sealingFor(document.desk);
    progress.step(step);
    if (stages) stages.sealing();
    else progress.fraction(undefined);
    const envelope =
      document.desk === undefined
        ? await sealDocument(document, sealing, keys.authorKeyPair)
        : await sealDocumentToDesk(document, sealing, keyset, keys.authorKeyPair);
    progress.step('progress.pow');
    const write = (challenge: Proof) => {
      progress.step('progress.send');
      stages?.sending();
      return {
        challenge,
        lookupToken: toBase64Url(keys.lookupToken),
        envelope: toBase64Url(envelope),
        uploads: document.attachments.map((a) => a.uploadId),
      };
    };
    // A new case pays the effort the service asks for now; a follow-up, from
    // a case already open, level 0 whatever the load.
    if (document.kind === 'submission' && busy) {
      return sendNewCase(busy, (proof) => api.submit(write(proof)));
    }
    const proof = await proofOfWork();
    return document.kind === 'submission' ? api.submit(write(proof)) : api.followup(write(proof));
  };
  try {
    return await attempt('progress.seal');
  } catch (error) {
    if (!isEpochNotCurrent(error)) throw error;
    return attempt('progress.reseal');
  }
}
