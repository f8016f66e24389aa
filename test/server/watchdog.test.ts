// The watchdog ends a process whose event loop is stuck, and leaves a busy
// one alone.
import { spawn } from 'node:child_process';
import t from 'tap';

const root = new URL('../../', import.meta.url).pathname;

function run(
  body: string,
): Promise<{ signal: NodeJS.Signals | null; code: number | null; stderr: string }> {
  const script = `import { startWatchdog } from './server/watchdog.ts';\n${body}`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  // Should the watchdog fail, the spinning child must not outlive the test.
  const limit = setTimeout(() => child.kill('SIGTERM'), 30_000);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      clearTimeout(limit);
      resolve({ code, signal, stderr });
    }),
  );
}

t.test('a stuck event loop is ended with SIGKILL and a reason', async (t) => {
  const started = Date.now();
  const { signal, stderr } = await run('await startWatchdog(2); for (;;) {}');
  t.equal(signal, 'SIGKILL');
  t.match(stderr, /event loop has not run for 2 s/);
  t.ok(Date.now() - started < 20_000, 'within the limit and a little');
});

t.test('a busy but live event loop is left alone', async (t) => {
  // Blocks of 1.5 s, each well under the limit, for 5 s; then a clean exit.
  const { signal, code, stderr } = await run(`
    const dog = await startWatchdog(3);
    const until = Date.now() + 5000;
    const work = () => {
      const end = Date.now() + 1500;
      while (Date.now() < end) {}
      if (Date.now() < until) setTimeout(work, 600);
      else void dog.stop().then(() => process.exit(0));
    };
    setTimeout(work, 100);
  `);
  t.equal(signal, null, stderr);
  t.equal(code, 0);
});

t.test('0 turns it off', async (t) => {
  const { code } = await run('if ((await startWatchdog(0)) !== undefined) process.exit(3);');
  t.equal(code, 0);
});
