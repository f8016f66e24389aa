// Random malformed requests against every route, shared by the bad-input
// suite (a few thousand) and the soak (a hundred thousand and more). Each
// request is built by fast-check from a route, a content type and a body that
// is wrong in one of many ways; courier requests are often validly signed so
// that the fuzzing reaches past authentication.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import fc from 'fast-check';
import { toBase64Url } from '../../client-crypto/index.ts';
import { signRequest } from '../../reviewer/courier/http.ts';
import type { CourierClient } from '../../reviewer/courier/http.ts';
import { build, seedKeyset, testDatabase } from '../helper.ts';
import type { Teardown } from '../helper.ts';
import { Submitter } from './submitter.ts';

export interface FuzzContext {
  /** Ids that exist, so that some requests get past "not found". */
  uploadIds: string[];
  lookupTokens: string[];
  caseIds: string[];
  /** A real signed statement and keyset to mutate. */
  statement: unknown;
  keyset: unknown;
  /** A solved challenge (already spent or not). */
  proof: unknown;
  courier: CourierClient;
}

export interface FuzzOutcome {
  requests: number;
  byStatus: Record<number, number>;
  /** Requests whose answer was a 5xx or a 4xx without the error shape. */
  failures: { request: string; status: number; body: string }[];
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS';

const junkString = fc.oneof(
  fc.string({ maxLength: 64 }),
  fc.string({ unit: 'grapheme', maxLength: 64 }),
  fc.constantFrom(
    '',
    '..',
    '../../etc/passwd',
    '%00',
    '%ff%fe',
    'AAAA====',
    '-_-_',
    'null',
    '0x41',
  ),
  fc.string({
    unit: fc.constantFrom('A', '_', '-', '=', '+', '/', '%', '\u0000'),
    minLength: 1,
    maxLength: 60,
  }),
  fc.nat().map(String),
  fc.integer({ min: -2, max: 70_000 }).map(String),
);

function idArb(known: string[]): fc.Arbitrary<string> {
  const valid = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => toBase64Url(b));
  return known.length
    ? fc.oneof(fc.constantFrom(...known), valid, junkString)
    : fc.oneof(valid, junkString);
}

/** Replaces or removes one value somewhere inside a JSON value. */
function mutate(value: unknown): fc.Arbitrary<unknown> {
  const replacement = fc.oneof(
    fc.anything(),
    junkString,
    fc.constantFrom(null, true, -1, 1e309 as number, 2 ** 53 + 1, [], {}),
    fc.string({ minLength: 40_000, maxLength: 40_000 }).map((s) => s || 'x'.repeat(40_000)),
  );
  const paths: string[][] = [];
  const walk = (v: unknown, path: string[]): void => {
    paths.push(path);
    if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) walk(child, [...path, k]);
    }
  };
  walk(value, []);
  return fc
    .tuple(fc.constantFrom(...paths), replacement, fc.boolean())
    .map(([path, repl, drop]) => {
      if (path.length === 0) return repl;
      const copy = structuredClone(value) as Record<string, unknown>;
      let at: Record<string, unknown> = copy;
      for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>;
      const last = path[path.length - 1]!;
      if (drop) delete at[last];
      else at[last] = repl;
      return copy;
    });
}

interface Shape {
  method: Method;
  url: string;
  contentType?: string;
  body?: Buffer;
  json?: unknown;
  sign?: boolean;
}

function shapes(ctx: FuzzContext): fc.Arbitrary<Shape> {
  const uploadId = idArb(ctx.uploadIds);
  const token = idArb(ctx.lookupTokens);
  const good = {
    submission: {
      challenge: ctx.proof,
      lookupToken: ctx.lookupTokens[0],
      envelope: 'AAAA',
      uploads: ctx.uploadIds,
    },
    upload: { challenge: ctx.proof, size: 100_000, partSize: 65_536 },
    outbox: { statements: [ctx.statement] },
  };
  const jsonBodies = fc.oneof(
    fc.jsonValue(),
    fc.anything().map((v) => {
      try {
        return JSON.parse(JSON.stringify(v) ?? 'null') as unknown;
      } catch {
        return null;
      }
    }),
    mutate(good.submission),
    mutate(good.upload),
    mutate(good.outbox),
    mutate(ctx.keyset),
    token.map((t) => ({ lookupToken: t })),
    fc.record({ digest: junkString }),
    fc.record({ cursor: fc.oneof(fc.integer(), junkString, fc.double()) }),
  );
  const rawBodies = fc.oneof(
    fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
    fc.constantFrom(
      Buffer.from([0xff, 0xfe, 0xfd]),
      Buffer.from('{"lookupToken":"\xff\xfe"}', 'latin1'),
      Buffer.from('{"a":'),
      Buffer.from('[]'.repeat(2000)),
      Buffer.from('{'.repeat(5000)),
      Buffer.alloc(0),
      Buffer.alloc(40_000, 0x41),
    ),
  );
  const contentType = fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=latin1',
    'application/octet-stream',
    'text/plain',
    'multipart/form-data; boundary=x',
    'application/x-www-form-urlencoded',
    '',
    'application/ json',
    '\u00ff/\u00fe',
  );
  const at = (m: Method, url: fc.Arbitrary<string>) => url.map((u) => [m, u] as const);
  // Path segments sent as they are, not encoded: malformed percent-escapes,
  // overlong UTF-8, and parameters longer than the router accepts.
  const rawSegment = fc.oneof(
    fc.constantFrom('%zz', '%', '%e2%82', '%c0%af', '%ff%fe', 'a%2', '%%41', '%u0041', '%00'),
    fc.integer({ min: 101, max: 5000 }).map((n) => 'A'.repeat(n)),
  );
  const route = fc.oneof(
    at(
      'GET',
      fc.constantFrom('/v1/challenge', '/v1/keyset', '/healthz', '/readyz', '/openapi.json'),
    ),
    at('POST', fc.constant('/v1/uploads')),
    at(
      'GET',
      uploadId.map((id) => `/v1/uploads/${encodeURIComponent(id)}`),
    ),
    at(
      'PUT',
      fc
        .tuple(uploadId, fc.oneof(fc.integer({ min: -3, max: 70_000 }).map(String), junkString))
        .map(([id, n]) => `/v1/uploads/${encodeURIComponent(id)}/parts/${encodeURIComponent(n)}`),
    ),
    at(
      'POST',
      uploadId.map((id) => `/v1/uploads/${encodeURIComponent(id)}/finish`),
    ),
    at('POST', fc.constantFrom('/v1/submissions', '/v1/followups', '/v1/status')),
    at('POST', fc.constantFrom('/v1/courier/ack', '/v1/courier/outbox', '/v1/courier/epochs')),
    at('GET', fc.constantFrom('/v1/epochs', '/v1/courier/epochs')),
    at('PUT', fc.constant('/v1/courier/keyset')),
    at(
      'GET',
      fc
        .oneof(fc.constant(''), fc.integer({ min: -5, max: 2 ** 60 }).map(String), junkString)
        .map((a) => `/v1/courier/export${a ? `?after=${encodeURIComponent(a)}` : ''}`),
    ),
    at(
      'GET',
      junkString.map((s) => `/v1/${encodeURIComponent(s)}`),
    ),
    at(
      'GET',
      fc.constantFrom('/v1/uploads//parts/', '/v1/status?lookupToken=x', '/%2e%2e/secrets'),
    ),
    at(
      'PUT',
      fc
        .tuple(rawSegment, fc.oneof(fc.constant('0'), rawSegment))
        .map(([id, n]) => `/v1/uploads/${id}/parts/${n}`),
    ),
    at(
      'GET',
      rawSegment.map((s) => `/v1/uploads/${s}`),
    ),
    at(
      'POST',
      rawSegment.map((s) => `/v1/uploads/${s}/finish`),
    ),
  );
  const anyMethod = fc.constantFrom<Method>(
    'GET',
    'POST',
    'PUT',
    'DELETE',
    'PATCH',
    'HEAD',
    'OPTIONS',
  );
  // Mostly the route's own method, so that requests reach the handlers.
  const target = fc
    .tuple(route, anyMethod, fc.nat(9))
    .map(([[m, url], other, n]) => ({ method: n < 8 ? m : other, url }));
  return fc.oneof(
    fc
      .tuple(target, contentType, jsonBodies, fc.boolean())
      .map(([t, contentType, json, sign]) => ({ ...t, contentType, json, sign })),
    fc
      .tuple(target, contentType, rawBodies, fc.boolean())
      .map(([t, contentType, body, sign]) => ({ ...t, contentType, body, sign })),
    target,
  );
}

async function send(
  app: FastifyInstance,
  ctx: FuzzContext,
  s: Shape,
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = {};
  let payload: Buffer | undefined = s.body;
  if (s.json !== undefined) payload = Buffer.from(JSON.stringify(s.json) ?? 'null');
  if (s.sign && s.url.startsWith('/v1/courier/')) {
    const signed = await signRequest(ctx.courier, s.method, s.url, s.json ?? undefined);
    Object.assign(headers, signed.headers);
    if (signed.body && s.body) payload = s.body; // a body that no longer matches its digest
  }
  if (s.contentType !== undefined && payload !== undefined) headers['content-type'] = s.contentType;
  return app.inject({
    method: s.method,
    url: s.url,
    headers,
    ...(payload !== undefined ? { payload } : {}),
  });
}

function describe(s: Shape): string {
  const body =
    s.json !== undefined ? JSON.stringify(s.json) : s.body ? `<${s.body.length} bytes>` : '';
  return `${s.method} ${s.url} [${s.contentType ?? '-'}]${s.sign ? ' signed' : ''} ${body.slice(0, 200)}`;
}

/** True when a response is acceptable for a malformed request. */
export function wellFormedRefusal(res: LightMyRequestResponse, method: string): boolean {
  if (res.statusCode >= 500) return false;
  if (res.statusCode < 400 || method === 'HEAD') return true;
  try {
    const body = res.json<{ error?: { code?: unknown; message?: unknown } }>();
    return typeof body.error?.code === 'string' && typeof body.error.message === 'string';
  } catch {
    return false;
  }
}

export async function fuzz(
  app: FastifyInstance,
  ctx: FuzzContext,
  options: { runs: number; seed?: number },
): Promise<FuzzOutcome> {
  const outcome: FuzzOutcome = { requests: 0, byStatus: {}, failures: [] };
  const samples = fc.sample(shapes(ctx), {
    numRuns: options.runs,
    seed: options.seed ?? Date.now(),
  });
  for (const s of samples) {
    const res = await send(app, ctx, s);
    outcome.requests++;
    outcome.byStatus[res.statusCode] = (outcome.byStatus[res.statusCode] ?? 0) + 1;
    if (!wellFormedRefusal(res, s.method) && outcome.failures.length < 20) {
      outcome.failures.push({
        request: describe(s),
        status: res.statusCode,
        body: res.body.slice(0, 300),
      });
    }
  }
  return outcome;
}

/**
 * The server the fuzzing runs against: this process's own database (PGlite or
 * DATABASE_URL), a published keyset, small bodies, limits raised, listening
 * on loopback.
 */
export async function fuzzServer(t: Teardown) {
  const db = await testDatabase(t);
  const seeded = await seedKeyset(db);
  const { app } = await build(t, {
    db,
    env: {
      SEALBOX_ORG_PUBLIC_KEY: toBase64Url(seeded.org.publicKey),
      SEALBOX_BODY_LIMIT_BYTES: String(64 * 1024),
      SEALBOX_WRITES_PER_MINUTE: '1000000',
      SEALBOX_READS_PER_MINUTE: '10000000',
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return { app, db, seeded, base, client: new Submitter(base) };
}
