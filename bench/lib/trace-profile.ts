// Self time by function and by script, per thread, from a Chromium trace taken
// with the `disabled-by-default-v8.cpu_profiler` category: the sampling
// profiler writes one "Profile" and many "ProfileChunk" events per thread
// (the page's main thread and each worker), each chunk carrying new nodes of
// the call tree, the sampled node ids and the time deltas between samples.

interface CallFrame {
  functionName: string;
  url?: string;
  lineNumber?: number;
  columnNumber?: number;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  id?: string;
  args?: {
    name?: string;
    data?: {
      cpuProfile?: {
        nodes?: { id: number; callFrame: CallFrame }[];
        samples?: number[];
      };
      timeDeltas?: number[];
    };
  };
}

export interface ThreadProfile {
  name: string;
  /** Milliseconds of samples that were not idle. */
  busy: number;
  samples: number;
  /** Milliseconds of self time per script, highest first. */
  byScript: Map<string, number>;
  byFunction: { name: string; where: string; self: number }[];
}

/** The meaningless frames: not the page's work. */
const IDLE = new Set(['(idle)', '(program)', '(root)']);

function shortUrl(url: string | undefined): string {
  if (!url) return '(native)';
  return url.replace(/^https?:\/\/[^/]+\//, '');
}

export function summariseTrace(
  trace: { traceEvents: TraceEvent[] } | TraceEvent[],
): ThreadProfile[] {
  const events = Array.isArray(trace) ? trace : trace.traceEvents;
  const threadNames = new Map<string, string>();
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name' && e.args?.name)
      threadNames.set(`${e.pid}:${e.tid}`, e.args.name);
  }
  interface Acc {
    thread: string;
    frames: Map<number, CallFrame>;
    samples: number[];
    deltas: number[];
  }
  const profiles = new Map<string, Acc>();
  for (const e of events) {
    if (e.name !== 'Profile' && e.name !== 'ProfileChunk') continue;
    const key = `${e.pid}:${e.id ?? ''}`;
    let acc = profiles.get(key);
    if (!acc) {
      acc = { thread: `${e.pid}:${e.tid}`, frames: new Map(), samples: [], deltas: [] };
      profiles.set(key, acc);
    }
    const data = e.args?.data;
    for (const node of data?.cpuProfile?.nodes ?? []) acc.frames.set(node.id, node.callFrame);
    acc.samples.push(...(data?.cpuProfile?.samples ?? []));
    acc.deltas.push(...(data?.timeDeltas ?? []));
  }
  const out: ThreadProfile[] = [];
  for (const acc of profiles.values()) {
    if (acc.samples.length === 0) continue;
    const byScript = new Map<string, number>();
    const byFunction = new Map<string, { name: string; where: string; self: number }>();
    let busy = 0;
    let counted = 0;
    for (let i = 0; i < acc.samples.length; i++) {
      // A sample lasts until the next one (deltas are in microseconds).
      const took = (acc.deltas[i + 1] ?? 0) / 1000;
      const frame = acc.frames.get(acc.samples[i]!);
      const name = frame?.functionName || '(anonymous)';
      if (IDLE.has(name)) continue;
      busy += took;
      counted++;
      const script = shortUrl(frame?.url);
      byScript.set(script, (byScript.get(script) ?? 0) + took);
      const where = frame?.url
        ? `${script}:${(frame.lineNumber ?? 0) + 1}:${(frame.columnNumber ?? 0) + 1}`
        : script;
      const key = `${name}@${where}`;
      const f = byFunction.get(key) ?? { name, where, self: 0 };
      f.self += took;
      byFunction.set(key, f);
    }
    out.push({
      name: threadNames.get(acc.thread) ?? acc.thread,
      busy,
      samples: counted,
      byScript: new Map([...byScript].sort((a, b) => b[1] - a[1])),
      byFunction: [...byFunction.values()].sort((a, b) => b.self - a.self),
    });
  }
  return out.sort((a, b) => b.busy - a.busy);
}
