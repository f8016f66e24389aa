import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

const challengeSchema = z
  .object({
    parameters: z.looseObject({
      algorithm: z.string(),
      nonce: z.string(),
      salt: z.string(),
      cost: z.number(),
      keyLength: z.number(),
      keyPrefix: z.string(),
      keySignature: z.string().optional(),
      expiresAt: z.number().optional(),
    }),
    signature: z.string(),
  })
  .meta({ id: 'Challenge' });

const challenge: FastifyPluginCallbackZod = (app, _options, done) => {
  app.get(
    '/v1/challenge',
    {
      config: { rateClass: 'read' },
      schema: {
        summary: 'A proof-of-work challenge (altcha, deterministic mode); single use, expiring',
        response: { 200: challengeSchema },
      },
    },
    async () => {
      const c = await app.sealbox.pow.issue();
      return { parameters: { ...c.parameters }, signature: c.signature ?? '' };
    },
  );
  done();
};

export default challenge;
