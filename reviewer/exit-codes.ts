// The one place where an error becomes an exit code and a sentence for the
// person at the keyboard. Scripts narrow on the exit code; people read the text.
// Codes are stable: docs/reviewer-guide.md lists them.
import { isSealboxError } from '../client-crypto/errors.ts';
import type { SealboxErrorCode } from '../client-crypto/errors.ts';
import { CourierError } from './courier/errors.ts';
import { isCliError } from './errors.ts';
import type { CliErrorCode } from './errors.ts';

export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  wrongPassphrase: 3,
  wrongKey: 4,
  otherKeyset: 5,
  tampered: 6,
  truncated: 7,
  signerNotInKeyset: 8,
  keysetInvalid: 9,
  inputInvalid: 10,
  serverUnreachable: 11,
  serverRefused: 12,
  courierRejected: 13,
  epochErased: 14,
  pageDiffers: 15,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

interface Outcome {
  exit: ExitCode;
  advice: string;
}

const byCode: Record<SealboxErrorCode | CliErrorCode, Outcome> = {
  USAGE: { exit: EXIT.usage, advice: 'Run "sealbox help" to see how the commands are written.' },
  PASSPHRASE_MISSING: {
    exit: EXIT.usage,
    advice: 'Run the command in a terminal so that it can ask for the passphrase.',
  },
  PASSPHRASE_WEAK: { exit: EXIT.usage, advice: 'Choose a longer passphrase.' },
  KEYFILE_PASSPHRASE: {
    exit: EXIT.wrongPassphrase,
    advice: 'The passphrase is wrong for this key file. Nothing was changed. Try again.',
  },
  NOTHING_FOR_THIS_KEY: {
    exit: EXIT.wrongKey,
    advice:
      'Nothing in this bundle was sealed to your key. Check that you chose your own key file, and ask the organisation whether your key is in the current keyset.',
  },
  EPOCH_ERASED: {
    exit: EXIT.epochErased,
    advice:
      'These items are sealed to one of your weekly keys that was erased, as planned, once its time was over: your key file cannot open them any more, and no one who takes it can. Everything else was opened. If they were never opened before, ask the organisation: another reviewer may still open them.',
  },
  BUNDLE_OTHER_KEYSET: {
    exit: EXIT.otherKeyset,
    advice:
      'This bundle belongs to another organisation or another keyset than this case folder. Nothing was opened.',
  },
  KEYSET_ROOT_MISMATCH: {
    exit: EXIT.otherKeyset,
    advice:
      'The keyset is signed by another organisation key than the one this case folder trusts. Nothing was opened.',
  },
  BUNDLE_TAMPERED: {
    exit: EXIT.tampered,
    advice:
      'Part of the bundle was changed after it was sealed. Damaged items were skipped and nothing of them was written. Fetch a fresh bundle.',
  },
  ITEMS_SET_ASIDE: {
    exit: EXIT.tampered,
    advice:
      'Some items were kept apart from their case: a second submission for a case, or other content under an id already opened. Both are kept; the case pages show them with a warning. Tell the organisation: the server or the courier may be trying to take over a case.',
  },
  ENVELOPE_TAMPERED: {
    exit: EXIT.tampered,
    advice: 'An item was changed after it was sealed and was skipped. Fetch a fresh bundle.',
  },
  STREAM_TAMPERED: {
    exit: EXIT.tampered,
    advice: 'An attachment was changed after it was sealed and was skipped. Fetch a fresh bundle.',
  },
  DOCUMENT_SIGNATURE_INVALID: {
    exit: EXIT.tampered,
    advice:
      "An item's author signature does not verify: it was not written by the person it claims to come from. It was skipped. Tell the organisation: the server or the courier may be under attack.",
  },
  DOCUMENT_NOT_BY_AUTHOR: {
    exit: EXIT.tampered,
    advice:
      'A follow-up was not written by the person who opened its case. It was not added to the case. Tell the organisation: the server or the courier may be under attack.',
  },
  DIGEST_MISMATCH: {
    exit: EXIT.tampered,
    advice: 'An attachment does not match its seal and was skipped. Fetch a fresh bundle.',
  },
  STATEMENT_SIGNATURE_INVALID: {
    exit: EXIT.tampered,
    advice: 'A signed statement was changed after it was signed. Write the outbox again.',
  },
  BUNDLE_TRUNCATED: {
    exit: EXIT.truncated,
    advice:
      'The bundle file is incomplete (the copy may have been interrupted). Everything complete in it was opened; copy the bundle again and re-open it.',
  },
  STREAM_TRUNCATED: {
    exit: EXIT.truncated,
    advice: 'An attachment is incomplete and was skipped. Copy the bundle again and re-open it.',
  },
  STATEMENT_SIGNER_UNKNOWN: {
    exit: EXIT.signerNotInKeyset,
    advice:
      'A statement is signed by a key that is not in the keyset. The server will refuse it. Use your own key, and ask the organisation whether your key is in the current keyset.',
  },
  PAGE_SIGNATURE_INVALID: {
    exit: EXIT.tampered,
    advice:
      'The page signature does not verify against the organisation key: the page or its signature was changed after the organisation signed it. Do not use this page.',
  },
  PAGE_CHANGED: {
    exit: EXIT.tampered,
    advice:
      'The page differs from what its manifest or the organisation signature covers (each difference is listed above). Do not sign it and do not use it: build it again, or get it again from the organisation.',
  },
  PAGE_OTHER_ORGANISATION: {
    exit: EXIT.otherKeyset,
    advice:
      'The page is signed by, or pinned to, another organisation than the one named. Compare the fingerprint with the one the organisation published; do not use this page.',
  },
  PAGE_NOT_PINNED: {
    exit: EXIT.inputInvalid,
    advice:
      'Build the page pinned to this organisation (npm run build:web -- --org-fingerprint FINGERPRINT), then sign that build.',
  },
  KEYSET_SIGNATURE_INVALID: {
    exit: EXIT.keysetInvalid,
    advice: 'The keyset signature does not verify. Do not use this keyset.',
  },
  KEYSET_EXPIRED: {
    exit: EXIT.keysetInvalid,
    advice: 'The keyset has expired. Ask the organisation for a new one.',
  },
  KEYSET_NOT_YET_VALID: {
    exit: EXIT.keysetInvalid,
    advice: 'The keyset is not valid yet. Check the date of this computer.',
  },
  EPOCH_SIGNATURE_INVALID: {
    exit: EXIT.keysetInvalid,
    advice: 'An epoch key is not signed by the reviewer it names. Do not use it.',
  },
  EPOCH_REVIEWER_UNKNOWN: {
    exit: EXIT.keysetInvalid,
    advice: 'An epoch key belongs to a reviewer who is not in the keyset.',
  },
  EPOCH_EXPIRED: {
    exit: EXIT.keysetInvalid,
    advice: 'The epoch keys have ended. Make new ones with: sealbox reviewer epochs.',
  },
  EPOCH_NOT_YET_VALID: {
    exit: EXIT.keysetInvalid,
    advice: 'The epoch keys start later. Check the date of this computer.',
  },
  EPOCH_MISSING: {
    exit: EXIT.keysetInvalid,
    advice: 'A reviewer has no epoch key. Make them with: sealbox reviewer epochs.',
  },
  KEYSET_VERSION_NOT_NEWER: {
    exit: EXIT.keysetInvalid,
    advice: 'This keyset is older than one already in use. Ask the organisation for the newest.',
  },
  FILE_MISSING: { exit: EXIT.inputInvalid, advice: 'Check the file name and try again.' },
  FILE_INVALID: { exit: EXIT.inputInvalid, advice: 'Check that you chose the right file.' },
  FILE_EXISTS: {
    exit: EXIT.inputInvalid,
    advice: 'Nothing was overwritten. Choose another file name or move the old file away.',
  },
  CASES_FOLDER_INVALID: {
    exit: EXIT.inputInvalid,
    advice: 'Check that you chose the case folder that "sealbox review open" created.',
  },
  ORGANISATION_NOT_PINNED: {
    exit: EXIT.inputInvalid,
    advice:
      'The first time you open a bundle into a new case folder, give the organisation fingerprint with --organisation (compare it with the one the organisation read to you).',
  },
  CASE_UNKNOWN: {
    exit: EXIT.inputInvalid,
    advice: 'Check the case number in cases.csv or index.html.',
  },
  KEYFILE_UNSUPPORTED: { exit: EXIT.inputInvalid, advice: 'This is not a Sealbox key file.' },
  KEY_INVALID: { exit: EXIT.inputInvalid, advice: 'A key in this file is not valid.' },
  FORMAT_INVALID: { exit: EXIT.inputInvalid, advice: 'The file is not in the expected format.' },
  ENCODING_INVALID: { exit: EXIT.inputInvalid, advice: 'The file is not in the expected format.' },
  VERSION_UNSUPPORTED: {
    exit: EXIT.inputInvalid,
    advice: 'This file was made by a newer Sealbox. Use the newest sealbox tool.',
  },
  RECEIPT_FORMAT: { exit: EXIT.inputInvalid, advice: 'Check the receipt code.' },
  RECEIPT_CHECKSUM: { exit: EXIT.inputInvalid, advice: 'Check the receipt code for a typo.' },
  DESK_UNKNOWN: {
    exit: EXIT.inputInvalid,
    advice: 'Check the desk id: "sealbox review handover" lists the desks of the keyset.',
  },
  HANDOVER_REFUSED: {
    exit: EXIT.inputInvalid,
    advice: 'Nothing was written. The message above says what is missing.',
  },
  HANDOVER_TAMPERED: {
    exit: EXIT.tampered,
    advice:
      'Nothing of it was adopted. Ask the reviewer who handed the case over to make the file again, and carry it yourself.',
  },
  STATEMENT_NOT_FOR_CASE: {
    exit: EXIT.inputInvalid,
    advice: 'A statement names another case than expected.',
  },
};

// The courier's network failures (reviewer/courier/http.ts). Matched by name so
// that the offline commands never load the courier's code.
const courierCodes: Record<CourierError['code'], Outcome> = {
  SERVER_UNREACHABLE: {
    exit: EXIT.serverUnreachable,
    advice: "Check the server address and this computer's connection, then run the command again.",
  },
  SERVER_REFUSED: {
    exit: EXIT.serverRefused,
    advice: 'The server refused the request. Nothing was lost; the message above says why.',
  },
  COURIER_REJECTED: {
    exit: EXIT.courierRejected,
    advice:
      'The server does not accept this courier key. Ask the organisation whether it is in the current keyset.',
  },
  PAGE_DIFFERS: {
    exit: EXIT.pageDiffers,
    advice:
      'Someone may be getting a changed page. Keep this report, tell the organisation at once, and see "When the watcher fires" in docs/operations.md.',
  },
};

export function outcomeOf(error: unknown): Outcome & { message: string } {
  if (isCliError(error) || isSealboxError(error)) {
    const known = byCode[error.code] as Outcome | undefined;
    if (known) return { ...known, message: error.message };
  }
  if (error instanceof CourierError) {
    const known = courierCodes[error.code];
    if (known) return { ...known, message: error.message };
  }
  return {
    exit: EXIT.unexpected,
    advice: 'This is a fault in sealbox itself. Nothing was overwritten. Please report it.',
    message: error instanceof Error ? error.message : String(error),
  };
}

export function exitCodeOf(error: unknown): ExitCode {
  return outcomeOf(error).exit;
}

export function describeError(error: unknown): string {
  const { message, advice } = outcomeOf(error);
  return `sealbox: ${message}\n${advice}`;
}
