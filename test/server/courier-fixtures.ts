// Shared by the courier tests: a real listening server with a seeded keyset,
// and cases written straight through the data layer (the intake routes have
// their own tests), with attachment ciphertext stored as upload parts.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { getSodium, toBase64Url } from '../../client-crypto/index.ts';
import type { Db } from '../../server/db/database.ts';
import { holdExportOrder } from '../../server/db/export-order.ts';
import { insertFollowup } from '../../server/db/followups.ts';
import { claimUploads, createUpload, markFinished, putPart } from '../../server/db/uploads.ts';
import { CourierError, courierClient, type SignedRequest } from '../../reviewer/courier/http.ts';
import { build, insertSubmission, seedKeyset, testDatabase } from '../helper.ts';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function courierServer(t: Teardown) {
  const db = await testDatabase(t);
  const seeded = await seedKeyset(db);
  const env = { SEALBOX_ORG_PUBLIC_KEY: toBase64Url(seeded.org.publicKey) };
  const { app } = await build(t, { db, env });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const client = courierClient(url, seeded.courier);
  return { app, db, url, client, ...seeded };
}

const PART = 64 * 1024;

export interface StoredFile {
  id: string;
  bytes: Uint8Array;
}

async function storeFiles(
  db: Db,
  files: Uint8Array[],
  owner: { submissionSeq: number } | { followupSeq: number },
): Promise<StoredFile[]> {
  const sodium = await getSodium();
  const stored: StoredFile[] = [];
  for (const bytes of files) {
    const id = randomBytes(16).toString('base64url');
    const partCount = Math.max(1, Math.ceil(bytes.length / PART));
    await createUpload(db, {
      id,
      size: bytes.length,
      partSize: PART,
      partCount,
      created: '2026-01-01',
    });
    for (let n = 0; n < partCount; n++) {
      await putPart(db, id, n, bytes.slice(n * PART, (n + 1) * PART));
    }
    await markFinished(db, id, sodium.crypto_generichash(32, bytes, null), '2026-01-01');
    stored.push({ id, bytes });
  }
  await claimUploads(
    db,
    stored.map((f) => f.id),
    owner,
  );
  return stored;
}

export async function addSubmission(
  db: Db,
  keysetVersion: number,
  files: Uint8Array[] = [],
  envelope: Uint8Array = new Uint8Array(randomBytes(300)),
) {
  const caseId = randomBytes(16).toString('base64url');
  const seq = await db.transaction().execute(async (trx) => {
    await holdExportOrder(trx);
    const seq = await insertSubmission(trx, {
      caseId,
      lookupHash: new Uint8Array(randomBytes(32)),
      keysetVersion,
      envelope,
      received: '2026-01-02',
    });
    return seq!;
  });
  const stored = await storeFiles(db, files, { submissionSeq: seq });
  return { caseId, seq, envelope, files: stored };
}

export async function addFollowup(
  db: Db,
  submissionSeq: number,
  files: Uint8Array[] = [],
  envelope: Uint8Array = new Uint8Array(randomBytes(200)),
) {
  const id = randomBytes(16).toString('base64url');
  const seq = await db.transaction().execute(async (trx) => {
    await holdExportOrder(trx);
    return insertFollowup(trx, { id, submissionSeq, envelope, received: '2026-01-03' });
  });
  const stored = await storeFiles(db, files, { followupSeq: seq });
  return { id, seq, envelope, files: stored };
}

export const randomFile = (size: number): Uint8Array => new Uint8Array(randomBytes(size));

/** Sends a signed courier request as it is; the status, and our error code and message if refused. */
export async function sendSigned(
  request: SignedRequest,
): Promise<{ status: number; code?: string; message?: string }> {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.body ? { body: request.body } : {}),
  });
  if (response.ok) {
    await response.arrayBuffer();
    return { status: response.status };
  }
  const body = (await response.json()) as { error: { code: string; message: string } };
  return { status: response.status, code: body.error.code, message: body.error.message };
}

/** How a courier call was refused ("409 EPOCH_CONFLICT"), or undefined if it was not. */
export async function refusal(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof CourierError) return `${error.status} ${error.serverCode}`;
    throw error;
  }
}
