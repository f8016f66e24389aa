// A follow-up message on an existing case, sealed to the reviewers like a
// submission. Knowing the lookup token is the only proof asked, with a proof
// of work at the base level whatever the load: follow-ups never count against
// the daily cap on new cases, and only a follow-up whose lookup token names
// an open case takes from the follow-ups' own token bucket (any other pays
// from the strangers' write bucket), so a flood of strangers, even one that
// pays base-level proofs, never silences a case already open. Each case may
// send SEALBOX_FOLLOWUPS_PER_CASE_PER_DAY a day.
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { undoOnError } from '../db/commit-window.ts';
import { today } from '../db/dates.ts';
import { holdExportOrder } from '../db/export-order.ts';
import { followupsOn, insertFollowup } from '../db/followups.ts';
import { openCaseByLookupHash, submissionByLookupHash } from '../db/submissions.ts';
import { ApiError } from '../errors.ts';
import { paidProof } from '../plugins/limits.ts';
import { proofSchema, spendVerified } from '../pow.ts';
import { acceptEnvelope, claimEveryUpload } from './envelope.ts';
import { base64url, dateSchema, decodeField, errorSchema, lookupTokenSchema } from './schemas.ts';
import { uploadIdsSchema } from './submissions.ts';
import { newId } from '../ids.ts';

const followups: FastifyPluginCallbackZod = (app, _options, done) => {
  const { db } = app.sealbox;
  const perCasePerDay = app.sealbox.config.limits.followupsPerCasePerDay;

  app.post(
    '/v1/followups',
    {
      config: {
        rateClass: 'followup',
        paidBy: 'proof',
        bucketOf: async (request) => {
          const { lookupToken } = request.body as { lookupToken: string };
          const hash = await app.sealbox.lookupHash(decodeField('lookupToken', lookupToken, 32));
          return (await openCaseByLookupHash(db, hash)) ? 'followup' : 'write';
        },
      },
      schema: {
        summary: 'Add a sealed follow-up message to a case',
        body: z.object({
          challenge: proofSchema,
          lookupToken: lookupTokenSchema,
          envelope: base64url(2_000_000),
          uploads: uploadIdsSchema,
        }),
        response: {
          201: z.object({ received: dateSchema }),
          400: errorSchema,
          404: errorSchema,
          409: errorSchema,
          429: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const token = decodeField('lookupToken', body.lookupToken, 32);
      const { envelope } = await acceptEnvelope(db, body.envelope, 'followup');
      const uploadIds = [...new Set(body.uploads)];
      const proof = paidProof(request);
      const lookupHash = await app.sealbox.lookupHash(token);
      const received = today();
      // In the next commit window (db/commit-window.ts). The proof stays spent
      // whatever the rest declines.
      const added = await app.sealbox.commitWindow.run(async (trx) => {
        await spendVerified(trx, proof);
        return undoOnError(trx, async () => {
          await holdExportOrder(trx);
          const submission = await submissionByLookupHash(trx, lookupHash);
          if (!submission) {
            throw new ApiError(404, 'CASE_NOT_FOUND', 'no case matches this receipt');
          }
          if (submission.purged_on) {
            throw new ApiError(
              409,
              'CASE_CLOSED',
              'this case is closed and takes no more messages',
            );
          }
          // Within one commit window the count sees the window's own
          // follow-ups; instances racing may pass the limit by a few.
          if ((await followupsOn(trx, submission.seq, received)) >= perCasePerDay) {
            throw new ApiError(
              429,
              'FOLLOWUP_LIMIT',
              'this case has sent as many messages as it can today: try again tomorrow',
            );
          }
          const seq = await insertFollowup(trx, {
            id: newId(),
            submissionSeq: submission.seq,
            envelope,
            received,
          });
          await claimEveryUpload(trx, uploadIds, { followupSeq: seq });
        });
      });
      if (!added.ok) {
        if (added.error instanceof ApiError && added.error.code === 'FOLLOWUP_LIMIT') {
          reply.header('retry-after', '3600');
        }
        throw added.error;
      }
      return reply.code(201).send({ received });
    },
  );
  done();
};

export default followups;
