// Shared builders for the client-crypto suites: real keys, a real signed keyset.
import { type TestEpoch, currentEpochs, epochSealingKeys } from '../epochs.ts';
import {
  type KemKeyPair,
  type Keyset,
  type SealingKeys,
  type SubmissionDocument,
  DOCUMENT_VERSION,
  type SigningKeyPair,
  type ReviewerIdentity,
  courierCard,
  deriveReceiptKeys,
  isSealboxError,
  generateCourierKey,
  generateOrganisationKey,
  generateReceipt,
  generateReviewerIdentity,
  reviewerCard,
  signKeyset,
  toBase64Url,
  verifyKeyset,
} from '../../client-crypto/index.ts';

export interface World {
  org: SigningKeyPair;
  reviewers: ReviewerIdentity[];
  keyset: Keyset;
  receipt: string;
  replyKeyPair: { publicKey: Uint8Array; secretKey: Uint8Array };
  authorKeyPair: SigningKeyPair;
  /** One current epoch key per reviewer. */
  epochs: TestEpoch[];
  /** What a page seals to today. */
  sealing: SealingKeys;
  /** Each reviewer's epoch key pairs, in the order of `reviewers`. */
  rings: KemKeyPair[][];
}

export async function makeWorld(reviewerCount = 2, version = 1): Promise<World> {
  const org = await generateOrganisationKey();
  const reviewers = [];
  for (let i = 0; i < reviewerCount; i++)
    reviewers.push(await generateReviewerIdentity(`Reviewer ${i + 1}`));
  const courier = await generateCourierKey('Courier');
  const signed = await signKeyset(
    {
      version,
      issued: '2026-01-01',
      expires: '2099-12-31',
      reviewers: reviewers.map(reviewerCard),
      couriers: [courierCard(courier)],
    },
    org,
  );
  const keyset = await verifyKeyset(signed, { publicKey: org.publicKey });
  const receipt = await generateReceipt();
  const { replyKeyPair, authorKeyPair } = await deriveReceiptKeys(receipt);
  const epochs = await currentEpochs(reviewers);
  const sealing = await epochSealingKeys(keyset, epochs);
  const rings = reviewers.map((_, i) => [epochs[i]!.keyPair]);
  return { org, reviewers, keyset, receipt, replyKeyPair, authorKeyPair, epochs, sealing, rings };
}

export function documentFor(
  world: World,
  message = 'They took my passport at the airport.',
): SubmissionDocument {
  return {
    v: DOCUMENT_VERSION,
    kind: 'submission',
    locale: 'en',
    form: 'reprisal-report-v1',
    answers: { country: 'XX', reprisal_kinds: ['travel_ban', 'threats'] },
    message,
    attachments: [],
    replyPublicKey: toBase64Url(world.replyKeyPair.publicKey),
  };
}

/** Every single-byte change of `bytes`, one position at a time. */
export function* flips(bytes: Uint8Array, step = 1): Generator<[number, Uint8Array]> {
  for (let i = 0; i < bytes.length; i += step) {
    const copy = bytes.slice();
    copy[i] = copy[i]! ^ 0x01;
    yield [i, copy];
  }
}

export async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const p of source) {
    parts.push(p.slice());
    n += p.length;
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** tap's deep compare is slow on large typed arrays; this is not. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The error code a promise rejects with, or undefined when it resolves. */
/**
 * The SealboxError code a verification fails with, or undefined when it
 * succeeds. Any other exception (a TypeError from unchecked input) is a crash,
 * not a refusal: it propagates and fails the test.
 */
export async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    if (isSealboxError(e)) return e.code;
    throw e;
  }
}
