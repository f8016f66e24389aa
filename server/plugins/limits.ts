// Load shedding without tracking anyone: token buckets per route class shared
// by every client of this instance (no per-IP state), and @fastify/under-pressure
// to answer 503 before the process falls over.
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError, errorBody } from '../errors.ts';

export type RateClass = 'read' | 'write' | 'part';

declare module 'fastify' {
  interface FastifyContextConfig {
    rateClass?: RateClass;
  }
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

async function limits(
  app: FastifyInstance,
  options: { readsPerMinute: number; writesPerMinute: number; maxEventLoopDelayMs: number },
) {
  const buckets: Record<RateClass, TokenBucket> = {
    read: new TokenBucket(options.readsPerMinute),
    write: new TokenBucket(options.writesPerMinute),
    // Parts of large files come in quick succession; they were paid for when
    // the upload was created.
    part: new TokenBucket(options.readsPerMinute),
  };
  app.addHook('onRequest', async (request, reply) => {
    const rateClass = request.routeOptions.config.rateClass;
    if (!rateClass) return;
    const wait = buckets[rateClass].take();
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      throw new ApiError(429, 'RATE_LIMITED', 'too many requests: try again shortly');
    }
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
