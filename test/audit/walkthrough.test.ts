// docs/walkthrough.md, run as written: the DEMO service is started, a report
// is sent through the API (the page's part), then every command of the page's
// `sh` blocks runs in order in the same folder, and what each prints is checked
// against the `text` block that follows it. At the end the submitter reads the
// reviewer's answer, verified, as the page would.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import { readStatementAsSubmitter, verifyKeyset } from '../../client-crypto/index.ts';
import type { SignedStatement } from '../../client-crypto/index.ts';
import { Submitter, submitCase } from './submitter.ts';

const exec = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const tsx = import.meta.resolve('tsx');
const PAGE_URL = 'http://127.0.0.1:3000';

interface Step {
  commands: string[];
  prints: string[];
}

/** The page's `sh` blocks, each with the `text` block that follows it. */
function steps(markdown: string): Step[] {
  const blocks = [...markdown.matchAll(/^```(sh|text)\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1]!,
    lines: m[2]!.split('\n').filter((l) => l.trim() !== ''),
  }));
  const out: Step[] = [];
  for (const [i, block] of blocks.entries()) {
    if (block.lang !== 'sh') continue;
    const next = blocks[i + 1];
    out.push({ commands: block.lines, prints: next?.lang === 'text' ? next.lines : [] });
  }
  return out;
}

/** A printed line of the page as a pattern: "…" stands for anything. */
function pattern(line: string, url: string): RegExp {
  const parts = line.replaceAll(PAGE_URL, url).split('…');
  return new RegExp(parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+'));
}

t.test('docs/walkthrough.md works as written', async (t) => {
  const scripts = (
    JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts;
  // The page's commands run `npm run --silent sealbox --`: the script it names.
  t.equal(scripts.sealbox, 'tsx reviewer/cli.ts');
  const page = await readFile(join(repo, 'docs', 'walkthrough.md'), 'utf8');
  const [start, ...rest] = steps(page);
  t.same(start?.commands, ['npm install && npm start']);
  t.equal(rest.length, 4, 'pull, open, reply, push');

  const dir = await mkdtemp(join(tmpdir(), 'sealbox-walkthrough-'));
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8' };

  // Step 1, as `npm start` runs it (without the page build: this test needs the API).
  const server: ChildProcess = spawn(
    process.execPath,
    ['--import', tsx, join(repo, 'server', 'bin', 'main.ts')],
    {
      cwd: dir,
      env: { ...env, HOST: '127.0.0.1', PORT: '0', SEALBOX_WEB_DIR: join(dir, 'no-page') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // The folder goes only once the service has stopped writing to it.
  const exited = new Promise<void>((resolve) => {
    server.once('exit', () => resolve());
    server.once('error', () => resolve());
  });
  t.teardown(async () => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  });
  let printed = '';
  server.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
  server.stderr!.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
  for (let i = 0; i < 600 && !/organisation fingerprint: \S+/.test(printed); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const url = /listening on (http:\/\/\S+)/.exec(printed)?.[1];
  const fingerprint = /organisation fingerprint: (\S+)/.exec(printed)?.[1];
  if (!url || !fingerprint) throw new Error(`the service did not start:\n${printed}`);
  for (const line of start!.prints) {
    const wanted = line.replace(':3000', ':…');
    t.match(printed, pattern(wanted, url), `step 1 prints: ${line}`);
  }
  for (const row of page.matchAll(/^\| `(data\/[^`]*)`/gm)) {
    const path = row[1]!;
    if (path === 'data/demo/web/') continue; // the page is not built here
    t.ok(existsSync(join(dir, path)), `${path} is there, as the table says`);
  }

  // Step 2: a person sends a report (here through the API, as the page does).
  // A service that has just started may still answer 503 OVERLOADED (with
  // Retry-After) while its start-up work weighs on the event loop; the page retries.
  let published = await fetch(`${url}/v1/keyset`);
  for (let i = 0; published.status === 503 && i < 40; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    published = await fetch(`${url}/v1/keyset`);
  }
  t.equal(published.status, 200, 'the keyset, once the service has settled');
  const keyset = await verifyKeyset(await published.json(), {
    fingerprint,
  });
  const client = new Submitter(url);
  const filed = await submitCase(client, keyset, {
    answers: { country: 'MM' },
    message: 'They came to my parents’ house after I spoke in Geneva.',
  });
  const status = () =>
    client.json<{ caseId: string; statements: SignedStatement[] }>('POST', '/v1/status', {
      lookupToken: filed.lookupToken,
    });
  const { caseId } = await status();

  // Steps 3 to 6, each command as the page writes it.
  const cli = `"${process.execPath}" --import "${tsx}" "${join(repo, 'reviewer', 'cli.ts')}"`;
  for (const step of rest) {
    let output = '';
    for (const command of step.commands) {
      const line = command
        .replaceAll('npm run --silent sealbox --', cli)
        .replaceAll(PAGE_URL, url)
        .replaceAll('FINGERPRINT', fingerprint)
        .replaceAll(' CASE ', ` ${caseId.slice(0, 6)} `);
      const result = await exec('sh', ['-c', line], { cwd: dir, env }).catch(
        (error: { stdout?: string; stderr?: string; message: string }) => {
          t.fail(`${command}\n${error.stderr ?? error.message}`);
          return { stdout: error.stdout ?? '' };
        },
      );
      output += result.stdout;
    }
    for (const line of step.prints) {
      t.match(output, pattern(line, url), `${step.commands.at(-1)!.slice(0, 60)}… prints: ${line}`);
    }
  }

  // Step 7: the person reads the answer, verified against the pinned root.
  const answer = await status();
  const views = await Promise.all(
    answer.statements.map((s) =>
      readStatementAsSubmitter(s, keyset, filed.replyKeyPair, answer.caseId),
    ),
  );
  t.same(
    views.map((v) => [v.kind, v.status, v.text]),
    [['reply', 'in_review', 'Thank you. We have received your report and are looking at it.\n']],
  );
});
