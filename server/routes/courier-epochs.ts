// POST /v1/courier/epochs: the reviewers' signed epoch keys from the outbox.
// Every key is verified against the current keyset (chain: organisation root
// -> keyset -> reviewer identity -> epoch key) before anything is written;
// then all are stored in one transaction, or none. Idempotent: the same keys
// published twice change nothing; another key for a reviewer's epoch number
// that is taken is a conflict, never a replacement.
// GET /v1/courier/epochs: how many days of keys each reviewer has left.
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SignedEpochKey } from '../../client-crypto/index.ts';
import { isSealboxError, verifyEpochKey } from '../../client-crypto/index.ts';
import type { Db } from '../db/database.ts';
import { addDays, today } from '../db/dates.ts';
import type { NewEpochKey } from '../db/epochs.ts';
import { insertEpochKey, storedEpochKeysLike } from '../db/epochs.ts';
import { epochCoverage, epochKeyRow } from '../epochs.ts';
import { ApiError } from '../errors.ts';
import { currentKeyset } from '../plugins/courier-auth.ts';
import { dateSchema, errorSchema } from './schemas.ts';

export const MAX_EPOCH_KEYS = 5_000;

const coverageSchema = z.array(
  z.object({ name: z.string(), lastEnds: dateSchema.nullable(), daysLeft: z.number().int() }),
);

interface Verified {
  index: number;
  key: NewEpochKey;
  /** Ended too long ago to be served: stored only if it is stored already. */
  ended: boolean;
}

async function verifyAll(raw: unknown[], db: Db, app: FastifyInstance): Promise<Verified[]> {
  const keyset = await currentKeyset(db, app.sealbox.config);
  if (!keyset) throw new ApiError(409, 'KEYSET_MISSING', 'no keyset has been published yet');
  const day = today();
  const verified: Verified[] = [];
  for (const [index, item] of raw.entries()) {
    try {
      const key = await verifyEpochKey(item, keyset);
      verified.push({
        index,
        // An epoch no page may seal to any more (GET /v1/epochs would not serve it).
        ended: key.ends < addDays(day, -1),
        key: await epochKeyRow(key, item as SignedEpochKey),
      });
    } catch (error) {
      if (!isSealboxError(error)) throw error;
      throw new ApiError(400, error.code, `epochs[${index}]: ${error.message}`);
    }
  }
  return verified;
}

async function storeAll(db: Db, verified: Verified[]) {
  return db.transaction().execute(async (trx) => {
    let stored = 0;
    for (const { index, key, ended } of verified) {
      if (!ended && (await insertEpochKey(trx, key))) {
        stored += 1;
        continue;
      }
      const like = await storedEpochKeysLike(trx, key);
      if (like.length === 0) {
        throw new ApiError(
          400,
          'EPOCH_EXPIRED',
          `epochs[${index}]: epoch ${key.epoch} ended on ${key.ends}; publish current and future epoch keys only`,
        );
      }
      if (like.some((row) => row.signed !== key.signed)) {
        throw new ApiError(
          409,
          'EPOCH_CONFLICT',
          `epochs[${index}]: another key is already published for epoch ${key.epoch} of this reviewer, or with the same X-Wing key`,
        );
      }
    }
    return { stored, unchanged: verified.length - stored };
  });
}

const courierEpochs: FastifyPluginCallbackZod = (app, _options, done) => {
  const { db } = app.sealbox;
  app.post(
    '/v1/courier/epochs',
    {
      config: { rateClass: 'write' },
      schema: {
        summary: "Publish reviewers' signed epoch keys (courier)",
        body: z.object({ epochs: z.array(z.unknown()).max(MAX_EPOCH_KEYS) }),
        response: {
          200: z.object({
            stored: z.number().int(),
            unchanged: z.number().int(),
            reviewers: coverageSchema,
          }),
          400: errorSchema,
          401: errorSchema,
          409: errorSchema,
        },
      },
    },
    async (request) => {
      const verified = await verifyAll(request.body.epochs, db, app);
      const counts = await storeAll(db, verified);
      return { ...counts, reviewers: await epochCoverage(db, today()) };
    },
  );

  app.get(
    '/v1/courier/epochs',
    {
      config: { rateClass: 'read' },
      schema: {
        summary: 'How many days of epoch keys each reviewer has left (courier)',
        response: { 200: z.object({ reviewers: coverageSchema }), 401: errorSchema },
      },
    },
    async () => ({ reviewers: await epochCoverage(db, today()) }),
  );
  done();
};

export default courierEpochs;
