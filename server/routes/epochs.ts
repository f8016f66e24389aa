// GET /v1/epochs: the reviewers' signed epoch keys a page needs to seal, next
// to the keyset that vouches for the reviewers. Only keys of reviewers of the
// latest keyset, and only those around today: the current one and, across a
// boundary, the next (starts <= today+2, ends >= today-1). The page verifies
// each against the keyset (client-crypto sealingKeys) and trusts none of this.
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { addDays, today } from '../db/dates.ts';
import { epochKeysBetween } from '../db/epochs.ts';
import { keysetReviewers } from '../epochs.ts';

export const signedEpochKeySchema = z
  .object({ format: z.string(), payload: z.string(), signature: z.string(), signer: z.string() })
  .meta({ id: 'SignedEpochKey' });

const epochs: FastifyPluginCallbackZod = (app, _options, done) => {
  const { db } = app.sealbox;
  app.get(
    '/v1/epochs',
    {
      config: { rateClass: 'read' },
      schema: {
        summary: "The reviewers' current and next epoch keys, each signed by its reviewer",
        response: { 200: z.object({ epochs: z.array(signedEpochKeySchema) }) },
      },
    },
    async () => {
      const reviewers = (await keysetReviewers(db)) ?? [];
      const day = today();
      const rows = await epochKeysBetween(
        db,
        reviewers.map((r) => r.signPublicKey),
        addDays(day, -1),
        addDays(day, 2),
      );
      return {
        epochs: rows.map((r) => JSON.parse(r.signed) as z.infer<typeof signedEpochKeySchema>),
      };
    },
  );
  done();
};

export default epochs;
