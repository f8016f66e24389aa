// The logger must never record who talks to us: no IP address, user agent,
// header, token or body. Per-request lines are off entirely, because even a
// method and a path with a time next to it would tell when someone submitted
// (journald and most log shippers add times to every line). What remains:
// start-up, shutdown and errors, each serialised without its request.
import type { FastifyServerOptions } from 'fastify';
import type { Config } from './config.ts';

export function loggerOptions(
  level: Config['logLevel'],
  stream?: NodeJS.WritableStream,
): FastifyServerOptions['logger'] {
  return {
    level,
    timestamp: false,
    base: null,
    ...(stream ? { stream } : {}),
    serializers: {
      req: (req: { method?: string; routeOptions?: { url?: string } }) => ({
        method: req.method,
        route: req.routeOptions?.url,
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      err: (err: Error & { code?: unknown }) => ({
        type: err.name,
        code: typeof err.code === 'string' ? err.code : undefined,
        message: err.message,
        stack: err.stack ?? '',
      }),
    },
    redact: { paths: ['req.headers', 'req.ip', 'req.ips', 'req.hostname'], remove: true },
  };
}
