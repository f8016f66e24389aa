// The watcher's only way onto the network: GET on one origin, answers read
// with a size bound, the whole run under one deadline, redirects followed only
// on the same origin. The server is presumed hostile: it may stall, send
// gigabytes (or a gzip bomb), or redirect the watcher elsewhere, and none of it
// may hang the watcher, fill its memory or make it check another site.
//
// Requests look like Tor Browser's own, so that a server that serves a bad page
// only to browsers cannot pick the watcher out by its headers alone.
const BROWSER_HEADERS = {
  'user-agent': 'Mozilla/5.0 (Windows NT 10.0; rv:128.0) Gecko/20100101 Firefox/128.0',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-language': 'en-US,en;q=0.5',
  'accept-encoding': 'gzip, deflate, br',
};

const MAX_REDIRECTS = 3;

/** What one GET gave: an answer (any status), or why there is none. */
export type Fetched =
  | { kind: 'answer'; path: string; status: number; headers: Headers; body: Uint8Array }
  | { kind: 'too-large'; path: string; limit: number; headers: Headers }
  | { kind: 'off-origin'; path: string; location: string }
  | { kind: 'unreachable'; path: string; reason: string };

export interface PageFetcher {
  origin: string;
  get(path: string, limit: number): Promise<Fetched>;
  /** Bytes read so far, all answers together. */
  readonly total: number;
}

/**
 * A fetcher for `origin` that gives up on everything once `timeoutMs` has
 * passed, and refuses to read more than `budget` bytes in all.
 */
export function pageFetcher(origin: string, timeoutMs: number, budget: number): PageFetcher {
  const deadline = AbortSignal.timeout(timeoutMs);
  let total = 0;
  const seconds = Math.round(timeoutMs / 1000);

  async function readBounded(response: Response, limit: number): Promise<Uint8Array | null> {
    const declared = Number(response.headers.get('content-length'));
    if (response.headers.get('content-encoding') === null && declared > limit) {
      await response.body?.cancel();
      return null;
    }
    const chunks: Uint8Array[] = [];
    let length = 0;
    if (response.body) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        length += value.length;
        total += value.length;
        if (length > limit || total > budget) {
          await reader.cancel();
          return null;
        }
        chunks.push(value);
      }
    }
    const body = new Uint8Array(length);
    let at = 0;
    for (const chunk of chunks) {
      body.set(chunk, at);
      at += chunk.length;
    }
    return body;
  }

  async function get(path: string, limit: number): Promise<Fetched> {
    let url = new URL(path, origin);
    for (let hop = 0; ; hop++) {
      if (deadline.aborted) {
        return { kind: 'unreachable', path, reason: `no time left (--timeout ${seconds})` };
      }
      let response: Response;
      try {
        response = await fetch(url, {
          headers: BROWSER_HEADERS,
          redirect: 'manual',
          signal: deadline,
        });
      } catch (error) {
        return { kind: 'unreachable', path, reason: networkReason(error, deadline, seconds) };
      }
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location !== null) {
        await response.body?.cancel();
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          return { kind: 'off-origin', path, location };
        }
        if (next.origin !== origin || hop >= MAX_REDIRECTS) {
          return { kind: 'off-origin', path, location: next.href };
        }
        url = next;
        continue;
      }
      try {
        const body = await readBounded(response, limit);
        if (body === null) return { kind: 'too-large', path, limit, headers: response.headers };
        return { kind: 'answer', path, status: response.status, headers: response.headers, body };
      } catch (error) {
        return { kind: 'unreachable', path, reason: networkReason(error, deadline, seconds) };
      }
    }
  }

  return {
    origin,
    get,
    get total() {
      return total;
    },
  };
}

function networkReason(error: unknown, deadline: AbortSignal, seconds: number): string {
  if (deadline.aborted) return `no answer within ${seconds} s (--timeout)`;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
