// The baseline: a bare Fastify server with no Sealbox code, on PostgreSQL
// (pg Pool) or PGlite. POST /v1/submissions validates the same JSON body and
// inserts the same bytes (token and envelope); POST /v1/status looks a token
// hash up by its unique index; GET /hello is Fastify's floor.
import { PGlite } from '@electric-sql/pglite';
import Fastify from 'fastify';
import pg from 'pg';

type Query = (text: string, params: unknown[]) => Promise<{ rows: unknown[] }>;

const url = process.env.DATABASE_URL;
let query: Query;
let close: () => Promise<void>;
if (url) {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  query = (text, params) => pool.query(text, params);
  close = () => pool.end();
} else {
  const db = await PGlite.create(process.env.BARE_PGLITE_DIR ?? 'memory://');
  query = (text, params) => db.query(text, params);
  close = () => db.close();
}
await query(
  `create table if not exists bare_submissions (
     seq bigserial primary key, token bytea not null unique, envelope bytea not null, received date not null)`,
  [],
);

const app = Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024 });
const b64 = { type: 'string', pattern: '^[A-Za-z0-9_-]*$' };
app.post(
  '/v1/submissions',
  {
    schema: {
      body: {
        type: 'object',
        required: ['challenge', 'lookupToken', 'envelope'],
        properties: {
          challenge: { type: 'object' },
          lookupToken: { ...b64, maxLength: 43 },
          envelope: { ...b64, maxLength: 2_000_000 },
          uploads: { type: 'array' },
        },
      },
    },
  },
  async (request, reply) => {
    const body = request.body as { lookupToken: string; envelope: string };
    const received = new Date().toISOString().slice(0, 10);
    await query('insert into bare_submissions (token, envelope, received) values ($1, $2, $3)', [
      Buffer.from(body.lookupToken, 'base64url'),
      Buffer.from(body.envelope, 'base64url'),
      received,
    ]);
    return reply.code(201).send({ received });
  },
);
app.post(
  '/v1/status',
  {
    schema: {
      body: {
        type: 'object',
        required: ['lookupToken'],
        properties: { lookupToken: { ...b64, maxLength: 43 } },
      },
    },
  },
  async (request, reply) => {
    const { lookupToken } = request.body as { lookupToken: string };
    const { rows } = await query(
      'select case_id, status, status_on, received from submissions where lookup_hash = $1',
      [Buffer.from(lookupToken, 'base64url')],
    );
    if (rows.length === 0) return reply.code(404).send({ error: 'not found' });
    return rows[0];
  },
);
app.get('/hello', () => ({ hello: 'world' }));

process.once('SIGTERM', () => {
  void app
    .close()
    .then(close)
    .then(() => process.exit(0));
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
console.log(
  `listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
);
