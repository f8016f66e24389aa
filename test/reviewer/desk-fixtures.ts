// A keyset with two desks, made with real keys: Ana alone in "treaty-bodies",
// Ben alone in "special-procedures"; their epoch keys through the real
// command; and desk envelopes sealed as the page seals them.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Keyset,
  type ReplyDocument,
  type ReviewerCard,
  type SealedDocument,
  type SealingKeys,
  type SignedEpochKey,
  DOCUMENT_VERSION,
  deriveReceiptKeys,
  fromBase64Url,
  generateReceipt,
  openReply,
  reviewerFingerprint,
  sealDocumentToDesk,
  sealingKeys,
  signKeyset,
  toBase64Url,
  verifyKeyset,
  verifyStatement,
} from '../../client-crypto/index.ts';
import { organisationCreate } from '../../reviewer/commands/organisation.ts';
import { reviewerCreate } from '../../reviewer/commands/reviewer-identity.ts';
import { loadSigningKey } from '../../reviewer/keys.ts';
import { readOutbox } from '../../reviewer/outbox.ts';
import {
  type ItemSpec,
  type Submitter,
  TEST_ENV,
  epochKeysIn,
  makeEpochKeys,
  testIo,
} from './fixtures.ts';

export const DESK_A = 'treaty-bodies';
export const DESK_B = 'special-procedures';

export interface DeskSetup {
  dir: string;
  io: ReturnType<typeof testIo>;
  orgFingerprint: string;
  anaKey: string;
  benKey: string;
  keysetFile: string;
  keyset: Keyset;
  /** Both reviewers' signed epoch keys, as GET /v1/epochs serves them. */
  epochsFile: string;
  epochs: SignedEpochKey[];
  sealing: SealingKeys;
  submitter: Submitter & { receipt: string };
}

export async function makeDeskSetup(dir: string): Promise<DeskSetup> {
  const io = testIo();
  const p = (name: string): string => join(dir, name);
  await reviewerCreate({ name: 'Ana', out: p('ana.key'), card: p('ana.card.json') }, io);
  await reviewerCreate({ name: 'Ben', out: p('ben.key'), card: p('ben.card.json') }, io);
  const org = await organisationCreate({ out: p('org.key') }, io);
  const cards = await Promise.all(
    ['ana', 'ben'].map(
      async (w) => JSON.parse(await readFile(p(`${w}.card.json`), 'utf8')) as ReviewerCard,
    ),
  );
  const [a, b] = await Promise.all(cards.map((c) => reviewerFingerprint(c)));
  const orgKey = await loadSigningKey(p('org.key'), 'organisation', { env: TEST_ENV });
  const signed = await signKeyset(
    {
      version: 1,
      issued: '2026-01-01',
      expires: '2099-12-31',
      reviewers: cards,
      couriers: [],
      desks: [
        { id: DESK_A, names: { en: 'Treaty bodies', fr: 'Organes de traités' }, reviewers: [a!] },
        {
          id: DESK_B,
          names: { en: 'Special procedures', fr: 'Procédures spéciales' },
          reviewers: [b!],
        },
      ],
    },
    orgKey,
  );
  const keysetFile = p('keyset-v1.json');
  await writeFile(keysetFile, JSON.stringify(signed));
  const keyset = await verifyKeyset(signed, { fingerprint: org.fingerprint });
  const epochs: SignedEpochKey[] = [];
  for (const who of ['ana', 'ben']) {
    const outbox = p(`${who}-outbox.jsonl`);
    await makeEpochKeys({ key: p(`${who}.key`), cases: p(`${who}-cases`), outbox }, io);
    epochs.push(...(await epochKeysIn(outbox)));
  }
  const epochsFile = p('epochs.json');
  await writeFile(epochsFile, JSON.stringify({ epochs }));
  const receipt = await generateReceipt();
  const keys = await deriveReceiptKeys(receipt);
  return {
    dir,
    io,
    orgFingerprint: org.fingerprint,
    anaKey: p('ana.key'),
    benKey: p('ben.key'),
    keysetFile,
    keyset,
    epochsFile,
    epochs,
    sealing: await sealingKeys(keyset, epochs),
    submitter: { receipt, replyKeyPair: keys.replyKeyPair, authorKeyPair: keys.authorKeyPair },
  };
}

/** A submission or follow-up sealed to `desk` as the page seals it, with no files. */
export async function deskItem(
  s: DeskSetup,
  spec: Omit<ItemSpec, 'envelope'> & { desk: string },
  submitter: Submitter = s.submitter,
): Promise<ItemSpec> {
  const common = {
    v: DOCUMENT_VERSION,
    locale: 'en',
    form: 'reprisal-report',
    answers: spec.answers ?? {},
    message: spec.message ?? `Message of ${spec.id}`,
    desk: spec.desk,
  } as const;
  const document: SealedDocument =
    spec.kind === 'submission'
      ? {
          ...common,
          attachments: [],
          kind: 'submission',
          replyPublicKey: toBase64Url(submitter.replyKeyPair.publicKey),
        }
      : { ...common, attachments: [], kind: 'followup' };
  const envelope = await sealDocumentToDesk(document, s.sealing, s.keyset, submitter.authorKeyPair);
  return { ...spec, envelope };
}

/** The reply documents of an outbox, as the person's page opens them. */
export async function replyDocuments(outbox: string, s: DeskSetup): Promise<ReplyDocument[]> {
  const out: ReplyDocument[] = [];
  for (const line of await readOutbox(outbox)) {
    const statement = await verifyStatement(line, s.keyset);
    const reply = await openReply(fromBase64Url(statement.sealed), s.submitter.replyKeyPair);
    if (reply) out.push(reply);
  }
  return out;
}

/** The code of the error `p` rejects with (a CliError or a SealboxError), or undefined. */
export async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}
