// Parts in memory at once: a bounded number of turns, waiting in order, a
// refusal when the wait is too long or the queue too full, and buffers reused.
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { PartBuffers, collectYoungGeneration } from '../../server/upload-buffers.ts';

const limits = { slots: 2, waitMs: 200, queue: 1, idleMs: 50 };

t.test('turns, waiting, refusals', async (t) => {
  const buffers = new PartBuffers(limits);
  const a = await buffers.acquire(1000);
  const b = await buffers.acquire(500);
  t.equal(a?.bytes.length, 1000);
  t.equal(b?.bytes.length, 500);
  const waiting = buffers.acquire(800);
  t.match(buffers.size, { inUse: 2, waiting: 1, free: 0 });
  t.equal(await buffers.acquire(10), undefined, 'the queue is full: refused at once');
  buffers.release(a!);
  const c = await waiting;
  t.equal(c?.bytes.length, 800, 'the waiting part got the released turn');
  t.equal(c!.bytes.buffer, a!.bytes.buffer, 'and the released buffer, which was large enough');
  t.match(buffers.size, { inUse: 2, waiting: 0, free: 0 });

  const started = Date.now();
  t.equal(await buffers.acquire(10), undefined, 'no turn within waitMs: refused');
  t.ok(Date.now() - started >= 150);
  t.same(buffers.size.waiting, 0, 'the refused part left the queue');

  buffers.release(b!, false);
  buffers.release(c!);
  t.match(
    buffers.size,
    { inUse: 0, waiting: 0, free: 1 },
    'a buffer still held elsewhere is not kept',
  );
  const d = await buffers.acquire(2000);
  t.not(d!.bytes.buffer, c!.bytes.buffer, 'a free buffer too small for the part is not used');
  buffers.release(d!);
});

t.test('free buffers are dropped once uploads go quiet', async (t) => {
  const buffers = new PartBuffers(limits);
  const a = await buffers.acquire(1000);
  buffers.release(a!);
  t.equal(buffers.size.free, 1);
  await sleep(100);
  t.equal(buffers.size.free, 0);
  const b = await buffers.acquire(1000);
  t.equal(buffers.size.inUse, 1);
  buffers.release(b!);
});

t.test('young-generation collections, every so often', async (t) => {
  const minor: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const { kind } = (entry as PerformanceEntry & { detail: { kind: number } }).detail;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) minor.push(entry.startTime);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  t.teardown(() => observer.disconnect());
  t.equal(collectYoungGeneration(20), true, 'V8 offers them without --expose-gc');
  t.equal(collectYoungGeneration(20), true, 'started once');
  // Every 20 ms: eight within a few seconds even on a loaded machine (a busy
  // CI runner once saw seven in 300 ms); none at all if they never started.
  const start = performance.now();
  while (minor.length < 8 && performance.now() - start < 5000) await sleep(50);
  t.ok(minor.length >= 8, `${minor.length} young-generation collections while idling`);
});
