// The progress bar's estimate: words until there is something to estimate
// from, then a clock; never cli-progress's "NULL" or "INF" cut short.
import { PassThrough } from 'node:stream';
import t from 'tap';
import { progressBar, timeLeft } from '../../reviewer/progress.ts';

t.test('no estimate before there is one to make', (t) => {
  t.equal(timeLeft(0, 100, 0), 'estimating time left');
  t.equal(timeLeft(0, 100, 60_000), 'estimating time left', 'nothing done yet');
  t.equal(timeLeft(50, 100, 500), 'estimating time left', 'too early');
  t.equal(timeLeft(5, 1000, 60_000), 'estimating time left', 'under 1 %');
  t.equal(timeLeft(100, 100, 10), 'done');
  t.end();
});

t.test('then a clock', (t) => {
  t.equal(timeLeft(50, 100, 10_000), 'about 0:10 left');
  t.equal(timeLeft(10, 100, 60_000), 'about 9:00 left');
  t.equal(timeLeft(1, 100, 3_600_000), 'about 99:00:00 left');
  t.end();
});

t.test('the bar drawn on a terminal shows no junk', async (t) => {
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
  let drawn = '';
  stream.on('data', (chunk: Buffer) => (drawn += chunk.toString('utf8')));
  const bar = progressBar(stream, 'Opening bundle', 10 * 1024 * 1024, 'bytes');
  for (let i = 0; i < 10; i++) bar.advance(1024 * 1024);
  bar.stop();
  await new Promise((resolve) => setImmediate(resolve));
  t.match(drawn, /Opening bundle/);
  t.match(drawn, /estimating time left|done/);
  t.notMatch(drawn, /NULL|INF|NaN|\bNF|\bLL/);
});
