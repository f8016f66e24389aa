// The files of a report or a follow-up, sent the same way: each one sealed
// (client-crypto attachment streams) and uploaded in resumable parts
// (upload.ts), with one bar for the whole write (whole-progress.ts). The
// returned manifest, with each file's key and digest, goes into the sealed
// document; the server only ever holds the ciphertext.
import {
  type AttachmentManifestEntry,
  encryptAttachment,
  toBase64Url,
} from '../../client-crypto/index.ts';
import { type Proof, isEffortTooLow } from './api.ts';
import type { BusyNotice } from './busy-notice.ts';
import type { ChosenFile } from './files.ts';
import { sendNewCase } from './new-case.ts';
import { proofOfWork } from './pow.ts';
import type { Progress } from './progress.ts';
import { type Payment, uploadAttachment } from './upload.ts';
import { secondsLeft, wholeProgress } from './whole-progress.ts';

export type WholeBar = ReturnType<typeof showWhole>;

/** Moves the one bar for the whole write, with a time estimate once meaningful. */
export function showWhole(progress: Progress, sizes: number[]) {
  const whole = wholeProgress(sizes);
  const started = performance.now();
  const show = (fraction: number) => {
    progress.fraction(fraction);
    progress.estimate(secondsLeft(performance.now() - started, fraction));
  };
  show(0);
  return {
    preparing: (index: number) => show(whole.preparing(index)),
    sending: (index: number, fraction: number) => show(whole.sending(index, fraction)),
    sealing: () => show(whole.sealing()),
    sendingReport: () => show(whole.sendingReport()),
    done: () => show(whole.done()),
  };
}

/**
 * A follow-up's file: a base-level proof, with the case's lookup token. Should
 * the server still ask for more (the case's unclaimed files already fill one
 * largest file), it is paid once at the level asked.
 */
function followupPayment(): Payment {
  return async <T>(send: (proof: Proof) => Promise<T>) => {
    try {
      return await send(await proofOfWork());
    } catch (error) {
      if (!isEffortTooLow(error)) throw error;
      return send(await proofOfWork(error.minimumLevel));
    }
  };
}

/**
 * Seals and uploads every file in turn; returns the manifest entries, in
 * order. A new case's files cost what the case costs now (`busy` shows the
 * busy state, as for the case itself); a follow-up's carry the case's
 * `lookupToken` (b64url) and go at the base level.
 */
export async function sendAttachments(
  files: ChosenFile[],
  progress: Progress,
  whole: WholeBar,
  payer: { busy: BusyNotice } | { lookupToken: string },
): Promise<AttachmentManifestEntry[]> {
  const pay: Payment =
    'busy' in payer ? (send) => sendNewCase(payer.busy, send) : followupPayment();
  const lookupToken = 'lookupToken' in payer ? payer.lookupToken : undefined;
  const manifest: AttachmentManifestEntry[] = [];
  for (const [i, file] of files.entries()) {
    const vars = { index: i + 1, count: files.length };
    progress.step('progress.pow_file', vars);
    whole.preparing(i);
    const encrypted = await encryptAttachment(file.source(), file.size);
    const uploadId = await uploadAttachment(
      encrypted,
      pay,
      {
        progress(sent, total) {
          progress.step('progress.upload', vars);
          whole.sending(i, sent / total);
        },
        retrying(delayMs) {
          progress.step('progress.retry', { seconds: Math.ceil(delayMs / 1000) });
        },
      },
      lookupToken ? { lookupToken } : {},
    );
    manifest.push({
      uploadId,
      name: file.name,
      type: file.type,
      size: file.size,
      key: toBase64Url(encrypted.key),
      digest: toBase64Url(encrypted.digest()),
      digestAlgorithm: encrypted.digestAlgorithm,
    });
  }
  return manifest;
}
