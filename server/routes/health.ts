import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ping } from '../db/database.ts';
import { today } from '../db/dates.ts';
import { EPOCH_WARN_DAYS, epochCoverage, weakest } from '../epochs.ts';
import { ApiError } from '../errors.ts';
import { dateSchema, errorSchema } from './schemas.ts';

const ok = z.object({ ok: z.literal(true) });

const ready = z.object({
  ok: z.literal(true),
  epochKeys: z
    .object({
      reviewer: z.string(),
      daysLeft: z.number().int(),
      lastEnds: dateSchema.nullable(),
      state: z.enum(['ok', 'running out', 'none current']),
    })
    .nullable()
    .meta({
      description:
        'the reviewer whose epoch keys run out first: null with no keyset; "none current" means the page refuses to seal',
    }),
});

const health: FastifyPluginCallbackZod = (app, _options, done) => {
  app.get('/healthz', { schema: { summary: 'The process is up', response: { 200: ok } } }, () => ({
    ok: true as const,
  }));

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'The database answers; how long the weakest reviewer has epoch keys for',
        response: { 200: ready, 503: errorSchema },
      },
    },
    async () => {
      const { db } = app.sealbox;
      try {
        await ping(db);
      } catch {
        throw new ApiError(503, 'DATABASE_UNAVAILABLE', 'the database does not answer');
      }
      // Ready either way: status checks still work, and the page itself says
      // that it cannot seal. Monitoring alerts on `state`.
      const first = weakest(await epochCoverage(db, today()));
      return {
        ok: true as const,
        epochKeys: first
          ? {
              reviewer: first.name,
              daysLeft: first.daysLeft,
              lastEnds: first.lastEnds,
              state:
                first.daysLeft === 0
                  ? ('none current' as const)
                  : first.daysLeft < EPOCH_WARN_DAYS
                    ? ('running out' as const)
                    : ('ok' as const),
            }
          : null,
      };
    },
  );
  done();
};

export default health;
