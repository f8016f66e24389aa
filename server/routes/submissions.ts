// A new case: the sealed envelope, the lookup token (stored only as a keyed
// hash) and the finished uploads it references, all in one transaction, with
// the proof of work spent by the same statement that stores the case
// (db/admission.ts), once the daily cap has granted an admission
// (db/daily-cap.ts).
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MAX_ATTACHMENTS } from '../../client-crypto/document.ts';
import { admitSubmission } from '../db/admission.ts';
import type { Admission, AdmissionOutcome } from '../db/admission.ts';
import { spendChallenge } from '../db/challenges.ts';
import { DailyAllowance } from '../db/daily-cap.ts';
import type { CapPool } from '../db/daily-cap.ts';
import type { CommitWindow } from '../db/commit-window.ts';
import { undoOnError } from '../db/commit-window.ts';
import { today } from '../db/dates.ts';
import { ApiError } from '../errors.ts';
import { effortTooLow, paidProof } from '../plugins/limits.ts';
import { proofSchema } from '../pow.ts';
import { acceptEnvelope, claimEveryUpload } from './envelope.ts';
import { base64url, dateSchema, decodeField, errorSchema, lookupTokenSchema } from './schemas.ts';
import { newId } from '../ids.ts';

/** The uploads a case or follow-up claims: as many as a document may list (docs/protocol.md). */
export const uploadIdsSchema = z
  .array(z.string().regex(/^[A-Za-z0-9_-]{22}$/))
  .max(MAX_ATTACHMENTS)
  .default([]);

/**
 * The case, in the transaction of the next commit window (db/commit-window.ts).
 * The claim of the attachments joins it; an unclaimable attachment undoes the
 * case but still spends the proof, as every other refusal that reaches the
 * database does (db/admission.ts).
 */
async function admitInWindow(
  window: CommitWindow,
  admission: Admission,
  uploadIds: string[],
): Promise<AdmissionOutcome> {
  const result = await window.run(async (trx) => {
    if (uploadIds.length === 0)
      return { ok: true as const, value: await admitSubmission(trx, admission) };
    const attempt = await undoOnError(trx, async () => {
      const outcome = await admitSubmission(trx, admission);
      if (outcome.admitted) {
        await claimEveryUpload(trx, uploadIds, { submissionSeq: outcome.seq });
      }
      return outcome;
    });
    if (
      !attempt.ok &&
      attempt.error instanceof ApiError &&
      attempt.error.code === 'UPLOAD_NOT_CLAIMABLE'
    ) {
      await spendChallenge(trx, admission.proof.digest, admission.proof.expiresOn);
    }
    return attempt;
  });
  if (!result.ok) throw result.error;
  return result.value;
}

const submissions: FastifyPluginCallbackZod = (app, _options, done) => {
  const { db, config, commitWindow, load } = app.sealbox;
  const allowance = new DailyAllowance(
    db,
    { soft: config.limits.submissionsPerDay, hard: config.limits.submissionsHardPerDay },
    (work) => commitWindow.run(work),
    (day, count) => load.noteDayCount(day, count),
  );

  /**
   * An admission for `day`: within the soft cap for any proof at the minimum
   * level, past it only for a top-level proof, up to the hard cap.
   */
  async function admissionFor(day: string, level: number): Promise<CapPool> {
    if (await allowance.take(day)) return 'soft';
    if (level >= load.topLevel && (await allowance.takeAboveSoft(day))) return 'hard';
    const aboveSoftOpen =
      config.limits.submissionsHardPerDay > config.limits.submissionsPerDay &&
      !allowance.isFull(day);
    if (level < load.topLevel && aboveSoftOpen) throw effortTooLow(load.topLevel);
    throw new ApiError(503, 'DAILY_LIMIT', 'the service takes no more cases today');
  }

  app.post(
    '/v1/submissions',
    {
      config: { rateClass: 'case', paidBy: 'proof', effort: 'minimum' },
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
          429: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const token = decodeField('lookupToken', body.lookupToken, 32);
      const { envelope, header } = await acceptEnvelope(db, body.envelope, 'submission');
      const uploadIds = [...new Set(body.uploads)];
      const proof = paidProof(request);
      const admission = {
        proof,
        submission: {
          caseId: newId(),
          lookupHash: await app.sealbox.lookupHash(token),
          keysetVersion: header.keysetVersion,
          envelope,
          received: today(),
          effortLevel: proof.level,
        },
      };
      const { received } = admission.submission;
      let pool: CapPool;
      try {
        pool = await admissionFor(received, proof.level);
      } catch (error) {
        if (error instanceof ApiError && error.code === 'DAILY_LIMIT') {
          reply.header('retry-after', '3600');
        }
        throw error;
      }
      let outcome: AdmissionOutcome | undefined;
      try {
        outcome = await admitInWindow(commitWindow, admission, uploadIds);
      } finally {
        if (!outcome?.admitted) allowance.giveBack(received, pool);
      }
      if (!outcome.admitted) {
        throw outcome.refused === 'proof spent'
          ? new ApiError(409, 'CHALLENGE_SPENT', 'proof of work already used: fetch a new one')
          : new ApiError(409, 'LOOKUP_TOKEN_TAKEN', 'a case with this receipt exists');
      }
      load.recordAdmission();
      return reply.code(201).send({ received });
    },
  );
  done();
};

export default submissions;
