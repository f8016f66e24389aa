// POST /v1/courier/outbox: the reviewers' signed statements (status changes,
// replies, purges). Every one is verified against the current keyset before
// anything is written; then all are applied in one transaction, or none.
// Idempotent by statement id: the same outbox uploaded twice changes nothing.
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SignedStatement, Statement } from '../../client-crypto/index.ts';
import { isSealboxError, verifyStatement } from '../../client-crypto/index.ts';
import type { Db } from '../db/database.ts';
import { today } from '../db/dates.ts';
import { insertStatement, storedStatement } from '../db/statements.ts';
import { purgeCase, setCaseStatus, submissionByCaseId } from '../db/submissions.ts';
import { ApiError } from '../errors.ts';
import { currentKeyset } from '../plugins/courier-auth.ts';
import { errorSchema } from './schemas.ts';

const MAX_STATEMENTS = 5_000;

interface Verified {
  statement: Statement;
  /** Only the four signed fields, so that the stored text is the same for the same statement. */
  signed: string;
}

async function verifyAll(raw: unknown[], db: Db, app: FastifyInstance) {
  const keyset = await currentKeyset(db, app.sealbox.config);
  if (!keyset) throw new ApiError(409, 'KEYSET_MISSING', 'no keyset has been published yet');
  const verified: Verified[] = [];
  for (const [index, item] of raw.entries()) {
    try {
      const statement = await verifyStatement(item, keyset);
      const { format, payload, signature, signer } = item as SignedStatement;
      verified.push({ statement, signed: JSON.stringify({ format, payload, signature, signer }) });
    } catch (error) {
      if (!isSealboxError(error)) throw error;
      throw new ApiError(400, error.code, `statement ${index + 1}: ${error.message}`);
    }
  }
  return verified;
}

async function applyAll(db: Db, verified: Verified[]) {
  return db.transaction().execute(async (trx) => {
    let applied = 0;
    for (const [index, { statement, signed }] of verified.entries()) {
      const submission = await submissionByCaseId(trx, statement.caseId);
      if (!submission) {
        throw new ApiError(404, 'CASE_NOT_FOUND', `statement ${index + 1} names an unknown case`);
      }
      const isNew = await insertStatement(trx, {
        id: statement.id,
        submissionSeq: submission.seq,
        kind: statement.kind,
        signed,
        statedOn: statement.date,
      });
      if (!isNew) {
        const stored = await storedStatement(trx, statement.id);
        if (stored.signed !== signed || stored.submission_seq !== submission.seq) {
          throw new ApiError(
            409,
            'STATEMENT_CONFLICT',
            `statement ${index + 1} reuses the id of a different statement`,
          );
        }
        continue;
      }
      applied += 1;
      if (statement.kind === 'purge') {
        await purgeCase(trx, submission.seq, today());
      } else if (statement.status && !submission.purged_on) {
        // A purged case stays closed; later statements are kept for the submitter to read.
        await setCaseStatus(trx, submission.seq, statement.status, statement.date);
      }
    }
    return { applied, unchanged: verified.length - applied };
  });
}

const courierOutbox: FastifyPluginCallbackZod = (app, _options, done) => {
  const { db } = app.sealbox;
  app.post(
    '/v1/courier/outbox',
    {
      config: { rateClass: 'write' },
      schema: {
        summary: 'Upload signed reviewer statements (courier)',
        body: z.object({ statements: z.array(z.unknown()).max(MAX_STATEMENTS) }),
        response: {
          200: z.object({ applied: z.number().int(), unchanged: z.number().int() }),
          400: errorSchema,
          401: errorSchema,
          404: errorSchema,
          409: errorSchema,
        },
      },
    },
    async (request) => {
      const verified = await verifyAll(request.body.statements, db, app);
      return applyAll(db, verified);
    },
  );
  done();
};

export default courierOutbox;
