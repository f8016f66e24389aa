// Refuse writes before the data volume is full. PGlite keeps the database in
// the data directory, and when a write there fails for lack of space PGlite
// does not return an error: the process spins and never answers again
// (measured on a full tmpfs; see test/faults/full-disk.test.ts). So every
// request that writes checks the free space first and is refused with 503
// STORAGE_FULL while fewer than `minFreeBytes` (plus the request's own size)
// remain. Nothing is stored for a refused request, so the client can retry
// later. With PostgreSQL the database lives elsewhere and reports a full disk
// itself (SQLSTATE 53100, mapped in plugins/errors.ts).
import { statfs } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.ts';

export interface StorageOptions {
  /** The directory whose volume holds the database; unset → no check. */
  dir: string | undefined;
  minFreeBytes: number;
}

export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

function storage(app: FastifyInstance, options: StorageOptions, done: () => void) {
  const { dir, minFreeBytes } = options;
  if (!dir || minFreeBytes === 0) {
    done();
    return;
  }
  let warned = false;
  app.addHook('onRequest', async (request, reply) => {
    const rateClass = request.routeOptions.config.rateClass;
    // Every class that stores something (new cases and follow-ups have their
    // own since they are priced apart); only reads pass a full disk.
    if (rateClass === undefined || rateClass === 'read') return;
    const incoming = Number(request.headers['content-length'] ?? 0) || 0;
    // A volume that cannot be measured is not refused: the database itself
    // reports a full disk where it can.
    const free = await freeBytes(dir).catch(() => Infinity);
    if (free - incoming >= minFreeBytes) {
      warned = false;
      return;
    }
    if (!warned) {
      warned = true;
      request.log.error(
        { freeBytes: free, minFreeBytes },
        'data volume nearly full: refusing writes until space is freed (SEALBOX_MIN_FREE_BYTES)',
      );
    }
    reply.header('retry-after', '300');
    throw new ApiError(
      503,
      'STORAGE_FULL',
      'the service cannot store anything right now; nothing was stored: try again later',
    );
  });
  done();
}

export default fp(storage, { name: 'sealbox-storage' });
