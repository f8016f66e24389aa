// The whole-submission bar and its time estimate: one bar from 0 to 1 over every
// file and the report, never going back, and an estimate only once it means something.
import t from 'tap';
import fc from 'fast-check';
import {
  ESTIMATE_AFTER_FRACTION,
  ESTIMATE_AFTER_MS,
  roundedDuration,
  secondsLeft,
  wholeProgress,
} from '../../web/src/whole-progress.ts';

void t.test('the bar never goes back and ends at 1, whatever the files and events', async (t) => {
  const event = fc.oneof(
    fc.record({ kind: fc.constant('preparing'), i: fc.nat(5) }),
    fc.record({ kind: fc.constant('sending'), i: fc.nat(5), f: fc.double({ min: -1, max: 2 }) }),
    fc.record({ kind: fc.constantFrom('sealing', 'sendingReport') }),
  );
  fc.assert(
    fc.property(
      fc.array(fc.nat(50_000_000), { maxLength: 5 }),
      fc.array(event, { maxLength: 40 }),
      (sizes, events) => {
        const whole = wholeProgress(sizes);
        let last = 0;
        for (const e of events) {
          const value =
            e.kind === 'preparing'
              ? whole.preparing(e.i)
              : e.kind === 'sending'
                ? whole.sending(e.i, e.f)
                : e.kind === 'sealing'
                  ? whole.sealing()
                  : whole.sendingReport();
          if (!(value >= last && value <= 1)) return false;
          last = value;
        }
        return whole.done() === 1 && whole.value() === 1;
      },
    ),
  );
  t.pass('monotonic over random files and events');
});

void t.test('files in order fill the bar in proportion to their bytes', async (t) => {
  const mib = 1024 * 1024;
  const whole = wholeProgress([mib, 9 * mib]);
  t.equal(whole.preparing(0), 0, 'starts at 0');
  const firstDone = whole.sending(0, 1);
  t.ok(firstDone > 0.1 && firstDone < 0.12, `the 1 MiB file is about a tenth (${firstDone})`);
  t.equal(whole.preparing(1), firstDone, 'preparing the next file does not restart the bar');
  const half = whole.sending(1, 0.5);
  t.ok(half > 0.5 && half < 0.6, `half of the big file: past half the bar (${half})`);
  t.equal(whole.sending(0, 0.2), half, 'a late or retried event does not move it back');
  const sealing = whole.sealing();
  t.ok(sealing > 0.98 && sealing < 1, 'sealing the report is the last sliver');
  t.ok(whole.sendingReport() > sealing);
  t.equal(whole.done(), 1);

  const none = wholeProgress([]);
  t.equal(none.sealing(), 0, 'no files: sealing starts at 0');
  t.equal(none.sendingReport(), 0.5);
});

void t.test('an estimate only once it means something', async (t) => {
  t.equal(secondsLeft(ESTIMATE_AFTER_MS - 1, 0.5), undefined, 'too early');
  t.equal(secondsLeft(60_000, ESTIMATE_AFTER_FRACTION / 2), undefined, 'too little done');
  t.equal(secondsLeft(60_000, 1), undefined, 'nothing left');
  t.equal(secondsLeft(Number.NaN, 0.5), undefined);
  t.equal(secondsLeft(10_000, Number.NaN), undefined);
  t.equal(secondsLeft(10_000, 0.25), 30, '10 s for a quarter: 30 s for the rest');
  t.equal(secondsLeft(4_000, 0.999), 1, 'never "0 seconds"');
  t.same(roundedDuration(1), { unit: 'second', value: 5 });
  t.same(roundedDuration(31), { unit: 'second', value: 35 });
  t.same(roundedDuration(56), { unit: 'minute', value: 1 });
  t.same(roundedDuration(61), { unit: 'minute', value: 2 });
  t.same(roundedDuration(600), { unit: 'minute', value: 10 });
});
