// The courier API: the only way ciphertext leaves the server and signed
// statements and keysets come in. Every route is authenticated by
// server/plugins/courier-auth.ts (HTTP Message Signatures with a courier key
// listed in the current keyset).
//
//   GET  /v1/courier/export?after=N  a bundle of everything after the cursor
//   POST /v1/courier/ack             move this courier's cursor forward
//   POST /v1/courier/outbox          signed statements, applied atomically
//   POST /v1/courier/epochs          reviewers' signed epoch keys, stored atomically
//   GET  /v1/courier/epochs          how many days of epoch keys each reviewer has left
//   PUT  /v1/courier/keyset          a newer keyset signed by the organisation
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isSealboxError, verifyKeyset } from '../../client-crypto/index.ts';
import { ackExport, ackedSeq } from '../db/acks.ts';
import { today } from '../db/dates.ts';
import { lastExportSeq } from '../db/export.ts';
import { latestKeyset, storeKeyset } from '../db/keysets.ts';
import { ApiError } from '../errors.ts';
import courierAuth, { organisationPin } from '../plugins/courier-auth.ts';
import courierEpochs from './courier-epochs.ts';
import courierExport from './courier-export.ts';
import courierOutbox from './courier-outbox.ts';
import { errorSchema } from './schemas.ts';

const signedKeysetSchema = z.object({
  format: z.string().max(64),
  payload: z.string().max(1_000_000),
  signature: z.string().max(200),
  signer: z.string().max(200),
});

const courier: FastifyPluginAsyncZod = async (app) => {
  await app.register(courierAuth);
  await app.register(courierExport);
  await app.register(courierOutbox);
  await app.register(courierEpochs);
  const { db, config } = app.sealbox;

  app.post(
    '/v1/courier/ack',
    {
      config: { rateClass: 'write' },
      schema: {
        summary: 'Acknowledge an export up to a cursor (courier)',
        body: z.object({ cursor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }),
        response: {
          200: z.object({ cursor: z.number().int() }),
          400: errorSchema,
          401: errorSchema,
          409: errorSchema,
        },
      },
    },
    async (request) => {
      const { cursor } = request.body;
      const courierKey = request.courier!.publicKey;
      if (cursor > (await lastExportSeq(db))) {
        throw new ApiError(409, 'ACK_BEYOND_EXPORT', 'this cursor is beyond anything exported');
      }
      await ackExport(db, courierKey, cursor, today());
      return { cursor: await ackedSeq(db, courierKey) };
    },
  );

  app.put(
    '/v1/courier/keyset',
    {
      config: { rateClass: 'write', courierBootstrap: true },
      schema: {
        summary: 'Publish a newer keyset signed by the organisation root (courier)',
        body: signedKeysetSchema,
        response: {
          200: z.object({ version: z.number().int() }),
          400: errorSchema,
          401: errorSchema,
          409: errorSchema,
        },
      },
    },
    async (request) => {
      const signed = {
        format: request.body.format,
        payload: request.body.payload,
        signature: request.body.signature,
        signer: request.body.signer,
      };
      const newerThan = (await latestKeyset(db))?.version ?? 0;
      let version: number;
      try {
        ({ version } = await verifyKeyset(signed, organisationPin(config), { newerThan }));
      } catch (error) {
        if (isSealboxError(error, 'KEYSET_VERSION_NOT_NEWER')) {
          throw new ApiError(409, error.code, error.message);
        }
        if (isSealboxError(error)) throw new ApiError(400, error.code, error.message);
        throw error;
      }
      if (!(await storeKeyset(db, version, JSON.stringify(signed)))) {
        throw new ApiError(409, 'KEYSET_VERSION_NOT_NEWER', 'a keyset this new is already stored');
      }
      return { version };
    },
  );
};

export default courier;
