// Cross-origin access for the saved page (web/build-saved.ts): a file opened from
// disk has the opaque origin "null", and a page served from the organisation's
// other address (onion or clearnet) has another origin than this one. Exactly
// the routes that page calls answer them, to any origin (`*`), never with
// credentials: none exist (no cookie, no session, no Authorization on these
// routes), every write carries a proof of work, and everything written is
// sealed in the page. Courier routes, health, OpenAPI and the page's own files
// get no CORS header at all, so no other origin can read them.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** The public routes the page calls, with the methods it uses on each (web/src/api.ts). */
export const CORS_ROUTES: Readonly<Record<string, readonly string[]>> = {
  '/v1/keyset': ['GET'],
  '/v1/epochs': ['GET'],
  '/v1/challenge': ['GET'],
  '/v1/uploads': ['POST'],
  '/v1/uploads/:uploadId': ['GET'],
  '/v1/uploads/:uploadId/parts/:part': ['PUT'],
  '/v1/uploads/:uploadId/finish': ['POST'],
  '/v1/submissions': ['POST'],
  '/v1/status': ['POST'],
  '/v1/followups': ['POST'],
};

/** The one request header the page sets (JSON bodies and upload parts). */
const ALLOWED_HEADERS = 'content-type';
/** Seconds a browser may reuse a preflight answer. */
const PREFLIGHT_MAX_AGE = '600';

function corsMethods(url: string | undefined, method: string): readonly string[] | undefined {
  if (url === undefined) return undefined;
  const methods = CORS_ROUTES[url];
  if (!methods) return undefined;
  // HEAD rides along with GET in Fastify; the preflight route is ours too.
  if (method === 'OPTIONS' || methods.includes(method === 'HEAD' ? 'GET' : method)) return methods;
  return undefined;
}

function cors(app: FastifyInstance, _options: unknown, done: (err?: Error) => void): void {
  for (const [url, methods] of Object.entries(CORS_ROUTES)) {
    app.options(url, { schema: { hide: true }, config: { rateClass: 'read' } }, (_request, reply) =>
      reply
        .code(204)
        .header('access-control-allow-methods', methods.join(', '))
        .header('access-control-allow-headers', ALLOWED_HEADERS)
        .header('access-control-max-age', PREFLIGHT_MAX_AGE)
        .send(),
    );
  }
  // On every answer of these routes, errors included: the page must read the
  // error code of a refused write (and a 429's Retry-After) as it does same-origin.
  app.addHook('onSend', async (request, reply, payload) => {
    if (corsMethods(request.routeOptions.url, request.method)) {
      reply.header('access-control-allow-origin', '*');
      reply.header('access-control-expose-headers', 'retry-after');
      reply.removeHeader('access-control-allow-credentials');
    }
    return payload;
  });
  done();
}

export default fp(cors, { name: 'sealbox-cors' });
