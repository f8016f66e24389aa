// Real keys made through the real commands (reviewer epoch keys by `sealbox
// reviewer epochs`, read back from its outbox), and real bundles made with
// client-crypto's sealing and bundle encoder: what a courier would carry.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  type AttachmentManifestEntry,
  type DigestAlgorithm,
  type Keyset,
  type SealedDocument,
  type SealingKeys,
  type SignedEpochKey,
  EPOCH_KEY_FORMAT,
  DOCUMENT_VERSION,
  type ReceiptKeys,
  courierCard,
  deriveReceiptKeys,
  encryptAttachment,
  generateCourierKey,
  generateReceipt,
  getSodium,
  sealDocument,
  sealingKeys,
  toBase64Url,
  verifyKeyset,
  BundleEncoder,
} from '../../client-crypto/index.ts';
import {
  organisationCreate,
  organisationSignKeyset,
} from '../../reviewer/commands/organisation.ts';
import { reviewerEpochs } from '../../reviewer/commands/reviewer-epochs.ts';
import { reviewerCreate } from '../../reviewer/commands/reviewer-identity.ts';
import type { CommandIo } from '../../reviewer/io.ts';
import { readOutbox } from '../../reviewer/outbox.ts';

export const PASSPHRASE = 'correct horse battery staple';
// Low Argon2id cost for tests only (reviewer/keys.ts); the default stays strong.
export const TEST_ENV = { SEALBOX_PASSPHRASE: PASSPHRASE, SEALBOX_KEYFILE_COST: 'test' };

export interface TestIo extends CommandIo {
  lines: string[];
  errors: string[];
}

export function testIo(env: NodeJS.ProcessEnv = TEST_ENV): TestIo {
  const lines: string[] = [];
  const errors: string[] = [];
  const stderr = new PassThrough();
  stderr.on('data', (chunk: Buffer) => errors.push(chunk.toString('utf8')));
  return {
    lines,
    errors,
    print: (line) => lines.push(line),
    stderr,
    env,
    stdin: new PassThrough() as unknown as NodeJS.ReadStream,
  };
}

export async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-review-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface Setup {
  dir: string;
  io: TestIo;
  orgKey: string;
  orgFingerprint: string;
  anaKey: string;
  benKey: string;
  keysetFile: string;
  keyset: Keyset;
  /** Ana's and Ben's epoch keys, as `sealbox reviewer epochs` published them. */
  epochs: SignedEpochKey[];
  /** What a page seals to today: the current epoch key of Ana and of Ben. */
  sealing: SealingKeys;
  receipt: string;
  replyKeyPair: { publicKey: Uint8Array; secretKey: Uint8Array };
  authorKeyPair: { publicKey: Uint8Array; secretKey: Uint8Array };
}

/** The receipt-derived keys a bundle's items are sealed and signed with. */
export type Submitter = Pick<ReceiptKeys, 'replyKeyPair' | 'authorKeyPair'>;

export async function makeSetup(dir: string, version = 1): Promise<Setup> {
  const io = testIo();
  const p = (name: string): string => join(dir, name);
  await reviewerCreate({ name: 'Ana', out: p('ana.key'), card: p('ana.card.json') }, io);
  await reviewerCreate({ name: 'Ben', out: p('ben.key'), card: p('ben.card.json') }, io);
  const org = await organisationCreate({ out: p('org.key') }, io);
  await writeFile(
    p('courier.card.json'),
    JSON.stringify(courierCard(await generateCourierKey('Courier'))),
  );
  const keysetFile = p(`keyset-v${version}.json`);
  await organisationSignKeyset(
    {
      key: p('org.key'),
      reviewers: [p('ana.card.json'), p('ben.card.json')],
      couriers: [p('courier.card.json')],
      version,
      expires: '2099-12-31',
      out: keysetFile,
    },
    io,
  );
  const keyset = await verifyKeyset(JSON.parse(await readFile(keysetFile, 'utf8')), {
    fingerprint: org.fingerprint,
  });
  const epochs: SignedEpochKey[] = [];
  for (const who of ['ana', 'ben']) {
    const outbox = p(`${who}-outbox.jsonl`);
    await makeEpochKeys({ key: p(`${who}.key`), cases: p(`${who}-cases`), outbox }, io);
    epochs.push(...(await epochKeysIn(outbox)));
  }
  const receipt = await generateReceipt();
  const { replyKeyPair, authorKeyPair } = await deriveReceiptKeys(receipt);
  return {
    dir,
    io,
    orgKey: p('org.key'),
    orgFingerprint: org.fingerprint,
    anaKey: p('ana.key'),
    benKey: p('ben.key'),
    keysetFile,
    keyset,
    epochs,
    sealing: await sealingKeys(keyset, epochs),
    receipt,
    replyKeyPair,
    authorKeyPair,
  };
}

/** Runs `sealbox reviewer epochs` for a reviewer, as on the offline laptop. */
export function makeEpochKeys(
  options: Parameters<typeof reviewerEpochs>[0],
  io: CommandIo = testIo(),
): ReturnType<typeof reviewerEpochs> {
  return reviewerEpochs(options, io);
}

/** The signed epoch keys among the lines of an outbox. */
export async function epochKeysIn(outbox: string): Promise<SignedEpochKey[]> {
  return (await readOutbox(outbox)).filter(
    (line): line is SignedEpochKey =>
      (line as { format?: unknown } | null)?.format === EPOCH_KEY_FORMAT,
  );
}

export interface FileSpec {
  name: string;
  type?: string;
  bytes: Uint8Array;
  /** Seal a different ciphertext than the manifest promises (to test verification). */
  corrupt?: boolean;
  /**
   * 'blake2b-256': sealed as pages did before sha256-segments, whose manifest
   * entries name no digest algorithm.
   */
  digestAlgorithm?: DigestAlgorithm;
}

export interface ItemSpec {
  kind: 'submission' | 'followup';
  id: string;
  caseId?: string;
  seq: number;
  received?: string;
  answers?: Record<string, string | string[]>;
  message?: string;
  files?: FileSpec[];
  /** Envelope bytes to use instead of a sealed document (e.g. sealed for another keyset). */
  envelope?: Uint8Array;
  /** A submission's effort level, as a server that keeps it exports it. */
  effort?: number;
}

export async function sealItem(
  spec: ItemSpec,
  sealing: SealingKeys,
  submitter: Submitter,
): Promise<{ envelope: Uint8Array; ciphertexts: { id: string; bytes: Uint8Array }[] }> {
  const manifest: AttachmentManifestEntry[] = [];
  const ciphertexts: { id: string; bytes: Uint8Array }[] = [];
  for (const [i, file] of (spec.files ?? []).entries()) {
    const encrypted = await encryptAttachment(
      [file.bytes],
      file.bytes.length,
      file.digestAlgorithm ? { digestAlgorithm: file.digestAlgorithm } : {},
    );
    const parts: Uint8Array[] = [];
    for await (const chunk of encrypted.chunks) parts.push(chunk.slice());
    const bytes = Buffer.concat(parts);
    if (file.corrupt) bytes[bytes.length - 5]! ^= 1;
    const id = `${spec.id}-u${i}`;
    ciphertexts.push({ id, bytes: new Uint8Array(bytes) });
    manifest.push({
      uploadId: id,
      name: file.name,
      type: file.type ?? 'application/octet-stream',
      size: file.bytes.length,
      key: toBase64Url(encrypted.key),
      digest: toBase64Url(encrypted.digest()),
      ...(file.digestAlgorithm === 'blake2b-256'
        ? {}
        : { digestAlgorithm: encrypted.digestAlgorithm }),
    });
  }
  const common = {
    v: DOCUMENT_VERSION,
    locale: 'en',
    form: 'reprisal-report',
    answers: spec.answers ?? {},
    message: spec.message ?? `Message of ${spec.id}`,
    attachments: manifest,
  } as const;
  const document: SealedDocument =
    spec.kind === 'submission'
      ? {
          ...common,
          kind: 'submission',
          replyPublicKey: toBase64Url(submitter.replyKeyPair.publicKey),
        }
      : { ...common, kind: 'followup' };
  const envelope =
    spec.envelope ?? (await sealDocument(document, sealing, submitter.authorKeyPair));
  return { envelope, ciphertexts };
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield await Promise.resolve(bytes);
}

/** Submissions with rising sequence numbers from `after` + 1, for tests that need many. */
export function submissionsFrom(after: number) {
  let seq = after;
  return (id: string, received: string, extra: Partial<ItemSpec> = {}): ItemSpec => ({
    kind: 'submission',
    id,
    seq: ++seq,
    received,
    ...extra,
  });
}

const exported = new WeakMap<ItemSpec, Awaited<ReturnType<typeof sealItem>>>();

/**
 * Writes a bundle of `items`, each sealed to `sealing` (or given as its own
 * envelope). `created` is the server's date in the start record.
 */
export async function writeBundle(
  path: string,
  items: ItemSpec[],
  sealing: SealingKeys,
  submitter: Submitter,
  options: { keysetVersion?: number; after?: number; created?: string } = {},
): Promise<Uint8Array> {
  const sodium = await getSodium();
  const encoder = await BundleEncoder.create();
  const out: Uint8Array[] = [
    encoder.start({
      format: 'sealbox-bundle-v1',
      keysetVersion: options.keysetVersion ?? sealing.keysetVersion,
      after: options.after ?? 0,
      created: options.created ?? '2026-11-21',
    }),
  ];
  for (const spec of items) {
    // The server exports an item's stored bytes every time: the same spec in a
    // later bundle carries the same envelope and ciphertexts.
    const sealed = exported.get(spec) ?? (await sealItem(spec, sealing, submitter));
    exported.set(spec, sealed);
    const { envelope, ciphertexts } = sealed;
    const uploads = ciphertexts.map((c) => ({
      id: c.id,
      size: c.bytes.length,
      digest: toBase64Url(sodium.crypto_generichash(32, c.bytes, null)),
    }));
    const caseId = spec.caseId ?? spec.id;
    const received = spec.received ?? '2026-11-20';
    if (spec.kind === 'submission') {
      out.push(
        encoder.submission(
          {
            id: spec.id,
            seq: spec.seq,
            received,
            keysetVersion: sealing.keysetVersion,
            uploads,
            ...(spec.effort === undefined ? {} : { effort: spec.effort }),
          },
          envelope,
        ),
      );
    } else {
      out.push(
        encoder.followup(
          { id: spec.id, submissionId: caseId, seq: spec.seq, received, uploads },
          envelope,
        ),
      );
    }
    for (const [i, c] of ciphertexts.entries()) {
      const meta = {
        submissionId: caseId,
        ...(spec.kind === 'followup' ? { followupId: spec.id } : {}),
        uploadId: c.id,
        size: c.bytes.length,
        digest: uploads[i]!.digest,
      };
      for await (const chunk of encoder.attachment(meta, once(c.bytes))) out.push(chunk.slice());
    }
  }
  out.push(encoder.end());
  const bytes = new Uint8Array(Buffer.concat(out));
  await writeFile(path, bytes);
  return bytes;
}
