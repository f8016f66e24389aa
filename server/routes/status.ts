// The submitter's view: the lookup token travels in the body, never in a URL.
// Known and unknown tokens cost the same work (one keyed hash, one indexed
// query), so the answer time does not tell them apart.
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { findCase } from '../db/submissions.ts';
import { ApiError } from '../errors.ts';
import { dateSchema, decodeField, errorSchema, lookupTokenSchema } from './schemas.ts';

const signedStatement = z
  .object({ format: z.string(), payload: z.string(), signature: z.string(), signer: z.string() })
  .meta({ id: 'SignedStatement' });

const status: FastifyPluginCallbackZod = (app, _options, done) => {
  app.post(
    '/v1/status',
    {
      config: { rateClass: 'read' },
      schema: {
        summary: "A case's status and the reviewers' signed statements",
        body: z.object({ lookupToken: lookupTokenSchema }),
        response: {
          200: z.object({
            caseId: z.string(),
            status: z.string(),
            statusDate: dateSchema,
            received: dateSchema,
            statements: z.array(signedStatement),
          }),
          400: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (request) => {
      const token = decodeField('lookupToken', request.body.lookupToken, 32);
      const found = await findCase(app.sealbox.db, await app.sealbox.lookupHash(token));
      if (!found) throw new ApiError(404, 'CASE_NOT_FOUND', 'no case matches this receipt');
      return {
        caseId: found.caseId,
        status: found.status,
        statusDate: found.statusOn,
        received: found.received,
        statements: found.statements.map((s) => JSON.parse(s) as z.infer<typeof signedStatement>),
      };
    },
  );
  done();
};

export default status;
