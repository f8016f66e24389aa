// Cases written straight into a fresh database with SQL, as a status lookup
// finds them: lookup hashes keyed with the server's pepper, no statements.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { getSodium } from '../../client-crypto/index.ts';

const BATCH = 2_000;

/** Inserts `count` cases and returns their lookup tokens. */
export async function insertCases(
  databaseUrl: string,
  pepper: Uint8Array,
  count: number,
  envelopeBytes: number,
): Promise<Buffer[]> {
  const sodium = await getSodium();
  const tokens: Buffer[] = [];
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const envelope = randomBytes(envelopeBytes);
    const today = new Date().toISOString().slice(0, 10);
    for (let at = 0; at < count; at += BATCH) {
      const n = Math.min(BATCH, count - at);
      const hashes: Buffer[] = [];
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const token = randomBytes(32);
        tokens.push(token);
        hashes.push(Buffer.from(sodium.crypto_generichash(32, token, pepper)));
        ids.push(randomBytes(16).toString('base64url'));
      }
      await client.query(
        `insert into submissions (case_id, lookup_hash, keyset_version, envelope, received, status_on)
         select id, hash, 1, $3, $4, $4 from unnest($1::text[], $2::bytea[]) as t(id, hash)`,
        [ids, hashes, envelope, today],
      );
    }
    await client.query('analyze submissions');
  } finally {
    await client.end();
  }
  return tokens;
}
