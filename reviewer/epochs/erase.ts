// Erasing due secrets: the folder state first records which keys are erased
// (public information: their recipient ids, so that items sealed to them are
// reported as such), then the key file is written again without their seeds
// (reviewer/keys.ts, rewriteReviewerKey). A crash in between leaves the seed
// in the key file, and the next run erases it again.
import { type ReviewerSecrets, toBase64Url } from '../../client-crypto/index.ts';
import { recipientId } from '../../client-crypto/envelope.ts';
import type { CaseFolder } from '../cases/case-folder.ts';
import type { ErasedKey } from '../cases/records.ts';
import type { RewriteStep } from '../key-rewrite.ts';
import { type ReviewerKey, rewriteReviewerKey } from '../keys.ts';
import { type ErasureStanding, erasureStandings } from './erasure.ts';

export interface ErasurePlan {
  /** The secrets to keep: those held, less the due ones, plus any added. */
  secrets: ReviewerSecrets;
  erased: ErasedKey[];
  standings: ErasureStanding[];
}

export async function planErasure(
  secrets: ReviewerSecrets,
  folder: CaseFolder,
  today: string,
  grace: number,
): Promise<ErasurePlan> {
  const standings = erasureStandings(secrets, folder.state, today, grace);
  const due = new Set(standings.filter((s) => s.due).map((s) => s.epoch));
  const erased: ErasedKey[] = [];
  for (const e of secrets.epochs.filter((e) => due.has(e.epoch))) {
    const id = toBase64Url(await recipientId(e.keyPair.publicKey));
    erased.push({ epoch: e.epoch, recipientId: id, erasedOn: today });
  }
  const identityDue = due.has(0) && secrets.kemSecretKey !== null;
  if (identityDue) {
    const id = toBase64Url(await recipientId(secrets.kemPublicKey));
    erased.unshift({ epoch: 0, recipientId: id, erasedOn: today });
  }
  return {
    secrets: {
      ...secrets,
      kemSecretKey: identityDue ? null : secrets.kemSecretKey,
      epochs: secrets.epochs.filter((e) => !due.has(e.epoch)),
    },
    erased,
    standings,
  };
}

/** Records the erased keys in the folder, then writes the key file with `next`. */
export async function commitKeyChange(
  key: ReviewerKey,
  folder: CaseFolder,
  next: ReviewerSecrets,
  erased: readonly ErasedKey[],
  onStep?: (step: RewriteStep) => void,
): Promise<void> {
  if (erased.length > 0) {
    const known = new Set((folder.state.erased ?? []).map((e) => e.recipientId));
    folder.state.erased = [
      ...(folder.state.erased ?? []),
      ...erased.filter((e) => !known.has(e.recipientId)),
    ];
    await folder.saveState();
  }
  const before = key.secrets;
  await rewriteReviewerKey(key, next, onStep);
  // The seeds no longer in the file go from memory too.
  const kept = new Set(next.epochs.map((e) => e.keyPair.secretKey));
  for (const e of before.epochs) if (!kept.has(e.keyPair.secretKey)) e.keyPair.secretKey.fill(0);
  if (before.kemSecretKey && next.kemSecretKey !== before.kemSecretKey) before.kemSecretKey.fill(0);
}
