// A proof-of-work challenge at the effort level the client asks for, with
// the load: the minimum level a new case needs now and the top level. The
// level is signed into the challenge (server/pow.ts).
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { difficultyAt } from '../effort.ts';
import { errorSchema } from './schemas.ts';

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
      data: z
        .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
        .optional()
        .meta({ description: '{ level }: the effort level, signed with the rest' }),
    }),
    signature: z.string(),
  })
  .meta({ id: 'Challenge' });

export const loadSchema = z
  .object({
    minimumLevel: z.number().int().meta({
      description: 'the lowest level a proof for a new case is taken at now',
    }),
    topLevel: z.number().int().meta({ description: 'the highest level there is' }),
    busy: z.boolean().meta({ description: 'the minimum level is above 0' }),
  })
  .meta({ id: 'Load' });

const challenge: FastifyPluginCallbackZod = (app, _options, done) => {
  const { pow, load, config } = app.sealbox;
  app.get(
    '/v1/challenge',
    {
      config: { rateClass: 'read' },
      schema: {
        summary:
          'A proof-of-work challenge (altcha, deterministic mode) at an effort level; single use, expiring',
        querystring: z.object({
          level: z.coerce
            .number()
            .int()
            .min(0)
            .max(load.topLevel)
            .default(0)
            .meta({ description: 'effort level: the difficulty is the base difficulty × 2^level' }),
        }),
        response: {
          200: challengeSchema.extend({
            level: z.number().int(),
            difficulty: z.number().int().meta({
              description:
                "the secret counter's range at this level: a client tries half of it on average",
            }),
            load: loadSchema,
          }),
          400: errorSchema,
        },
      },
    },
    async (request) => {
      const { level } = request.query;
      const c = await pow.issue(level);
      return {
        parameters: { ...c.parameters },
        signature: c.signature ?? '',
        level,
        // What lets a client say how long a level takes on its device.
        difficulty: difficultyAt(config.pow.difficulty, level),
        load: load.state(),
      };
    },
  );
  done();
};

export default challenge;
