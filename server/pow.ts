// Proof of work before every anonymous write, with altcha-lib: the server signs
// a challenge (HMAC, expiring) and keeps no state until a solution comes back;
// then the challenge is recorded as spent in the database, whose unique key
// makes every instance agree that it can be spent once.
import { createHash, createHmac } from 'node:crypto';
import { createChallenge, randomInt, verifySolution } from 'altcha-lib';
import type { Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { z } from 'zod';
import type { Db } from './db/database.ts';
import { spendChallenge } from './db/challenges.ts';
import { addDays, today } from './db/dates.ts';
import { ApiError } from './errors.ts';

export const POW_ALGORITHM = 'SHA-256';

const hex = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[0-9a-f]*$/);

/** What a client sends back: the challenge it was given and its solution. */
export const proofSchema = z
  .object({
    challenge: z.object({
      parameters: z.looseObject({
        algorithm: z.string().max(32),
        nonce: hex(128),
        salt: hex(128),
        cost: z.number().int().positive(),
        keyLength: z.number().int().positive().max(64),
        keyPrefix: hex(128),
        keySignature: hex(128).optional(),
        expiresAt: z.number().optional(),
      }),
      signature: hex(256),
    }),
    solution: z.object({
      counter: z.number().int().nonnegative(),
      derivedKey: hex(256),
      time: z.number().optional(),
    }),
  })
  .meta({ description: 'A solved proof-of-work challenge from GET /v1/challenge' });

export type Proof = z.infer<typeof proofSchema>;

export interface ProofOfWork {
  issue(): Promise<Challenge>;
  /** Verifies a proof and spends it; throws ApiError otherwise. */
  spend(proof: Proof): Promise<void>;
}

export function proofOfWork(options: {
  db: Db;
  secret: string;
  difficulty: number;
  expiresSeconds: number;
}): ProofOfWork {
  // Two HMAC keys from one secret: one signs the challenge, one the expected key.
  const sub = (label: string) =>
    createHmac('sha256', options.secret).update(label).digest('base64url');
  const hmacSignatureSecret = sub('sealbox/pow/challenge');
  const hmacKeySignatureSecret = sub('sealbox/pow/key');

  return {
    async issue() {
      return createChallenge({
        algorithm: POW_ALGORITHM,
        cost: 1,
        counter: randomInt(options.difficulty),
        deriveKey,
        expiresAt: Math.floor(Date.now() / 1000) + options.expiresSeconds,
        hmacSignatureSecret,
        hmacKeySignatureSecret,
      });
    },

    async spend(proof) {
      const challenge = proof.challenge as Challenge;
      if (challenge.parameters.algorithm !== POW_ALGORITHM || !challenge.parameters.expiresAt) {
        throw new ApiError(400, 'CHALLENGE_INVALID', 'proof of work does not verify');
      }
      const result = await verifySolution({
        challenge,
        solution: proof.solution,
        deriveKey,
        hmacSignatureSecret,
        hmacKeySignatureSecret,
      });
      if (result.expired) {
        throw new ApiError(400, 'CHALLENGE_EXPIRED', 'proof of work expired: fetch a new one');
      }
      if (!result.verified) {
        throw new ApiError(400, 'CHALLENGE_INVALID', 'proof of work does not verify');
      }
      const digest = createHash('sha256').update(challenge.signature!).digest();
      const expires = today(new Date(challenge.parameters.expiresAt * 1000));
      if (!(await spendChallenge(options.db, new Uint8Array(digest), addDays(expires, 1)))) {
        throw new ApiError(409, 'CHALLENGE_SPENT', 'proof of work already used: fetch a new one');
      }
    },
  };
}
