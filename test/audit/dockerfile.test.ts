// No container engine runs here, so the Dockerfile is checked from outside:
// every COPY source exists and is not excluded by .dockerignore, the final
// stage is a slim Node 20 image running as a non-root user with the data on
// a volume, and the very CMD and HEALTHCHECK commands, run with the image's
// environment on a scratch data directory, start the server and report it
// healthy.
import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { pgliteTemplate } from '../helper.ts';

const exec = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const dockerfile = await readFile(join(root, 'Dockerfile'), 'utf8');
const dockerignore = (await readFile(join(root, '.dockerignore'), 'utf8'))
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

/** Instructions with their continuation lines joined. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const stages = instructions
  .map((l, i) => [l, i] as const)
  .filter(([l]) => /^FROM /i.test(l))
  .map(([, i]) => i);
const finalStage = instructions.slice(stages[stages.length - 1]);

function execForm(keyword: string, lines: string[]): string[] {
  const line = lines.find((l) => l.toUpperCase().startsWith(`${keyword} `) && l.includes('['));
  if (!line) throw new Error(`no ${keyword}`);
  return JSON.parse(line.slice(line.indexOf('['))) as string[];
}

t.test('shape of the image', async (t) => {
  t.ok(stages.length >= 2, 'multi-stage');
  t.match(finalStage[0], /^FROM node:20[-.\w]*slim\b/, 'final stage is Node 20 slim');
  const user = finalStage.filter((l) => /^USER /i.test(l)).pop();
  t.ok(user, 'a USER is set');
  t.notMatch(user, /^USER\s+(root|0)(:|\s|$)/i, 'not root');
  t.ok(
    finalStage.some((l) => /^VOLUME .*\/data/.test(l)),
    'data on a volume',
  );
  t.ok(
    finalStage.some((l) => /SEALBOX_DATA_DIR=\/data/.test(l)),
    'data dir is the volume',
  );
  t.ok(
    finalStage.some((l) => /^HEALTHCHECK /.test(l)),
    'HEALTHCHECK',
  );
  t.notMatch(instructions.join('\n'), /\b(curl|wget)\b/, 'no tool the slim image lacks');
});

t.test('every COPY source exists and is sent to the builder', async (t) => {
  const copies = instructions.filter((l) => /^COPY /i.test(l) && !/--from=/.test(l));
  t.ok(copies.length > 3);
  for (const line of copies) {
    const parts = line
      .split(/\s+/)
      .slice(1)
      .filter((p) => !p.startsWith('--'));
    for (const source of parts.slice(0, -1)) {
      t.ok(existsSync(join(root, source)), `${source} exists`);
      t.notOk(
        dockerignore.some((pattern) => source === pattern || source.startsWith(`${pattern}/`)),
        `${source} is not in .dockerignore`,
      );
    }
  }
  const built = instructions.filter((l) => /^COPY --from=build /.test(l));
  t.ok(
    built.some((l) => l.includes('web/dist')),
    'the built page is copied from the build stage',
  );
});

t.test('the CMD starts the server and the HEALTHCHECK passes', async (t) => {
  const data = await mkdtemp(join(tmpdir(), 'sealbox-docker-data-'));
  t.teardown(() => rm(data, { recursive: true, force: true }));
  // A migrated template instead of a fresh database: a fresh one costs half a minute here.
  await cp(await pgliteTemplate(), join(data, 'pglite'), { recursive: true });
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: data };
  for (const line of finalStage.filter((l) => /^ENV /.test(l))) {
    for (const [, k, v] of line.slice(4).matchAll(/(\w+)=(\S+)/g)) env[k!] = v;
  }
  Object.assign(env, {
    HOST: '127.0.0.1',
    PORT: String(20_000 + Math.floor(Math.random() * 20_000)),
    SEALBOX_DATA_DIR: data,
    SEALBOX_LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  });
  const [command, ...args] = execForm('CMD', finalStage);
  const child = spawn(command!, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  const deadline = Date.now() + 60_000;
  while (!/listening on/.test(output) && Date.now() < deadline && child.exitCode === null) {
    await new Promise((r) => setTimeout(r, 200));
  }
  t.match(output, /listening on http:\/\/127\.0\.0\.1:/, 'the server started');
  t.match(output, /DEMO keys created/, 'start-up prepared the data directory');
  const healthcheck = execForm('HEALTHCHECK', finalStage);
  const [hcCommand, ...hcArgs] = healthcheck;
  const ok = await exec(hcCommand!, hcArgs, { env }).then(
    () => 0,
    (e: { code?: number }) => e.code ?? 1,
  );
  t.equal(ok, 0, 'HEALTHCHECK command exits 0');
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  t.equal(code, 0, 'SIGTERM shuts down cleanly');
  const down = await exec(hcCommand!, hcArgs, { env }).then(
    () => 0,
    (e: { code?: number }) => e.code ?? 1,
  );
  t.equal(down, 1, 'HEALTHCHECK fails once the server is gone');
});
