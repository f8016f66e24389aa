// The upload helpers: re-cutting the encryption stream into exact parts, and
// retrying with backoff only what retrying can fix.
import t from 'tap';
import fc from 'fast-check';
import { rechunk } from '../../client-crypto/index.ts';
import { ApiError, isTransient } from '../../web/src/api.ts';
import { withRetry } from '../../web/src/upload.ts';

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const part of source) out.push(part.slice());
  return out;
}

async function* from(chunks: Uint8Array[]) {
  for (const chunk of chunks) {
    await Promise.resolve();
    yield chunk;
  }
}

void t.test('rechunk cuts any chunking into exact upload parts', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 20 }),
      fc.integer({ min: 1, max: 40 }),
      async (chunks, partSize) => {
        const parts = await collect(rechunk(from(chunks), partSize));
        const all = Buffer.concat(chunks);
        t.same(Buffer.concat(parts), all);
        t.equal(parts.length, Math.ceil(all.length / partSize));
        parts.slice(0, -1).forEach((p) => t.equal(p.length, partSize));
      },
    ),
    { numRuns: 200 },
  );
});

void t.test('withRetry backs off on transient failures only', async (t) => {
  const delays: number[] = [];
  const sleep = (ms: number) => {
    delays.push(ms);
    return Promise.resolve();
  };
  let calls = 0;
  const result = await withRetry(
    () => {
      calls += 1;
      if (calls < 4) return Promise.reject(new ApiError(0, 'NETWORK', 'down'));
      return Promise.resolve('done');
    },
    { retrying: () => undefined },
    { sleep, baseDelayMs: 100, maxDelayMs: 300 },
  );
  t.equal(result, 'done');
  t.same(delays, [100, 200, 300], 'exponential, capped');

  calls = 0;
  await t.rejects(
    withRetry(
      () => {
        calls += 1;
        return Promise.reject(new ApiError(409, 'UPLOAD_FINISHED', 'no'));
      },
      { retrying: () => undefined },
      { sleep },
    ),
    { code: 'UPLOAD_FINISHED' },
  );
  t.equal(calls, 1, 'a refusal is not retried');

  calls = 0;
  await t.rejects(
    withRetry(
      () => {
        calls += 1;
        return Promise.reject(new ApiError(503, 'BUSY', 'later'));
      },
      { retrying: () => undefined },
      { sleep, maxAttempts: 3 },
    ),
    { code: 'BUSY' },
  );
  t.equal(calls, 3, 'gives up after maxAttempts');

  t.ok(isTransient(new TypeError('Failed to fetch')));
  t.ok(isTransient(new ApiError(502, 'HTTP_502', 'bad gateway')));
  t.notOk(isTransient(new ApiError(400, 'VALIDATION_FAILED', 'bad')));
  t.notOk(isTransient(new Error('other')));
});
