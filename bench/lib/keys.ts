// Keysets and documents for benchmarks: real keys, real signatures, a
// realistic reprisal report of about 4 KiB once sealed.
import {
  DOCUMENT_VERSION,
  deriveReceiptKeys,
  generateReceipt,
  generateReviewerIdentity,
  isoDate,
  reviewerCard,
  toBase64Url,
} from '../../client-crypto/index.ts';
import type {
  Keyset,
  ReceiptKeys,
  ReviewerIdentity,
  SealedDocument,
} from '../../client-crypto/index.ts';

/** The keys a submitter's page derives from a fresh receipt. */
export async function submitterKeys(): Promise<ReceiptKeys> {
  return deriveReceiptKeys(await generateReceipt());
}

export async function reviewers(count: number): Promise<ReviewerIdentity[]> {
  const out: ReviewerIdentity[] = [];
  for (let i = 0; i < count; i++) out.push(await generateReviewerIdentity(`Reviewer ${i + 1}`));
  return out;
}

export function keysetFor(identities: ReviewerIdentity[], version = 1): Keyset {
  const now = new Date();
  return {
    version,
    issued: isoDate(now),
    expires: isoDate(new Date(now.getTime() + 365 * 86_400_000)),
    reviewers: identities.map(reviewerCard),
    couriers: [],
  };
}

const ACCOUNT =
  'After I spoke at the session in Geneva, two men waited outside my office every day for ' +
  'a week. My passport was taken at the airport on my return and I was told I would not ' +
  'travel again. My brother was questioned about my work and my accounts were frozen. ';

/** A reprisal report whose sealed envelope is about 4 KiB (one reviewer). */
export function sampleReport(replyPublicKey: Uint8Array, messageBytes = 2_000): SealedDocument {
  return {
    v: DOCUMENT_VERSION,
    kind: 'submission',
    locale: 'en',
    form: 'reprisal-report',
    answers: {
      un_body: 'special_procedures',
      country: 'BY',
      reprisal_kinds: ['travel_ban', 'surveillance', 'acts_against_family'],
      when: 'March 2025',
      who: 'myself and my brother',
      consent_public: 'anonymised',
      publicity_risk: 'yes',
      safe_contact: 'status_page',
    },
    message: ACCOUNT.repeat(Math.ceil(messageBytes / ACCOUNT.length)).slice(0, messageBytes),
    attachments: [],
    replyPublicKey: toBase64Url(replyPublicKey),
  };
}
