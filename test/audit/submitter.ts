// A submitter's client over real HTTP, as the page behaves: solve the proof of
// work, encrypt and upload attachments in parts, seal and submit, read the
// status, send a follow-up. Extra headers (a recognisable X-Forwarded-For and
// User-Agent) travel on every request so that the audits can look for them.
import { solveChallenge } from 'altcha-lib';
import type { Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import {
  DOCUMENT_VERSION,
  deriveReceiptKeys,
  encryptAttachment,
  generateReceipt,
  sealDocument,
  sealingKeys,
  toBase64Url,
} from '../../client-crypto/index.ts';
import type {
  AttachmentManifestEntry,
  Keyset,
  SealedDocument,
  SealingKeys,
} from '../../client-crypto/index.ts';

export const PART_SIZE = 64 * 1024;

export interface Exchange {
  method: string;
  path: string;
  status: number;
  headers: Headers;
}

export class Submitter {
  readonly exchanges: Exchange[] = [];

  constructor(
    readonly base: string,
    readonly headers: Record<string, string> = {},
  ) {}

  async request(method: string, path: string, body?: unknown, raw?: Uint8Array): Promise<Response> {
    const headers: Record<string, string> = { ...this.headers };
    let payload: BodyInit | undefined;
    if (raw) {
      headers['content-type'] = 'application/octet-stream';
      payload = raw.slice();
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const response = await fetch(`${this.base}${path}`, { method, headers, body: payload });
    this.exchanges.push({ method, path, status: response.status, headers: response.headers });
    return response;
  }

  async json<T>(method: string, path: string, body?: unknown, expect = 200): Promise<T> {
    const response = await this.request(method, path, body);
    const text = await response.text();
    if (response.status !== expect) {
      throw new Error(`${method} ${path}: ${response.status} ${text}`);
    }
    return JSON.parse(text) as T;
  }

  /** What the page seals to: the current epoch key of every reviewer, verified against `keyset`. */
  async sealingKeys(keyset: Keyset): Promise<SealingKeys> {
    const { epochs } = await this.json<{ epochs: unknown[] }>('GET', '/v1/epochs');
    return sealingKeys(keyset, epochs);
  }

  async proof(): Promise<unknown> {
    const challenge = await this.json<Challenge>('GET', '/v1/challenge');
    const solution = await solveChallenge({ challenge, deriveKey });
    if (!solution) throw new Error('could not solve the challenge');
    return { challenge, solution };
  }

  /** Encrypts and uploads one file; returns its manifest entry. */
  async upload(name: string, type: string, plain: Uint8Array): Promise<AttachmentManifestEntry> {
    const encrypted = await encryptAttachment([plain], plain.length);
    const parts: Uint8Array[] = [];
    for await (const chunk of encrypted.chunks) parts.push(chunk.slice());
    const ciphertext = new Uint8Array(Buffer.concat(parts));
    const created = await this.json<{ uploadId: string; partCount: number }>(
      'POST',
      '/v1/uploads',
      { challenge: await this.proof(), size: ciphertext.length, partSize: PART_SIZE },
      201,
    );
    for (let n = 0; n < created.partCount; n++) {
      const part = ciphertext.subarray(n * PART_SIZE, (n + 1) * PART_SIZE);
      const response = await this.request(
        'PUT',
        `/v1/uploads/${created.uploadId}/parts/${n}`,
        undefined,
        part,
      );
      if (response.status !== 204) throw new Error(`part ${n}: ${await response.text()}`);
    }
    const digest = toBase64Url(encrypted.digest());
    const { digestAlgorithm } = encrypted;
    await this.json('POST', `/v1/uploads/${created.uploadId}/finish`, { digest, digestAlgorithm });
    return {
      uploadId: created.uploadId,
      name,
      type,
      size: plain.length,
      key: toBase64Url(encrypted.key),
      digest,
      digestAlgorithm,
    };
  }
}

export interface Filed {
  receipt: string;
  lookupToken: string;
  replyKeyPair: { publicKey: Uint8Array; secretKey: Uint8Array };
  authorKeyPair: { publicKey: Uint8Array; secretKey: Uint8Array };
  document: SealedDocument;
}

export interface CaseInput {
  answers: SealedDocument['answers'];
  message: string;
  files?: { name: string; type: string; bytes: Uint8Array }[];
}

/** A whole submission: files uploaded, document sealed, case created. */
export async function submitCase(
  client: Submitter,
  keyset: Keyset,
  input: CaseInput,
): Promise<Filed> {
  const receipt = await generateReceipt();
  const keys = await deriveReceiptKeys(receipt);
  const attachments: AttachmentManifestEntry[] = [];
  for (const f of input.files ?? []) attachments.push(await client.upload(f.name, f.type, f.bytes));
  const document: SealedDocument = {
    v: DOCUMENT_VERSION,
    kind: 'submission',
    locale: 'en',
    form: 'reprisal-report',
    answers: input.answers,
    message: input.message,
    attachments,
    replyPublicKey: toBase64Url(keys.replyKeyPair.publicKey),
  };
  const lookupToken = toBase64Url(keys.lookupToken);
  await client.json(
    'POST',
    '/v1/submissions',
    {
      challenge: await client.proof(),
      lookupToken,
      envelope: toBase64Url(
        await sealDocument(document, await client.sealingKeys(keyset), keys.authorKeyPair),
      ),
      uploads: attachments.map((a) => a.uploadId),
    },
    201,
  );
  return {
    receipt,
    lookupToken,
    replyKeyPair: keys.replyKeyPair,
    authorKeyPair: keys.authorKeyPair,
    document,
  };
}

export async function sendFollowup(
  client: Submitter,
  keyset: Keyset,
  filed: Filed,
  message: string,
): Promise<SealedDocument> {
  const document: SealedDocument = {
    v: DOCUMENT_VERSION,
    kind: 'followup',
    locale: filed.document.locale,
    form: filed.document.form,
    answers: {},
    message,
    attachments: [],
  };
  await client.json(
    'POST',
    '/v1/followups',
    {
      challenge: await client.proof(),
      lookupToken: filed.lookupToken,
      envelope: toBase64Url(
        await sealDocument(document, await client.sealingKeys(keyset), filed.authorKeyPair),
      ),
      uploads: [],
    },
    201,
  );
  return document;
}
