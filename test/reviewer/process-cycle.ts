// A whole offline cycle through real `sealbox` processes, with every network
// module made to throw by a preload: organisation and reviewer keys, keyset,
// open a bundle, status, reply, stats, outbox check. Shared by the offline
// test (TypeScript sources through tsx) and the standalone test (the built
// single file under plain node, in an empty folder).
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Test } from 'tap';
import {
  type Keyset,
  deriveReceiptKeys,
  generateReceipt,
  getSodium,
  readStatementAsSubmitter,
  sealingKeys,
  verifyKeyset,
} from '../../client-crypto/index.ts';
import { readOutbox } from '../../reviewer/outbox.ts';
import { PASSPHRASE, epochKeysIn, writeBundle } from './fixtures.ts';

const exec = promisify(execFile);

// Written into the temp folder at run time: plain JavaScript that node loads
// with --import before anything else. It also logs every attempt, so that a
// command which caught the error could not hide a connection attempt.
export const BLOCK_NETWORK = `
import { appendFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import tls from 'node:tls';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import dgram from 'node:dgram';
const log = process.env.SEALBOX_TEST_NETWORK_LOG;
const blocked = (what) => function () {
  if (log) appendFileSync(log, what + '\\n');
  throw new Error('network blocked in this test: ' + what);
};
for (const name of ['connect', 'createConnection', 'createServer']) net[name] = blocked('net.' + name);
net.Socket.prototype.connect = blocked('net.Socket.connect');
tls.connect = blocked('tls.connect');
for (const name of ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveTxt', 'reverse']) {
  dns[name] = blocked('dns.' + name);
  dns.promises[name] = blocked('dns.promises.' + name);
}
for (const mod of [http, https]) for (const name of ['request', 'get', 'createServer']) mod[name] = blocked('http(s).' + name);
dgram.createSocket = blocked('dgram.createSocket');
globalThis.fetch = blocked('fetch');
globalThis.WebSocket = blocked('WebSocket');
syncBuiltinESMExports();
`;

// The same for the workbench: everything blocked as above, except that one
// server may listen, once, on 127.0.0.1 (http.createServer stays, as its
// listen goes through net.Server's, which is guarded). Any other listen, a
// second one, or one on another address throws and is logged. net's listen
// passes its host through dns.lookup, which answers an address literal
// without asking anyone: that one literal is let through, nothing else.
export const BLOCK_NETWORK_BUT_ONE_LISTENER = BLOCK_NETWORK.replace(
  'const log = process.env.SEALBOX_TEST_NETWORK_LOG;',
  'const log = process.env.SEALBOX_TEST_NETWORK_LOG;\nconst lookup = dns.lookup;',
)
  .replace(
    "for (const mod of [http, https]) for (const name of ['request', 'get', 'createServer'])",
    "https.createServer = blocked('https.createServer');\nfor (const mod of [http, https]) for (const name of ['request', 'get'])",
  )
  .replace(
    'syncBuiltinESMExports();',
    `dns.lookup = function (host, ...rest) {
  if (host !== '127.0.0.1') return blocked('dns.lookup')();
  return lookup.call(this, host, ...rest);
};
const listen = net.Server.prototype.listen;
let listened = false;
net.Server.prototype.listen = function (...args) {
  const first = args[0];
  const host = typeof first === 'object' && first !== null ? first.host : args[1];
  if (listened || host !== '127.0.0.1') return blocked('net.Server.listen ' + String(host))();
  listened = true;
  return listen.apply(this, args);
};
syncBuiltinESMExports();`,
  );

export interface Runner {
  /** Runs `sealbox ARGS` in `cwd`; resolves with the exit code and output, never rejects on a non-zero exit. */
  (args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }>;
}

export function processRunner(command: string, prefix: string[], env: NodeJS.ProcessEnv): Runner {
  return async (args, cwd) => {
    try {
      const { stdout, stderr } = await exec(command, [...prefix, ...args], {
        cwd,
        env,
        timeout: 60_000,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      if (typeof e.code !== 'number') throw error;
      return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  };
}

export function cycleEnv(networkLog: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SEALBOX_PASSPHRASE: PASSPHRASE,
    SEALBOX_KEYFILE_COST: 'test',
    SEALBOX_TEST_NETWORK_LOG: networkLog,
  };
}

type Assert = Pick<Test, 'equal' | 'match' | 'same'>;

export async function offlineCycle(t: Assert, sealbox: Runner, dir: string): Promise<void> {
  const ok = async (...args: string[]): Promise<string> => {
    const result = await sealbox(args, dir);
    t.equal(result.code, 0, `sealbox ${args.slice(0, 2).join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  const created = await ok('organisation', 'create', '--out', 'org.key');
  const fingerprint = /fingerprint: ([0-9A-Z-]+)/.exec(created)?.[1] ?? '';
  await ok('reviewer', 'create', '--name', 'Ana', '--out', 'ana.key', '--card', 'ana.card.json');
  await ok(
    'organisation', 'sign-keyset', '--key', 'org.key', '--reviewer', 'ana.card.json',
    '--version', '1', '--expires', '2099-12-31', '--out', 'keyset.json',
  ); // prettier-ignore
  t.match(await ok('fingerprint', 'keyset.json'), /reviewer Ana/);

  const keyset: Keyset = await verifyKeyset(
    JSON.parse(await readFile(join(dir, 'keyset.json'), 'utf8')),
    {
      fingerprint,
    },
  );
  t.match(
    await ok('reviewer', 'epochs', '--key', 'ana.key', '--cases', 'cases'),
    /Your keys now reach until/,
  );
  const epochs = await epochKeysIn(join(dir, 'cases', 'outbox.jsonl'));
  t.equal(epochs.length, 8, 'eight weekly keys ahead, in the outbox');
  const receipt = await generateReceipt();
  const submitter = await deriveReceiptKeys(receipt);
  const { replyKeyPair } = submitter;
  const file = (await getSodium()).randombytes_buf(70_000);
  await writeBundle(
    join(dir, 'bundle.sbx'),
    [
      {
        kind: 'submission',
        id: 'case-a',
        seq: 1,
        answers: {
          country: 'MM',
          un_body: 'human_rights_council',
          reprisal_kinds: ['surveillance'],
        },
        files: [{ name: 'evidence.pdf', bytes: file }],
      },
    ],
    await sealingKeys(keyset, epochs),
    submitter,
  );
  const opened = await ok(
    'review', 'open', 'bundle.sbx', '--key', 'ana.key', '--cases', 'cases',
    '--keyset', 'keyset.json', '--organisation', fingerprint,
  ); // prettier-ignore
  t.match(opened, /Opened 1 new item/);
  const saved = await readFile(
    join(dir, 'cases', 'case-a', '01-submission-2026-11-20', 'attachments', 'evidence.pdf'),
  );
  t.same(new Uint8Array(saved), file, 'attachment byte for byte');

  await ok('review', 'status', 'case-a', 'in_review', '--key', 'ana.key', '--cases', 'cases');
  await writeFile(join(dir, 'reply.txt'), 'Thank you. We are looking into it.');
  await ok(
    'review',
    'reply',
    'case-a',
    '--text-file',
    'reply.txt',
    '--key',
    'ana.key',
    '--cases',
    'cases',
  );
  t.match(
    await ok('review', 'check-outbox', '--cases', 'cases'),
    /All 2 statement\(s\) and 8 epoch key\(s\)/,
  );
  t.match(await ok('review', 'stats', '--cases', 'cases'), /Myanmar/);
  const outbox = await readOutbox(join(dir, 'cases', 'outbox.jsonl'));
  const reply = await readStatementAsSubmitter(outbox[9], keyset, replyKeyPair, 'case-a');
  t.equal(reply.text, 'Thank you. We are looking into it.');

  const wrong = await sealbox(
    [
      'review',
      'open',
      'bundle.sbx',
      '--key',
      'ana.key',
      '--cases',
      'cases',
      '--passphrase-file',
      'reply.txt',
    ],
    dir,
  );
  t.equal(wrong.code, 3, 'wrong passphrase has its own exit code');
  t.match(wrong.stderr, /passphrase is wrong/);
}
