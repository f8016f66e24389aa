// What every route group gets: configuration, the database and the services
// built on the secrets. Decorated onto the app as `app.sealbox` so that route
// groups registered later (the courier API) reach the same objects.
import { getSodium } from '../client-crypto/index.ts';
import type { Config } from './config.ts';
import { CommitWindow } from './db/commit-window.ts';
import type { Db } from './db/database.ts';
import { LoadMonitor } from './load.ts';
import type { ProofOfWork } from './pow.ts';
import { proofOfWork } from './pow.ts';
import type { Secrets } from './secrets.ts';

export interface AppContext {
  config: Config;
  db: Db;
  pow: ProofOfWork;
  /** The minimum effort level a new case needs now (server/load.ts). */
  load: LoadMonitor;
  /** Where anonymous writes commit: together, at window boundaries. */
  commitWindow: CommitWindow;
  /** Keyed BLAKE2b-256 of a lookup token under the server's pepper. */
  lookupHash(token: Uint8Array): Promise<Uint8Array>;
}

declare module 'fastify' {
  interface FastifyInstance {
    sealbox: AppContext;
  }
}

export function appContext(config: Config, secrets: Secrets, db: Db): AppContext {
  const commitWindow = new CommitWindow(db, config.commitWindowMs);
  return {
    config,
    db,
    commitWindow,
    pow: proofOfWork({
      db,
      commitWindow,
      secret: secrets.powSecret,
      difficulty: config.pow.difficulty,
      expiresSeconds: config.pow.expiresSeconds,
      topLevel: config.pow.topLevel,
    }),
    load: new LoadMonitor(db, {
      topLevel: config.pow.topLevel,
      pinnedLevel: config.pow.pinnedLevel,
      windowMs: config.pow.windowSeconds * 1000,
      busyAdmissions: config.pow.busyAdmissions,
      softCap: config.limits.submissionsPerDay,
      hardCap: config.limits.submissionsHardPerDay,
    }),
    async lookupHash(token) {
      const sodium = await getSodium();
      return sodium.crypto_generichash(32, token, secrets.pepper);
    },
  };
}
