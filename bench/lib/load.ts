// autocannon, in this process, against a server in another process. Each
// request takes the next prepared body, so every one carries its own lookup
// token and its own proof of work.
import autocannon from 'autocannon';

export interface LoadResult {
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  seconds: number;
  /** Successful requests per second over the whole run. */
  rate: number;
  p50: number;
  p99: number;
  statusCodes: Record<string, number>;
}

export async function load(options: {
  url: string;
  method?: 'GET' | 'POST';
  bodies?: string[];
  /** Bodies are used in turn; with `amount` the run ends when each was sent once. */
  amount?: number;
  duration?: number;
  connections?: number;
}): Promise<LoadResult> {
  const bodies = options.bodies;
  let next = 0;
  const statusCodes: Record<string, number> = {};
  const instance = autocannon({
    url: options.url,
    connections: Math.min(options.connections ?? 50, options.amount ?? Infinity),
    ...(options.amount ? { amount: options.amount } : { duration: options.duration ?? 10 }),
    // autocannon notices that the last request of an `amount` run is done only
    // at its next sample, every second by default: a 4.1 s run would count as
    // 5 s. Sampling every 20 ms keeps the duration, and so the rate, exact.
    sampleInt: 20,
    timeout: 30,
    requests: [
      {
        method: options.method ?? 'POST',
        headers: { 'content-type': 'application/json' },
        ...(bodies
          ? {
              setupRequest: (request: Record<string, unknown>) => ({
                ...request,
                body: bodies[next++ % bodies.length],
              }),
            }
          : {}),
      },
    ],
  });
  instance.on('response', (_client: unknown, statusCode: number) => {
    statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
  });
  const result = await instance;
  const ok = result['2xx'];
  return {
    requests: result.requests.total,
    ok,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    seconds: result.duration,
    rate: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    statusCodes,
  };
}
