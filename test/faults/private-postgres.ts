// A PostgreSQL server of the test's own: a fresh cluster in a temporary
// directory, on a free port, run as the `postgres` user, so that a test may
// stop and start it without touching the machine's shared server.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Teardown } from '../helper.ts';

const exec = promisify(execFile);

/** The newest installed PostgreSQL's programs (Debian's layout). */
function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

/** Why a private server cannot run here, or false. */
export function cannotRunPrivatePostgres(): string | false {
  if (process.getuid?.() !== 0) return 'needs root (to run PostgreSQL as the postgres user)';
  if (!postgresBin()) return 'needs PostgreSQL installed under /usr/lib/postgresql';
  return false;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface PrivatePostgres {
  /** postgres:// URL of the database `sealbox` on it. */
  url: string;
  /** Fast shutdown: open connections are cut, as in a crash or a restart. */
  stop: () => Promise<void>;
  start: () => Promise<void>;
}

export async function privatePostgres(t: Teardown): Promise<PrivatePostgres> {
  const bin = postgresBin()!;
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-pg-'));
  const { stdout: ids } = await exec('id', ['-u', 'postgres']);
  const { stdout: gids } = await exec('id', ['-g', 'postgres']);
  await chown(dir, Number(ids), Number(gids));
  const data = join(dir, 'data');
  const port = await freePort();
  const asPostgres = (program: string, args: string[]) =>
    exec('runuser', ['-u', 'postgres', '--', join(bin, program), ...args], { cwd: dir });
  await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const pgctl = (action: string, extra: string[] = []) =>
    asPostgres('pg_ctl', [
      action,
      '-D',
      data,
      '-w',
      '-l',
      join(dir, 'log'),
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on`,
      ...extra,
    ]);
  await pgctl('start');
  let running = true;
  t.teardown(async () => {
    if (running) await pgctl('stop', ['-m', 'immediate']).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });
  await asPostgres('createdb', ['-h', dir, '-p', String(port), 'sealbox']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/sealbox`,
    stop: async () => {
      await pgctl('stop', ['-m', 'fast']);
      running = false;
    },
    start: async () => {
      await pgctl('start');
      running = true;
    },
  };
}
