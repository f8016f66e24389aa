// One bar for a whole submission: every file's preparation and bytes, then the
// sealed report itself, as shares of a single total. The bar never goes back,
// and a time estimate is offered only once it means something.

/** Units (bytes) standing for the work around each file (proof of work, upload set-up). */
export const FILE_OVERHEAD = 64 * 1024;
/** Units standing for sealing and sending the report itself. */
export const DOCUMENT_WEIGHT = 64 * 1024;
/** Before this long, or this share, an estimate is mostly noise. */
export const ESTIMATE_AFTER_MS = 3000;
export const ESTIMATE_AFTER_FRACTION = 0.05;

export interface WholeProgress {
  /** File `index` is being prepared (its overhead is about to be spent). */
  preparing(index: number): number;
  /** File `index` has `fraction` (0..1) of its bytes sealed and sent. */
  sending(index: number, fraction: number): number;
  /** Every file is sent; the report is being sealed. */
  sealing(): number;
  /** The sealed report is on its way. */
  sendingReport(): number;
  done(): number;
  /** The fraction shown so far (0..1). */
  value(): number;
}

export function wholeProgress(fileSizes: readonly number[]): WholeProgress {
  const starts: number[] = [];
  let total = 0;
  for (const size of fileSizes) {
    starts.push(total);
    total += FILE_OVERHEAD + Math.max(0, size);
  }
  const documentStart = total;
  total += DOCUMENT_WEIGHT;
  let shown = 0;
  // Monotonic: a retried part or a re-sealed report never moves the bar back.
  const at = (units: number) => {
    shown = Math.max(shown, Math.min(1, Math.max(0, units / total)));
    return shown;
  };
  const size = (index: number) => Math.max(0, fileSizes[index] ?? 0);
  const clamp = (f: number) => (Number.isFinite(f) ? Math.min(1, Math.max(0, f)) : 0);
  return {
    preparing: (index) => at(starts[index] ?? documentStart),
    sending: (index, fraction) =>
      at((starts[index] ?? documentStart) + FILE_OVERHEAD + clamp(fraction) * size(index)),
    sealing: () => at(documentStart),
    sendingReport: () => at(documentStart + DOCUMENT_WEIGHT / 2),
    done: () => at(total),
    value: () => shown,
  };
}

/**
 * Seconds left at the pace so far, or undefined while an estimate would be noise
 * (too early, too little done) or pointless (done).
 */
export function secondsLeft(elapsedMs: number, fraction: number): number | undefined {
  if (!(elapsedMs >= ESTIMATE_AFTER_MS) || !(fraction >= ESTIMATE_AFTER_FRACTION)) return undefined;
  if (fraction >= 1) return undefined;
  return Math.max(1, Math.round((elapsedMs * (1 - fraction)) / fraction / 1000));
}

/** Rounds an estimate to what a person can use: seconds under a minute, then whole minutes. */
export function roundedDuration(seconds: number): { unit: 'second' | 'minute'; value: number } {
  if (seconds <= 55) return { unit: 'second', value: Math.max(5, Math.ceil(seconds / 5) * 5) };
  return { unit: 'minute', value: Math.ceil(seconds / 60) };
}
