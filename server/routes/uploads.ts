// Resumable attachment uploads: create (paid with proof of work) → PUT numbered
// parts as raw bytes → ask which parts arrived → finish with the digest of the
// whole ciphertext. A part is read into one of a few reused buffers (at most
// SEALBOX_UPLOAD_PARTS_IN_FLIGHT at once) and goes to the database as one row,
// so any instance can serve any upload. Parts are hashed as they are stored,
// so finish reads back only what the running digest lacks (upload-digest.ts).
//
// Starting an upload costs what a new case costs now: a proof at the minimum
// effort level of the moment (server/load.ts), so that a flood paying the base
// price cannot use up the bytes that attachments share while the service is
// busy. A follow-up's files are the exception, as follow-ups are: an upload
// started with the lookup token of a case already open takes a base-level
// proof, from the follow-ups' bucket, while the case's unclaimed uploads stay
// within one largest file (SEALBOX_UPLOAD_MAX_BYTES); past that it pays the
// minimum like anyone. (docs/threat-model.md, "Flooders".)
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DIGEST_ALGORITHMS, getSodium } from '../../client-crypto/index.ts';
import type { Db } from '../db/database.ts';
import { today } from '../db/dates.ts';
import type { Upload } from '../db/tables.ts';
import {
  caseUnclaimedBytes,
  createUpload,
  getUpload,
  lockUploadForFinish,
  lockUploadForPart,
  markFinished,
  partLength,
  partSizes,
  pendingUploadBytes,
  putPart,
  readUpload,
  storedParts,
} from '../db/uploads.ts';
import { openCaseSeq } from '../db/submissions.ts';
import { ApiError } from '../errors.ts';
import { paidProof } from '../plugins/limits.ts';
import { proofSchema, spendVerified } from '../pow.ts';
import { base64url, decodeField, errorSchema, lookupTokenSchema } from './schemas.ts';
import { newId } from '../ids.ts';
import { PartBuffers } from '../upload-buffers.ts';
import { RunningDigests, blake2bOf } from '../upload-digest.ts';

export const MIN_PART_BYTES = 64 * 1024;
export const MAX_PARTS = 65_536;
/** Parts that finish must read back come in slices of this size. */
const READ_BACK_SLICE = 256 * 1024;

const uploadId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{22}$/)
  .meta({ description: 'upload id' });

const uploadStateSchema = z
  .object({
    uploadId,
    size: z.number(),
    partSize: z.number(),
    partCount: z.number(),
    received: z.array(z.number()).meta({ description: 'numbers of the parts stored so far' }),
    finished: z.boolean(),
  })
  .meta({ id: 'UploadState' });

/** What the API tells of an upload: its shape and the parts stored so far. */
function uploadState(
  upload: Pick<Upload, 'id' | 'size' | 'part_size' | 'part_count' | 'finished'>,
  received: number[],
): z.infer<typeof uploadStateSchema> {
  return {
    uploadId: upload.id,
    size: upload.size,
    partSize: upload.part_size,
    partCount: upload.part_count,
    received,
    finished: upload.finished !== null,
  };
}

async function existing(db: Db, id: string) {
  const upload = await getUpload(db, id);
  if (!upload) throw new ApiError(404, 'UPLOAD_NOT_FOUND', 'no such upload');
  return upload;
}

/** Reads a request body into `out`, which it must fill exactly, refusing more. */
async function readPart(body: IncomingMessage, out: Uint8Array): Promise<void> {
  const length = out.length;
  let offset = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (offset + chunk.length > length) {
      throw new ApiError(413, 'UPLOAD_PART_SIZE', `this part must be exactly ${length} bytes`);
    }
    out.set(chunk, offset);
    offset += chunk.length;
  }
  if (offset !== length) {
    throw new ApiError(400, 'UPLOAD_PART_SIZE', `this part must be exactly ${length} bytes`);
  }
}

const uploads: FastifyPluginAsyncZod = async (app) => {
  const { config } = app.sealbox;
  const sodium = await getSodium();
  const digests = new RunningDigests(sodium, {
    uploads: 1024,
    // Enough for a part or a few small ones that overtake the one before them
    // (clients send parts one or two at a time); beyond it, finish reads the
    // rest back. Held parts are memory outside the reused buffers.
    aheadBytes: Math.max(8 * 1024 * 1024, config.upload.partMaxBytes),
    idleMs: 3_600_000,
  });
  const buffers = new PartBuffers({
    slots: config.upload.partsInFlight,
    waitMs: config.upload.partWaitMs,
    queue: 4 * config.upload.partsInFlight,
    idleMs: 60_000,
  });

  // A part or a finish was paid for when its upload was created: a request
  // for an upload that does not exist takes no token (plugins/limits.ts).
  const uploadExists = async (request: FastifyRequest) => {
    await existing(app.sealbox.db, (request.params as { uploadId: string }).uploadId);
  };

  /**
   * The open case an upload is started for, when its body shows a lookup
   * token that names one and the case's unclaimed uploads leave room for it;
   * null otherwise. Asked once per request (the limits and the handler).
   */
  const followupCase = new WeakMap<FastifyRequest, Promise<number | null>>();
  const caseOf = (request: FastifyRequest): Promise<number | null> => {
    let found = followupCase.get(request);
    if (!found) {
      found = (async () => {
        const { lookupToken, size } = request.body as { lookupToken?: string; size: number };
        if (lookupToken === undefined) return null;
        const db = app.sealbox.db;
        const hash = await app.sealbox.lookupHash(decodeField('lookupToken', lookupToken, 32));
        const seq = await openCaseSeq(db, hash);
        if (seq === undefined) return null;
        return (await caseUnclaimedBytes(db, seq)) + size <= config.upload.maxBytes ? seq : null;
      })();
      followupCase.set(request, found);
    }
    return found;
  };

  // Raw parts are not parsed: the handler streams them with its own limit.
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => {
    done(null, payload);
  });

  app.post(
    '/v1/uploads',
    {
      config: {
        rateClass: 'write',
        paidBy: 'proof',
        effort: 'minimum',
        effortWaived: async (request) => (await caseOf(request)) !== null,
        bucketOf: async (request) => ((await caseOf(request)) !== null ? 'followup' : 'write'),
      },
      schema: {
        summary: 'Start an attachment upload (ciphertext size and part size declared up front)',
        description:
          'The proof must be at the minimum effort level of the moment, as for a new case, ' +
          'unless `lookupToken` names a case already open (a follow-up’s file): then any level ' +
          'does, while the case’s unclaimed uploads stay within SEALBOX_UPLOAD_MAX_BYTES.',
        body: z.object({
          challenge: proofSchema,
          size: z.number().int().positive(),
          partSize: z.number().int().positive(),
          lookupToken: lookupTokenSchema.optional(),
        }),
        response: {
          201: uploadStateSchema,
          400: errorSchema,
          409: errorSchema,
          413: errorSchema,
          429: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { size, partSize } = request.body;
      if (size > config.upload.maxBytes) {
        throw new ApiError(
          413,
          'UPLOAD_TOO_LARGE',
          `an attachment may hold at most ${config.upload.maxBytes} bytes`,
        );
      }
      const partCount = Math.ceil(size / partSize);
      if (
        partSize > config.upload.partMaxBytes ||
        (partSize < MIN_PART_BYTES && partCount > 1) ||
        partCount > MAX_PARTS
      ) {
        throw new ApiError(
          400,
          'UPLOAD_PART_SIZE',
          `part size must be from ${MIN_PART_BYTES} to ${config.upload.partMaxBytes} bytes`,
        );
      }
      // Storage is shared by everyone: a global cap on the bytes stored, not a
      // per-client one. An upload that could not be completed now is refused
      // now; each part is checked again as it arrives.
      if ((await pendingUploadBytes(app.sealbox.db)) + size > config.upload.pendingMaxBytes) {
        reply.header('retry-after', '3600');
        throw new ApiError(503, 'UPLOAD_CAPACITY', 'the service takes no more files for now');
      }
      const proof = paidProof(request);
      const caseSeq = await caseOf(request);
      const id = newId();
      // Anonymous writes commit in windows (db/commit-window.ts).
      await app.sealbox.commitWindow.run(async (trx) => {
        await spendVerified(trx, proof);
        await createUpload(trx, {
          id,
          size,
          partSize,
          partCount,
          created: today(),
          ...(caseSeq === null ? {} : { caseSeq }),
        });
      });
      digests.created(id);
      const upload = { id, size, part_size: partSize, part_count: partCount, finished: null };
      return reply.code(201).send(uploadState(upload, []));
    },
  );

  app.put(
    '/v1/uploads/:uploadId/parts/:part',
    {
      config: { rateClass: 'part', paidBy: uploadExists },
      schema: {
        summary: 'Store one part (application/octet-stream); repeating a PUT replaces the part',
        params: z.object({ uploadId, part: z.coerce.number().int().min(0).max(MAX_PARTS) }),
        response: {
          204: z.null(),
          400: errorSchema,
          404: errorSchema,
          409: errorSchema,
          413: errorSchema,
          415: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (request, reply) => {
      if (!request.headers['content-type']?.startsWith('application/octet-stream')) {
        throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'parts are application/octet-stream');
      }
      const { uploadId: id, part } = request.params;
      const upload = await existing(app.sealbox.db, id);
      if (upload.finished) throw new ApiError(409, 'UPLOAD_FINISHED', 'upload is finished');
      if (part >= upload.part_count) {
        throw new ApiError(
          400,
          'UPLOAD_PART_OUT_OF_RANGE',
          `part numbers run from 0 to ${upload.part_count - 1}`,
        );
      }
      const length = partLength(upload, part);
      const declared = request.headers['content-length'];
      if (declared !== undefined && Number(declared) !== length) {
        reply.header('connection', 'close');
        throw new ApiError(
          Number(declared) > length ? 413 : 400,
          'UPLOAD_PART_SIZE',
          `this part must be exactly ${length} bytes`,
        );
      }
      // What is stored counts, not what was declared: a part that would take
      // the stored total past the cap is refused until space is freed.
      const pending = await pendingUploadBytes(app.sealbox.db, { uploadId: id, part });
      if (pending + length > config.upload.pendingMaxBytes) {
        reply.header('retry-after', '3600');
        reply.header('connection', 'close');
        throw new ApiError(503, 'UPLOAD_CAPACITY', 'the service takes no more files for now');
      }
      // The body waits in the socket (TCP backpressure) until a buffer is free.
      const buffer = await buffers.acquire(length);
      if (!buffer) {
        reply.header('retry-after', '5');
        reply.header('connection', 'close');
        throw new ApiError(503, 'OVERLOADED', 'too many parts are arriving: try again shortly');
      }
      let held = false;
      try {
        try {
          await readPart(request.body as IncomingMessage, buffer.bytes);
        } catch (error) {
          reply.header('connection', 'close');
          throw error;
        }
        const version = await app.sealbox.commitWindow.run(async (trx) => {
          // The row lock orders this write against a concurrent finish.
          const locked = await lockUploadForPart(trx, id);
          if (!locked) throw new ApiError(404, 'UPLOAD_NOT_FOUND', 'no such upload');
          if (locked.finished) throw new ApiError(409, 'UPLOAD_FINISHED', 'upload is finished');
          return putPart(trx, id, part, buffer.bytes);
        });
        held = digests.stored(id, part, buffer.bytes, version);
      } finally {
        buffers.release(buffer, !held);
      }
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/uploads/:uploadId',
    {
      config: { rateClass: 'read' },
      schema: {
        summary: 'Which parts have arrived (to resume after a broken connection)',
        params: z.object({ uploadId }),
        response: { 200: uploadStateSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const upload = await existing(app.sealbox.db, request.params.uploadId);
      const parts = await partSizes(app.sealbox.db, upload.id);
      return uploadState(
        upload,
        parts.map((p) => p.part),
      );
    },
  );

  app.post(
    '/v1/uploads/:uploadId/finish',
    {
      config: { rateClass: 'write', paidBy: uploadExists },
      schema: {
        summary: 'Finish an upload: every part present, the digest of the ciphertext matches',
        params: z.object({ uploadId }),
        body: z.object({
          digest: base64url(43),
          digestAlgorithm: z.enum(DIGEST_ALGORITHMS).optional().meta({
            description:
              'how `digest` is computed (docs/protocol.md); absent means blake2b-256, what pages sent before sha256-segments',
          }),
        }),
        response: { 200: uploadStateSchema, 400: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (request) => {
      const digest = decodeField('digest', request.body.digest, 32);
      const algorithm = request.body.digestAlgorithm ?? 'blake2b-256';
      const upload = await app.sealbox.commitWindow.run(async (trx) => {
        const u = await lockUploadForFinish(trx, request.params.uploadId);
        if (!u) throw new ApiError(404, 'UPLOAD_NOT_FOUND', 'no such upload');
        if (u.finished) {
          if (u.digest && sodium.memcmp(u.digest, digest)) return u;
          throw new ApiError(409, 'UPLOAD_FINISHED', 'upload is finished with another digest');
        }
        const parts = await storedParts(trx, u.id);
        const missing = parts.length !== u.part_count;
        if (missing || parts.some((p) => p.size !== partLength(u, p.part))) {
          throw new ApiError(
            409,
            'UPLOAD_INCOMPLETE',
            `${u.part_count - parts.length} of ${u.part_count} parts are missing`,
          );
        }
        let actual: Uint8Array;
        if (algorithm === 'sha256-segments') {
          // Parts hashed as they arrived are not read again (see upload-digest.ts).
          const { state, from } = digests.resume(
            u.id,
            parts.map((p) => p.version),
          );
          actual = await digests.finish(state, readUpload(trx, u, from, READ_BACK_SLICE));
        } else {
          digests.forget(u.id);
          actual = await blake2bOf(sodium, readUpload(trx, u, 0, READ_BACK_SLICE));
        }
        if (!sodium.memcmp(actual, digest)) {
          throw new ApiError(
            400,
            'UPLOAD_DIGEST_MISMATCH',
            'digest does not match the stored ciphertext',
          );
        }
        await markFinished(trx, u.id, digest, today());
        return { ...u, finished: today() };
      });
      return uploadState(
        upload,
        Array.from({ length: upload.part_count }, (_, i) => i),
      );
    },
  );
};

export default uploads;
