// Load shedding without tracking anyone: token buckets per route class shared
// by every client of this instance (no per-IP state), and @fastify/under-pressure
// to answer 503 before the process falls over.
//
// Only a paid request may take a write or part token: otherwise anyone could
// empty the shared bucket for free and lock out everyone who pays. So those
// tokens are taken after parsing, validation and courier authentication
// (preHandler), and only once the route's payment has been checked: a proof
// of work that verifies (an HMAC), or an upload that exists. An unpaid request
// gets its 4xx at the cost of that check and touches no bucket.
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError, errorBody } from '../errors.ts';
import type { LoadMonitor } from '../load.ts';
import type { Proof, ProofOfWork, VerifiedProof } from '../pow.ts';

export type RateClass = 'read' | 'write' | 'part' | 'case' | 'followup';

/**
 * What a write or part request must show before it takes a token. 'proof': a
 * proof of work in the body's `challenge` that verifies and has not taken a
 * token on this instance before. A function: throws the 4xx of a request that
 * has not paid (an upload id that names no upload, say).
 */
export type RatePayment = 'proof' | ((request: FastifyRequest) => Promise<void>);

declare module 'fastify' {
  interface FastifyContextConfig {
    rateClass?: RateClass;
    paidBy?: RatePayment;
    /**
     * 'minimum': a 'proof'-paid route whose proof must be at the minimum
     * effort level of the moment (server/load.ts); without, any level.
     */
    effort?: 'minimum';
    /**
     * With effort 'minimum': whether this request is exempt from it (an
     * upload for a case already open, say). Decided after the proof verifies.
     */
    effortWaived?: (request: FastifyRequest) => Promise<boolean>;
    /**
     * Which bucket a paid request takes its token from, when that depends on
     * the request (the route's `rateClass` otherwise). Decided after the proof
     * verifies and before anything is charged.
     */
    bucketOf?: (request: FastifyRequest) => Promise<RateClass>;
  }
  interface FastifyRequest {
    /** The proof of work a 'proof'-paid request verified with (set by the preHandler). */
    paidProof: VerifiedProof | null;
  }
}

/** The verified proof of a route paid by 'proof': verified once, in the preHandler. */
export function paidProof(request: FastifyRequest): VerifiedProof {
  if (!request.paidProof) throw new Error('the route is not paid by a proof of work');
  return request.paidProof;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = perMinute;
    this.last = now();
  }

  /** Takes one token; returns 0 on success or the seconds until one is free. */
  take(): number {
    const t = this.now();
    this.tokens = Math.min(
      this.perMinute,
      this.tokens + ((t - this.last) * this.perMinute) / 60_000,
    );
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) * 60) / this.perMinute);
  }
}

/**
 * The proofs of work that have taken a write token on this instance, each
 * until its challenge expires: a proof pays for one attempt, whatever its
 * answer, so replaying a solved proof (spent or not, refused or not) cannot
 * empty the bucket either. A proof refused 429 took no token and may be sent
 * again. At most as many entries as write tokens granted in a challenge's
 * lifetime.
 */
export class ChargedProofs {
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  has(key: string): boolean {
    const expiresAt = this.until.get(key);
    return expiresAt !== undefined && expiresAt * 1000 > this.now();
  }

  add(key: string, expiresAt: number): void {
    // Every entry expires within one challenge lifetime of being added, so
    // dropping expired ones from the oldest end keeps the map bounded.
    const now = this.now();
    for (const [old, at] of this.until) {
      if (at * 1000 > now) break;
      this.until.delete(old);
    }
    this.until.set(key, expiresAt);
  }
}

/** The day's hard cap on new cases is reached. */
export function dailyLimit(reply: FastifyReply): ApiError {
  reply.header('retry-after', '3600');
  return new ApiError(503, 'DAILY_LIMIT', 'the service takes no more cases today');
}

/** A proof below the minimum effort level of the moment. */
export function effortTooLow(minimumLevel: number): ApiError {
  return new ApiError(
    429,
    'EFFORT_TOO_LOW',
    `the service is busy: a proof of work at level ${minimumLevel} or higher is needed`,
    { minimumLevel },
  );
}

function takeToken(bucket: TokenBucket, reply: FastifyReply): void {
  const wait = bucket.take();
  if (wait > 0) {
    reply.header('retry-after', String(wait));
    throw new ApiError(429, 'RATE_LIMITED', 'too many requests: try again shortly');
  }
}

async function limits(
  app: FastifyInstance,
  options: {
    readsPerMinute: number;
    writesPerMinute: number;
    followupsPerMinute: number;
    maxEventLoopDelayMs: number;
    pow: ProofOfWork;
    load: LoadMonitor;
  },
) {
  const buckets: Record<RateClass, TokenBucket> = {
    read: new TokenBucket(options.readsPerMinute),
    write: new TokenBucket(options.writesPerMinute),
    // Parts of large files come in quick succession; they were paid for when
    // the upload was created.
    part: new TokenBucket(options.readsPerMinute),
    // New cases: a flood of cheap uploads never empties this one, and a
    // flood of cases raises their price (server/load.ts).
    case: new TokenBucket(options.writesPerMinute),
    // Follow-ups from cases already open: a flood of strangers' writes never
    // empties this one.
    followup: new TokenBucket(options.followupsPerMinute),
  };
  const charged = new ChargedProofs();
  app.decorateRequest('paidProof', null);

  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.rateClass === 'read') takeToken(buckets.read, reply);
  });

  app.addHook('preHandler', async (request, reply) => {
    const { rateClass, paidBy, effort, effortWaived, bucketOf } = request.routeOptions.config;
    if (rateClass === undefined || rateClass === 'read') return;
    if (paidBy === 'proof') {
      const proof = (request.body as { challenge: Proof }).challenge;
      const verified = options.pow.verify(proof);
      if (effort === 'minimum' && !(effortWaived && (await effortWaived(request)))) {
        // Refused before any token or record: the proof stays unspent.
        if (options.load.dayClosed()) throw dailyLimit(reply);
        const minimumLevel = options.load.minimumLevel();
        if (verified.level < minimumLevel) throw effortTooLow(minimumLevel);
      }
      const bucket = bucketOf ? await bucketOf(request) : rateClass;
      const key = Buffer.from(verified.digest).toString('hex');
      // No await from here on: the check, the token and the record are one step.
      if (charged.has(key)) {
        throw new ApiError(409, 'CHALLENGE_SPENT', 'proof of work already used: fetch a new one');
      }
      takeToken(buckets[bucket], reply);
      charged.add(key, proof.challenge.parameters.expiresAt!);
      request.paidProof = verified;
      return;
    }
    if (paidBy) await paidBy(request);
    takeToken(buckets[rateClass], reply);
  });

  await app.register(underPressure, {
    maxEventLoopDelay: options.maxEventLoopDelayMs,
    sampleInterval: 250,
    retryAfter: 10,
    pressureHandler: (_request, reply) => {
      void reply
        .code(503)
        .header('retry-after', '10')
        .send(errorBody('OVERLOADED', 'the service is busy: try again shortly'));
    },
  });
}

export default fp(limits, { name: 'sealbox-limits' });
