// How far a case folder has every item without a gap. Each bundle a courier
// carries holds the items after its start's `after` cursor up to its end's
// `cursor`; the folder records each bundle it opened completely, and from
// those knows up to which cursor, and up to which bundle date, it holds
// everything the server exported. Erasing an epoch's secret waits for that
// date (reviewer/epochs/erasure.ts): a bundle that does not connect to the
// ones before it (a gap) counts for nothing, whatever date it claims.
import type { BundleSpan, FolderState } from './records.ts';

/** Disconnected spans kept for a later bundle to connect them; more are dropped. */
const MAX_LOOSE_SPANS = 256;

/** The gapless reach from cursor 0: the last cursor, and the newest bundle date within it. */
export function gaplessReach(state: FolderState): BundleSpan | null {
  const first = state.bundles?.[0];
  return first && first.after === 0 ? first : null;
}

/**
 * Adds a bundle opened completely. Spans that connect to cursor 0 merge into
 * the first span (after 0, the furthest cursor, the newest date among them);
 * the others wait for the bundle that fills their gap.
 */
export function recordBundle(state: FolderState, bundle: BundleSpan): void {
  const spans = [...(state.bundles ?? []), bundle].sort(
    (a, b) => a.after - b.after || b.cursor - a.cursor,
  );
  let reach = null as BundleSpan | null;
  const loose: BundleSpan[] = [];
  for (const span of spans) {
    // Sorted by `after`: once one does not connect, none after it does.
    if (span.after === 0 || (reach && span.after <= reach.cursor)) {
      reach = {
        after: 0,
        cursor: Math.max(reach?.cursor ?? 0, span.cursor),
        created: reach && reach.created > span.created ? reach.created : span.created,
      };
    } else if (!loose.some((s) => s.after === span.after && s.cursor >= span.cursor)) {
      loose.push(span);
    }
  }
  state.bundles = [...(reach ? [reach] : []), ...loose.slice(-MAX_LOOSE_SPANS)];
}
