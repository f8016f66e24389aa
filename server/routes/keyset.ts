import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { latestKeyset } from '../db/keysets.ts';
import { ApiError } from '../errors.ts';
import { errorSchema } from './schemas.ts';

const signedKeysetSchema = z
  .object({ format: z.string(), payload: z.string(), signature: z.string(), signer: z.string() })
  .meta({ id: 'SignedKeyset' });

const keyset: FastifyPluginCallbackZod = (app, _options, done) => {
  app.get(
    '/v1/keyset',
    {
      config: { rateClass: 'read' },
      schema: {
        summary: 'The current keyset, signed by the organisation root',
        response: { 200: signedKeysetSchema, 404: errorSchema },
      },
    },
    async () => {
      const stored = await latestKeyset(app.sealbox.db);
      if (!stored) throw new ApiError(404, 'KEYSET_MISSING', 'no keyset has been published yet');
      return JSON.parse(stored.signed) as z.infer<typeof signedKeysetSchema>;
    },
  );
  done();
};

export default keyset;
