// A case folder opened by the real `review open` from a real bundle, and the
// workbench started on it; requests go over real HTTP with node:http, which
// (unlike fetch) lets a test send any Host header.
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { reviewOpen } from '../../reviewer/commands/review-open.ts';
import { type Workbench, startWorkbench } from '../../reviewer/workbench/server.ts';
import {
  type ItemSpec,
  type Setup,
  makeSetup,
  tempDir,
  writeBundle,
} from '../reviewer/fixtures.ts';

// The smallest valid PNG (one transparent pixel).
export const PNG = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  ),
);

export const ITEMS: ItemSpec[] = [
  {
    kind: 'submission',
    id: 'case-mm',
    seq: 1,
    received: '2026-03-04',
    answers: { country: 'MM', un_body: 'human_rights_council', reprisal_kinds: ['surveillance'], consent_public: 'no' }, // prettier-ignore
    message: 'They followed me after the session in Geneva.',
    files: [
      { name: 'photo.png', type: 'image/png', bytes: PNG },
      { name: 'notes<script>.html', type: 'text/html', bytes: new TextEncoder().encode('<script>alert(1)</script>') }, // prettier-ignore
    ],
  },
  {
    kind: 'submission',
    id: 'case-ni',
    seq: 2,
    received: '2026-05-10',
    answers: { country: 'NI', un_body: 'treaty_bodies', reprisal_kinds: ['threats', 'travel_ban'], consent_public: 'yes' }, // prettier-ignore
    message: 'My passport was taken at the airport. <img src=x onerror=alert(1)>',
  },
];

export interface Bench {
  setup: Setup;
  cases: string;
  workbench: Workbench;
}

/** Ana's case folder with ITEMS opened, and the workbench started on it. */
export async function startBench(
  t: { teardown(fn: () => Promise<void>): void },
  options: { open?: boolean; idleMinutes?: number; now?: () => Date } = {},
): Promise<Bench> {
  const dir = await tempDir(t);
  const setup = await makeSetup(dir);
  const cases = join(dir, 'cases');
  if (options.open !== false) {
    const bundle = join(dir, 'first.sbx');
    // Fresh specs: writeBundle remembers each spec's sealed bytes, and these keys are new.
    await writeBundle(
      bundle,
      ITEMS.map((i) => ({ ...i })),
      setup.sealing,
      setup,
    );
    await reviewOpen(
      {
        bundle,
        key: setup.anaKey,
        cases,
        keyset: setup.keysetFile,
        organisation: setup.orgFingerprint,
      },
      setup.io,
    );
  }
  const workbench = await startWorkbench({
    cases,
    key: setup.anaKey,
    idleMinutes: options.idleMinutes,
    ...(options.now ? { now: options.now } : {}),
    onFault: (error) => {
      throw error;
    },
  });
  t.teardown(() => workbench.close());
  return { setup, cases, workbench };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json(): { error?: { code: string; message: string } } & Record<string, unknown>;
}

/** One request to the workbench; `secret: false` leaves the header off, a string sends that one. */
export function call(
  wb: Workbench,
  path: string,
  options: {
    method?: string;
    host?: string;
    secret?: string | false;
    body?: string | Uint8Array;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {
    host: options.host ?? `127.0.0.1:${wb.port}`,
    ...options.headers,
  };
  if (options.secret !== false) headers['x-sealbox-workbench'] = options.secret ?? wb.secret;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: wb.port, path, method: options.method ?? 'GET', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: () => JSON.parse(body.toString('utf8')) as ReturnType<Answer['json']>,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export function postJson(wb: Workbench, path: string, value: unknown): Promise<Answer> {
  return call(wb, path, {
    method: 'POST',
    body: JSON.stringify(value),
    headers: { 'content-type': 'application/json' },
  });
}

/**
 * `sealbox review ui` as a real process: resolves once it printed its
 * address; `stop` sends Ctrl-C's signal and resolves with the exit code.
 */
export async function startUiProcess(
  command: string[],
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ workbench: Workbench; output: () => string; stop: () => Promise<number | null> }> {
  const child = spawn(command[0]!, [...command.slice(1), ...args], { cwd, env });
  let output = '';
  child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<URL>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString('utf8');
      const found = /open at (http:\/\/127\.0\.0\.1:\d+\/#\S+)/.exec(output);
      if (found) resolve(new URL(found[1]!));
    });
    void exited.then((code) => reject(new Error(`review ui exited (${code}): ${output}`)));
  });
  const workbench = {
    port: Number(url.port),
    secret: url.hash.slice(1),
    url: url.href,
  } as Workbench;
  return {
    workbench,
    output: () => output,
    stop: async () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}
