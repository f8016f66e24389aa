// `npm run mutate [-- TARGET…]`: mutation testing of the code that keeps
// submissions confidential, private and durable. Each target mutates a few
// line ranges of one file and runs only the tests that must notice a change
// there, so a weakening that the suite would let through shows up as a
// surviving mutant. Not part of `npm test`: it takes tens of minutes.
// Results: a table on stdout, HTML and JSON reports under reports/mutation/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Stryker } from '@stryker-mutator/core';

interface Target {
  /** What a surviving mutant here would weaken. */
  why: string;
  /** Stryker `mutate` entries: FILE or FILE:FROM-TO (lines). */
  mutate: string[];
  tests: string[];
}

const TARGETS: Record<string, Target> = {
  envelope: {
    why: 'confidentiality of every document: fresh content key and nonce, key wrap bound to the recipient and header, refusal of tampered envelopes',
    // wrapKeys and sealEnvelope; openEnvelope.
    mutate: ['client-crypto/envelope.ts:108-171', 'client-crypto/envelope.ts:195-269'],
    tests: [
      'test/client-crypto/envelope.test.ts',
      'test/client-crypto/freshness.test.ts',
      'test/client-crypto/vectors.test.ts',
    ],
  },
  attachment: {
    why: 'integrity of attachments: refusal of a source that lies about its size, of a wrong key or header, of reordered, unfinished or altered streams',
    // What the tests are weakest on, to keep the run bounded: the refusal of a
    // source that lies about its size; the key and header checks, the chunk
    // order, the final chunk and the digest of decryptAttachment. Left out: the
    // chunk lengths and the zero padding (every truncation and every single
    // byte change are tried by the tests), and encryption itself (any change
    // there fails the round trips).
    mutate: [
      'client-crypto/attachment-stream.ts:123-129',
      'client-crypto/attachment-stream.ts:170-186',
      'client-crypto/attachment-stream.ts:208-216',
      'client-crypto/attachment-stream.ts:226-231',
    ],
    tests: ['test/client-crypto/attachment-stream.test.ts', 'test/client-crypto/freshness.test.ts'],
  },
  receipt: {
    why: 'the lookup token, reply key and author key derived from the receipt, and its check symbols',
    // valueOf, checkSymbols, generateReceipt; deriveReceiptKeys.
    mutate: ['client-crypto/receipt.ts:21-36', 'client-crypto/receipt.ts:80-103'],
    tests: ['test/client-crypto/receipt.test.ts', 'test/client-crypto/vectors.test.ts'],
  },
  pepper: {
    why: 'the lookup hash keyed with the server pepper, so a database dump alone does not find a case from a receipt',
    mutate: ['server/context.ts'],
    tests: ['test/server/pepper.test.ts'],
  },
  pull: {
    why: 'durability of `courier pull`: written, fsynced and renamed before the server is told',
    // complete(); the end of courierPull (write, sync, rename, acknowledge).
    mutate: ['reviewer/courier/pull.ts:86-98', 'reviewer/courier/pull.ts:144-168'],
    tests: ['test/reviewer/pull-durability.test.ts'],
  },
  'courier-client': {
    why: 'what the courier signs: a fresh nonce for every request, method, path, query and body digest covered',
    // courierClient, signRequest, send.
    mutate: ['reviewer/courier/http.ts:21-108'],
    tests: ['test/reviewer/courier-client.test.ts', 'test/server/courier-auth.test.ts'],
  },
  'courier-auth': {
    why: 'the server-side courier signature: only a listed courier key, once, within its window, over method, path, query and body',
    // findCourier and contentDigestMatches; authenticate.
    mutate: ['server/plugins/courier-auth.ts:107-127', 'server/plugins/courier-auth.ts:147-233'],
    tests: ['test/server/courier-auth.test.ts'],
  },
  pow: {
    why: 'proof of work before every anonymous write: signed, unexpired, solved, at the level it was issued, spent once',
    // sameHex; the level check of issue; verify.
    mutate: ['server/pow.ts:108-110', 'server/pow.ts:160-163', 'server/pow.ts:197-226'],
    tests: ['test/server/pow.test.ts'],
  },
  padding: {
    why: 'the padded length of documents and attachments, which hides how long a testimony is',
    mutate: ['client-crypto/padding.ts'],
    tests: ['test/client-crypto/padding.test.ts'],
  },
  keys: {
    why: 'key generation, reviewer and courier cards, their length checks and fingerprints',
    // The functions, not the length constants above them.
    mutate: ['client-crypto/keys.ts:54-200'],
    tests: ['test/client-crypto/keys.test.ts'],
  },
  keyfile: {
    why: 'key files locked with a passphrase: bound to their kind and cost, capped cost, refusal of a wrong passphrase',
    mutate: ['client-crypto/keyfile.ts:33-143'],
    tests: ['test/client-crypto/keyfile.test.ts'],
  },
  'reviewer-secrets': {
    why: "a reviewer's secret: its epoch keys, their encoding and the key ring that opens envelopes",
    mutate: ['client-crypto/reviewer-secrets.ts:58-199'],
    tests: ['test/client-crypto/reviewer-secrets.test.ts'],
  },
  keyset: {
    why: 'the keyset every envelope is sealed to: signed by the pinned root, unexpired, versions only going up',
    // The signed-object helpers it shares with statements; checkKeyset and verifyKeyset.
    mutate: ['client-crypto/signed.ts:16-88', 'client-crypto/keyset.ts:40-140'],
    tests: ['test/client-crypto/keyset.test.ts'],
  },
  statement: {
    why: "reviewers' signed statements: who may sign them, for which case, and what a submitter sees",
    mutate: ['client-crypto/statement.ts:51-190'],
    tests: ['test/client-crypto/statement.test.ts'],
  },
  encoding: {
    why: 'the wire encodings every key, signature and envelope passes through: strict base64url, UTF-8 and the Crockford symbols of receipts and fingerprints',
    mutate: ['client-crypto/encoding.ts:10-110'],
    tests: ['test/client-crypto/encoding.test.ts'],
  },
  'page-signature': {
    why: "the organisation's signature over a built page: signed by the pinned root, naming it, over a well-formed payload",
    // checkPayload, signPage, verifyPageSignature; not the constants above them.
    mutate: ['client-crypto/page-signature.ts:46-146'],
    tests: ['test/client-crypto/page-signature.test.ts'],
  },
  epoch: {
    why: "reviewers' epoch keys: signed by a reviewer of the keyset, within their days, the current one chosen for sealing, none missing",
    // From addDays on: the date checks, the payload check, verification and the choice of keys.
    mutate: ['client-crypto/epoch.ts:71-252'],
    tests: ['test/client-crypto/epoch.test.ts'],
  },
  'bundle-frame': {
    why: "the bundle reader's framing: exact lengths, the bounds of meta and body, every record's checksum and the bundle digest",
    mutate: ['client-crypto/bundle-frame.ts:19-164'],
    tests: ['test/client-crypto/bundle.test.ts'],
  },
  'bundle-format': {
    why: 'what a bundle record may hold: its type, only known fields, well-formed ids, counts and digests, its header',
    // The functions; not the record types and sizes above them.
    mutate: ['client-crypto/bundle-format.ts:88-200'],
    tests: ['test/client-crypto/bundle.test.ts'],
  },
  'bundle-encoder': {
    why: 'the bundle writer: records in order, attachments after their item, the end record counting and digesting them all',
    mutate: ['client-crypto/bundle-encoder.ts:27-190'],
    tests: ['test/client-crypto/bundle.test.ts'],
  },
  'bundle-reader': {
    why: 'the bundle reader: damaged records reported and skipped, attachments checked even when skipped, removed records found by the end record',
    mutate: ['client-crypto/bundle-reader.ts:36-286'],
    tests: ['test/client-crypto/bundle.test.ts'],
  },
  document: {
    why: 'the sealed documents and replies: their fields checked, the author signature, a reply opened only by its key',
    mutate: ['client-crypto/document.ts:87-282'],
    tests: ['test/client-crypto/envelope.test.ts', 'test/client-crypto/vectors.test.ts'],
  },
  'safe-name': {
    why: "attachment and case names from anyone, written to the reviewer's disk: never a path, hidden, reserved or runnable",
    // The functions; not the regular expressions above them (about a hundred
    // mutants of character classes alone).
    mutate: ['reviewer/cases/safe-name.ts:44-125'],
    tests: ['test/reviewer/safe-name.test.ts'],
  },
};

const REPORTS = 'reports/mutation';

/** What the sandbox copy of the project leaves out: outputs of earlier runs, never inputs. */
const IGNORE = [
  '/.tap',
  '/coverage',
  '/test-artifacts',
  '/data',
  '/dist',
  '/web/dist',
  '/.ci/out',
  '/reports',
  '*.log',
];

type Results = Awaited<ReturnType<Stryker['runMutationTest']>>;

interface Row {
  target: string;
  killed: number;
  survived: number;
  timeout: number;
  noCoverage: number;
  errors: number;
  ignored: number;
  score: number;
  seconds: number;
}

function summarise(target: string, results: Results, seconds: number): Row {
  const count = (...statuses: string[]) =>
    results.filter((r) => statuses.includes(r.status)).length;
  const killed = count('Killed');
  const survived = count('Survived');
  const timeout = count('Timeout');
  const noCoverage = count('NoCoverage');
  const detected = killed + timeout;
  const valid = detected + survived + noCoverage;
  return {
    target,
    killed,
    survived,
    timeout,
    noCoverage,
    errors: count('CompileError', 'RuntimeError'),
    ignored: count('Ignored'),
    score: valid === 0 ? 100 : Math.round((1000 * detected) / valid) / 10,
    seconds,
  };
}

function survivors(results: Results): string[] {
  return results
    .filter((r) => r.status === 'Survived' || r.status === 'NoCoverage')
    .map(
      (r) =>
        `  ${r.fileName}:${r.location.start.line}:${r.location.start.column} ${r.mutatorName} → ${JSON.stringify(r.replacement ?? '')} (${r.status})`,
    );
}

async function run(name: string, target: Target, concurrency: number): Promise<Results> {
  // Each test file runs as a plain tap script, one after the other, stopping
  // at the first failure: a failing tap script exits non-zero, as under the
  // runner, and skipping the runner's start-up makes each mutant about four
  // times faster. TAP_TIMEOUT is the suite's own per-file timeout.
  const command = target.tests
    .map((file) => `TAP_TIMEOUT=300 node --import tsx ${file} > /dev/null`)
    .join(' && ');
  const stryker = new Stryker({
    testRunner: 'command',
    commandRunner: { command },
    mutate: target.mutate,
    ignorePatterns: IGNORE,
    plugins: ['@stryker-mutator/*', './scripts/mutate-ignore.mjs'],
    ignorers: ['error-messages'],
    concurrency,
    // The runs share two cores: a mutant is a timeout only well past a normal run.
    timeoutFactor: 1.5,
    timeoutMS: 10_000,
    dryRunTimeoutMinutes: 10,
    tempDirName: '.stryker-tmp',
    cleanTempDir: 'always',
    reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
    htmlReporter: { fileName: `${REPORTS}/${name}.html` },
    jsonReporter: { fileName: `${REPORTS}/${name}.json` },
    thresholds: { high: 90, low: 75, break: null },
  });
  return stryker.runMutationTest();
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { list: { type: 'boolean' }, concurrency: { type: 'string', default: '2' } },
});
const concurrency = Number(values.concurrency);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error(`--concurrency takes a whole number of mutants run at a time, at least 1`);
  process.exit(2);
}
if (values.list) {
  for (const [name, t] of Object.entries(TARGETS)) console.log(`${name}: ${t.why}`);
  process.exit(0);
}
const unknown = positionals.filter((p) => !(p in TARGETS));
if (unknown.length > 0) {
  console.error(
    `unknown target ${unknown.join(', ')}; the targets are ${Object.keys(TARGETS).join(', ')}`,
  );
  process.exit(2);
}
const chosen = positionals.length > 0 ? positionals : Object.keys(TARGETS);

mkdirSync(REPORTS, { recursive: true });
const rows: Row[] = [];
const lost: string[] = [];
for (const name of chosen) {
  const started = Date.now();
  const results = await run(name, TARGETS[name]!, concurrency);
  rows.push(summarise(name, results, Math.round((Date.now() - started) / 1000)));
  lost.push(...survivors(results));
}

const table = [
  '| target | killed | survived | timeout | no coverage | errors | ignored | score | time |',
  '| --- | --: | --: | --: | --: | --: | --: | --: | --: |',
  ...rows.map(
    (r) =>
      `| ${r.target} | ${r.killed} | ${r.survived} | ${r.timeout} | ${r.noCoverage} | ${r.errors} | ${r.ignored} | ${r.score} % | ${Math.round(r.seconds / 60)} min |`,
  ),
].join('\n');
const summary = `${table}\n\nSurviving mutants:\n${lost.length > 0 ? lost.join('\n') : '  none'}\n`;
writeFileSync(`${REPORTS}/summary-${chosen.join('-')}.md`, summary);
console.log(`\n${summary}`);
