// A new case: the sealed envelope, the lookup token (stored only as a keyed
// hash) and the finished uploads it references, all in one transaction.
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { today } from '../db/dates.ts';
import { holdExportOrder } from '../db/export-order.ts';
import { countSubmissionsOn, insertSubmission } from '../db/submissions.ts';
import { ApiError } from '../errors.ts';
import { proofSchema } from '../pow.ts';
import { acceptEnvelope, claimEveryUpload } from './envelope.ts';
import { base64url, dateSchema, decodeField, errorSchema, lookupTokenSchema } from './schemas.ts';
import { newId } from '../ids.ts';

export const MAX_ATTACHMENTS = 64;

export const uploadIdsSchema = z
  .array(z.string().regex(/^[A-Za-z0-9_-]{22}$/))
  .max(MAX_ATTACHMENTS)
  .default([]);

const submissions: FastifyPluginCallbackZod = (app, _options, done) => {
  const { db, config } = app.sealbox;

  app.post(
    '/v1/submissions',
    {
      config: { rateClass: 'write' },
      schema: {
        summary: 'Submit a sealed case',
        body: z.object({
          challenge: proofSchema,
          lookupToken: lookupTokenSchema,
          envelope: base64url(2_000_000).meta({ description: 'the sealed envelope, base64url' }),
          uploads: uploadIdsSchema,
        }),
        response: {
          201: z.object({ received: dateSchema }),
          400: errorSchema,
          409: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const token = decodeField('lookupToken', body.lookupToken, 32);
      const { envelope, header } = await acceptEnvelope(db, body.envelope, 'submission');
      const uploadIds = [...new Set(body.uploads)];
      const received = today();
      if ((await countSubmissionsOn(db, received)) >= config.limits.submissionsPerDay) {
        reply.header('retry-after', '3600');
        throw new ApiError(503, 'DAILY_LIMIT', 'the service takes no more cases today');
      }
      await app.sealbox.pow.spend(body.challenge);
      const lookupHash = await app.sealbox.lookupHash(token);
      await db.transaction().execute(async (trx) => {
        await holdExportOrder(trx);
        const seq = await insertSubmission(trx, {
          caseId: newId(),
          lookupHash,
          keysetVersion: header.keysetVersion,
          envelope,
          received,
        });
        if (seq === undefined) {
          throw new ApiError(409, 'LOOKUP_TOKEN_TAKEN', 'a case with this receipt exists');
        }
        await claimEveryUpload(trx, uploadIds, { submissionSeq: seq });
      });
      return reply.code(201).send({ received });
    },
  );
  done();
};

export default submissions;
