// A fresh PostgreSQL database per benchmark run, dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface FreshDatabase {
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function freshDatabase(adminUrl: string, label: string): Promise<FreshDatabase> {
  const name = `sealbox_bench_${label}_${randomBytes(4).toString('hex')}`;
  await admin(adminUrl, async (c) => {
    await c.query(`create database ${name}`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}

/** Whether PostgreSQL answers at this URL (benchmarks skip their PostgreSQL part if not). */
export async function postgresReachable(adminUrl: string | undefined): Promise<boolean> {
  if (!adminUrl) return false;
  try {
    await admin(adminUrl, (c) => c.query('select 1'));
    return true;
  } catch {
    return false;
  }
}
