// A reviewer's first step, on the offline computer: a key file that never
// leaves it, and a public card to hand to the organisation. The card carries
// the identity's X-Wing public key (the keyset format names it), but nothing
// is sealed to that key any more: submissions go to epoch keys (`sealbox
// reviewer epochs`), so the key file keeps no identity X-Wing seed at all.
import {
  encodeReviewerSecrets,
  generateReviewerIdentity,
  reviewerCard,
  secretsOfIdentity,
} from '../../client-crypto/index.ts';
import { toJson, writeNewFile } from '../files.ts';
import type { CommandIo } from '../io.ts';
import { keyOptions } from '../io.ts';
import { reviewerFingerprint, writeKeyFile } from '../keys.ts';

/**
 * The name on a reviewer's card is shown beside every reply to whoever holds a
 * receipt, and a receipt may be in the hands of the person's persecutor. By
 * default it is a role, never a person's name.
 */
export const DEFAULT_REVIEWER_NAME = 'Reviewer';

export async function reviewerCreate(
  options: { name?: string | undefined; out: string; card: string; passphraseFile?: string },
  io: CommandIo,
): Promise<{ fingerprint: string }> {
  const name = options.name ?? DEFAULT_REVIEWER_NAME;
  if (options.name !== undefined) {
    io.print(
      `Your replies will be signed "${name}", and submitters see that name beside every reply. Anyone who holds a receipt sees it, possibly the person's persecutor: use a role such as "Reviewer 2", never your own name.`,
    );
  }
  const identity = await generateReviewerIdentity(name);
  const secret = encodeReviewerSecrets({ ...secretsOfIdentity(identity), kemSecretKey: null });
  identity.kemSecretKey.fill(0);
  await writeKeyFile(options.out, 'reviewer', secret, keyOptions(io, options.passphraseFile));
  secret.fill(0);
  await writeNewFile(options.card, toJson(reviewerCard(identity)));
  const fingerprint = await reviewerFingerprint(identity.kemPublicKey, identity.signPublicKey);
  io.print(`Your key file: ${options.out}. Keep it on this computer; never send it to anyone.`);
  io.print(`Your public card: ${options.card}. Give it to the organisation.`);
  io.print(`Your fingerprint: ${fingerprint}`);
  io.print(
    'Read this fingerprint aloud to the organisation when they add your card to the keyset.',
  );
  io.print(
    `Next, make your weekly keys: sealbox reviewer epochs --key ${options.out} --cases FOLDER`,
  );
  return { fingerprint };
}
