// One error handler for the whole API. Every failure leaves as
// `{ error: { code, message } }` with a stable code; a 5xx says nothing about
// what went wrong inside (the log has it, without the request).
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isSealboxError } from '../../client-crypto/index.ts';
import { ApiError, errorBody } from '../errors.ts';

const FASTIFY_CODES: Record<string, [number, string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'BODY_TOO_LARGE', 'request body is too large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', 'unsupported content type'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'REQUEST_INVALID', 'content length does not match'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'BODY_MISSING', 'request body is empty'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'JSON_INVALID', 'request body is not valid JSON'],
  FST_ERR_CTP_EMPTY_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', 'content type is missing'],
  FST_ERR_CTP_INVALID_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', 'unsupported content type'],
};

// The database is away (restarted, network cut, refusing connections): the
// request is answered 503 so clients retry, not 500 as if we had a bug.
const DATABASE_DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
]);
const DATABASE_DOWN_MESSAGE =
  /Connection terminated|connection error|Connection ended|timeout exceeded when trying to connect|the database system is (starting up|shutting down)/i;

export function isDatabaseUnavailable(error: { code?: unknown; message?: unknown }): boolean {
  const code = typeof error.code === 'string' ? error.code : '';
  return (
    DATABASE_DOWN_CODES.has(code) ||
    code.startsWith('08') ||
    (typeof error.message === 'string' && DATABASE_DOWN_MESSAGE.test(error.message))
  );
}

/** PostgreSQL's disk_full: the statement failed and stored nothing. */
const DISK_FULL = '53100';

function validationMessage(error: FastifyError): string {
  const fields = (error.validation ?? [])
    .map((v) => (v.instancePath || '/').replace(/^\//, '').replaceAll('/', '.') || 'body')
    .filter((f, i, all) => all.indexOf(f) === i)
    .slice(0, 5);
  const where = error.validationContext ?? 'request';
  return fields.length ? `invalid ${where}: ${fields.join(', ')}` : `invalid ${where}`;
}

function errors(app: FastifyInstance, _options: unknown, done: () => void) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) {
      return reply.code(error.statusCode).send(errorBody(error.code, error.message, error.detail));
    }
    if (error.validation) {
      return reply.code(400).send(errorBody('VALIDATION_FAILED', validationMessage(error)));
    }
    if (isSealboxError(error)) {
      return reply.code(400).send(errorBody(error.code, error.message));
    }
    const known = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (known) return reply.code(known[0]).send(errorBody(known[1], known[2]));
    if (error instanceof SyntaxError && error.statusCode === 400) {
      return reply.code(400).send(errorBody('JSON_INVALID', 'request body is not valid JSON'));
    }
    if (error.code === DISK_FULL) {
      request.log.error({ code: error.code }, 'database disk full');
      reply.header('retry-after', '300');
      return reply
        .code(503)
        .send(
          errorBody(
            'STORAGE_FULL',
            'the service cannot store anything right now; nothing was stored: try again later',
          ),
        );
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ code: error.code }, 'database unavailable');
      return reply.code(503).send(errorBody('DATABASE_UNAVAILABLE', 'try again in a moment'));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send(errorBody('REQUEST_INVALID', 'request is not acceptable'));
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send(errorBody('INTERNAL', 'internal error'));
  });

  app.setNotFoundHandler((request, reply) => {
    return reply.code(404).send(errorBody('NOT_FOUND', 'no such resource'));
  });
  done();
}

/**
 * Fastify's `frameworkErrors`: what it refuses before any route is found (a
 * path with a malformed percent-escape, an overlong path parameter). Fastify's
 * own answer has another shape and repeats the path back.
 */
export function frameworkErrors(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const [status, code, message]: [number, string, string] =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? [414, 'URL_TOO_LONG', 'the address is too long']
      : error.code === 'FST_ERR_BAD_URL'
        ? [400, 'URL_INVALID', 'the address is not valid']
        : [400, 'REQUEST_INVALID', 'request is not acceptable'];
  void reply.code(status).send(errorBody(code, message));
}

/**
 * Fastify's `clientErrorHandler`: a request Node's HTTP parser refused (bad
 * Content-Length, Content-Length with Transfer-Encoding, a broken chunk,
 * headers too large). Answered in the API's shape, then the connection closes;
 * nothing is logged (the request is not known, only its socket).
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message]: [number, string, string] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'HEADERS_TOO_LARGE', 'request headers are too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST_TIMEOUT', 'the request took too long to arrive']
        : [400, 'REQUEST_INVALID', 'request is not valid HTTP'];
  const body = JSON.stringify(errorBody(code, message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

export default fp(errors, { name: 'sealbox-errors' });
