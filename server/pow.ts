// Proof of work before every anonymous write, in altcha's format (deterministic
// mode, SHA-256): the server signs a challenge (HMAC, expiring) and keeps no
// state until a solution comes back; then the challenge is recorded as spent
// in the database, whose unique key makes every instance agree that it can be
// spent once.
//
// The HMACs are computed here with node:crypto on keys made once, exactly as
// altcha-lib computes them (HMAC-SHA-256 keyed with the secret's UTF-8 bytes,
// over the canonical JSON of the parameters, and over the derived key):
// altcha-lib takes only a secret string and imports it as a WebCrypto key for
// every call, which cost a fifth of the server's CPU under load. The key
// derivation stays altcha-lib's; test/server/pow.test.ts checks both ways that
// altcha-lib and this file accept each other's challenges.
import { createHash, createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { randomInt } from 'altcha-lib';
import type { Challenge, ChallengeParameters } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { z } from 'zod';
import type { CommitWindow } from './db/commit-window.ts';
import type { Db } from './db/database.ts';
import { spendChallenge } from './db/challenges.ts';
import { today } from './db/dates.ts';
import { difficultyAt } from './effort.ts';
import { ApiError } from './errors.ts';

export const POW_ALGORITHM = 'SHA-256';
const KEY_LENGTH = 32;

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
        data: z
          .record(
            z.string().max(32),
            z.union([z.string().max(128), z.number(), z.boolean(), z.null()]),
          )
          .optional(),
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

/** A verified proof, ready to be recorded as spent (db/challenges.ts, db/admission.ts). */
export interface VerifiedProof {
  /** SHA-256 of the challenge's signature: the key that makes it single-use. */
  digest: Uint8Array;
  /** The day after which the challenge can no longer verify, so its record may go. */
  expiresOn: string;
  /** The effort level the challenge was issued at (signed with it, so a client cannot raise it). */
  level: number;
}

export interface ProofOfWork {
  /** A challenge at effort `level` (0 when not given): difficulty × 2^level. */
  issue(level?: number): Promise<Challenge>;
  /** Checks a proof without spending it; throws ApiError when it does not verify. */
  verify(proof: Proof): VerifiedProof;
  /** Verifies a proof and spends it; throws ApiError otherwise. */
  spend(proof: Proof): Promise<void>;
}

/**
 * altcha's canonical JSON (JSON.stringify of the value with object keys sorted
 * at every depth outside arrays, undefined left out), written out directly.
 */
function canonicalJson(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return JSON.stringify(value);
  }
  const record = value as Record<string, unknown>;
  let out = '';
  for (const key of Object.keys(record).sort()) {
    if (record[key] === undefined) continue;
    out += `${out ? ',' : '{'}${JSON.stringify(key)}:${canonicalJson(record[key])}`;
  }
  return out ? `${out}}` : '{}';
}

function hmacHex(key: KeyObject, data: string | Uint8Array): string {
  return createHmac('sha256', key).update(data).digest('hex');
}

function sameHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** altcha's password in uint32 mode: the nonce, then the counter big-endian. */
function password(nonce: Uint8Array, counter: number): Uint8Array {
  const bytes = new Uint8Array(nonce.length + 4);
  bytes.set(nonce);
  new DataView(bytes.buffer).setUint32(nonce.length, counter, false);
  return bytes;
}

/**
 * The two HMAC secrets, in altcha-lib's terms, made from the server's one
 * secret: one signs the challenge, one the expected key.
 */
export function altchaSecrets(secret: string): {
  hmacSignatureSecret: string;
  hmacKeySignatureSecret: string;
} {
  const sub = (label: string) => createHmac('sha256', secret).update(label).digest('base64url');
  return {
    hmacSignatureSecret: sub('sealbox/pow/challenge'),
    hmacKeySignatureSecret: sub('sealbox/pow/key'),
  };
}

/** Records a verified proof as spent in `db` (a transaction); throws when it was spent before. */
export async function spendVerified(db: Db, proof: VerifiedProof): Promise<void> {
  if (!(await spendChallenge(db, proof.digest, proof.expiresOn))) {
    throw new ApiError(409, 'CHALLENGE_SPENT', 'proof of work already used: fetch a new one');
  }
}

export function proofOfWork(options: {
  db: Db;
  /** Spends commit in its windows (db/commit-window.ts); without, each at once. */
  commitWindow?: CommitWindow;
  secret: string;
  difficulty: number;
  expiresSeconds: number;
  topLevel: number;
}): ProofOfWork {
  // altcha keys its HMAC with the UTF-8 bytes of the secret string.
  const key = (secret: string) => createSecretKey(Buffer.from(secret, 'utf8'));
  const secrets = altchaSecrets(options.secret);
  const signatureKey = key(secrets.hmacSignatureSecret);
  const keySignatureKey = key(secrets.hmacKeySignatureSecret);

  const invalid = () => new ApiError(400, 'CHALLENGE_INVALID', 'proof of work does not verify');

  const pow: ProofOfWork = {
    async issue(level = 0) {
      if (!Number.isInteger(level) || level < 0 || level > options.topLevel) {
        throw new RangeError('effort level out of range');
      }
      const nonce = randomBytes(16);
      const salt = randomBytes(16);
      const expiresAt = Math.floor(Date.now() / 1000) + options.expiresSeconds;
      // Deterministic mode: the server picks the counter, publishes half of
      // the key it derives and signs the whole key; the client searches for it.
      const { derivedKey } = await deriveKey(
        {
          algorithm: POW_ALGORITHM,
          cost: 1,
          keyLength: KEY_LENGTH,
          nonce: '',
          salt: '',
          keyPrefix: '',
        },
        salt,
        password(nonce, randomInt(difficultyAt(options.difficulty, level))),
      );
      // Keys in canonical (sorted) order, as altcha-lib sends its own.
      const parameters: ChallengeParameters = {
        algorithm: POW_ALGORITHM,
        cost: 1,
        // The level rides in the signed parameters: changing it breaks the signature.
        data: { level },
        expiresAt,
        keyLength: KEY_LENGTH,
        keyPrefix: Buffer.from(derivedKey.subarray(0, KEY_LENGTH / 2)).toString('hex'),
        keySignature: hmacHex(keySignatureKey, derivedKey),
        nonce: nonce.toString('hex'),
        salt: salt.toString('hex'),
      };
      return { parameters, signature: hmacHex(signatureKey, canonicalJson(parameters)) };
    },

    verify(proof) {
      const { parameters, signature } = proof.challenge;
      const { counter, derivedKey } = proof.solution;
      if (parameters.algorithm !== POW_ALGORITHM || !parameters.expiresAt) throw invalid();
      if (parameters.expiresAt < Date.now() / 1000) {
        throw new ApiError(400, 'CHALLENGE_EXPIRED', 'proof of work expired: fetch a new one');
      }
      if (!sameHex(signature, hmacHex(signatureKey, canonicalJson(parameters)))) {
        throw invalid();
      }
      // Every challenge this server signs carries the key signature, so the
      // derived key alone is the proof (the counter only says where it was found).
      if (
        !parameters.keySignature ||
        !/^(?:[0-9a-f]{2})+$/.test(derivedKey) ||
        counter > 0xffffffff ||
        !sameHex(parameters.keySignature, hmacHex(keySignatureKey, Buffer.from(derivedKey, 'hex')))
      ) {
        throw invalid();
      }
      // Challenges signed before levels existed carry none: they were level 0.
      const level = parameters.data?.level ?? 0;
      if (typeof level !== 'number' || !Number.isInteger(level) || level < 0) throw invalid();
      return {
        level,
        digest: new Uint8Array(createHash('sha256').update(signature).digest()),
        // The day after the expiry day (UTC): from then on it cannot verify.
        expiresOn: today(new Date((parameters.expiresAt + 86_400) * 1000)),
      };
    },

    async spend(proof) {
      const verified = pow.verify(proof);
      await (options.commitWindow
        ? options.commitWindow.run((trx) => spendVerified(trx, verified))
        : spendVerified(options.db, verified));
    },
  };
  return pow;
}
