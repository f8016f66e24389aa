import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ping } from '../db/database.ts';
import { ApiError } from '../errors.ts';
import { errorSchema } from './schemas.ts';

const ok = z.object({ ok: z.literal(true) });

const health: FastifyPluginCallbackZod = (app, _options, done) => {
  app.get('/healthz', { schema: { summary: 'The process is up', response: { 200: ok } } }, () => ({
    ok: true as const,
  }));

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'The database answers',
        response: { 200: ok, 503: errorSchema },
      },
    },
    async () => {
      try {
        await ping(app.sealbox.db);
      } catch {
        throw new ApiError(503, 'DATABASE_UNAVAILABLE', 'the database does not answer');
      }
      return { ok: true as const };
    },
  );
  done();
};

export default health;
