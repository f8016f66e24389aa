// tap 21 knows only "100% or allow-incomplete"; this keeps a real floor instead.
// The floor is a ratchet: raise it when coverage rises, never lower it to pass.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';

const FLOOR = { lines: 85, statements: 85, functions: 85, branches: 78 };

// Every file of the sealing library, on its own: 95 % of lines, 90 % of branches.
const CRYPTO_FLOOR = { lines: 95, branches: 90 };
// Files with a floor of their own, held one point under where the client-crypto
// tests alone put them (`npx tap test/client-crypto`): fast-check's random
// inputs move branch coverage by up to a point from run to run. Those below the
// common floor: raise them as tests are added. Those above it (the epoch keys
// and the reviewer's secrets, which decide what a seized laptop can open) must
// not slip back to it.
const CRYPTO_OWN = {
  'client-crypto/epoch.ts': { lines: 99, branches: 99 },
  'client-crypto/reviewer-secrets.ts': { lines: 99, branches: 99 },
  'client-crypto/sodium.ts': { lines: 87, branches: 79 },
  'client-crypto/document.ts': { lines: 95, branches: 84 },
  'client-crypto/keyfile.ts': { lines: 95, branches: 86 },
  'client-crypto/keyset.ts': { lines: 94, branches: 88 },
  'client-crypto/statement.ts': { lines: 95, branches: 85 },
  'client-crypto/bundle-format.ts': { lines: 95, branches: 88 },
};

// Two passes, one report each (npm test): `--crypto` after `tap test/client-crypto`
// checks every client-crypto file against its own floor, from the library's
// own tests alone; without it, after the whole suite, the project's floor.
// (In the whole suite, server and tool processes started by the tests also
// report coverage of client-crypto, transpiled by another loader; merged, their
// V8 ranges were seen to mark covered lines uncovered, so per-file figures
// there depend on which processes ran. The library's own run does not.)
const cryptoPass = process.argv.includes('--crypto');
// On the PostgreSQL run the whole-project figures are shown, not enforced: the
// server processes of its PostgreSQL-only fault tests were seen to merge into
// reports whose files had lost their function maps (80 % of functions one run,
// 89 % the run before, on the same code). The PGlite run enforces the floor.
const enforceTotals = !process.env.DATABASE_URL;

let report;
try {
  report = JSON.parse(readFileSync('.tap/report/coverage-summary.json', 'utf8'));
} catch {
  console.error('coverage: .tap/report/coverage-summary.json is missing (did tap run?)');
  process.exit(1);
}
// The whole suite's second pass leaves the library's own tests out (they ran in
// the first pass, and running them twice cost minutes of CI): each file counts
// with the better of the two passes' figures (a lower bound of their union), and
// the totals are summed again, truncated to two decimals as tap's report does.
const CRYPTO_SUMMARY = 'coverage/crypto-summary.json';
const KINDS = ['lines', 'statements', 'functions', 'branches'];
if (cryptoPass) {
  mkdirSync('coverage', { recursive: true });
  writeFileSync(CRYPTO_SUMMARY, JSON.stringify(report));
} else if (existsSync(CRYPTO_SUMMARY)) {
  const crypto = JSON.parse(readFileSync(CRYPTO_SUMMARY, 'utf8'));
  rmSync(CRYPTO_SUMMARY);
  for (const [path, summary] of Object.entries(crypto)) {
    if (path === 'total') continue;
    const mine = report[path];
    if (!mine) {
      report[path] = summary;
      continue;
    }
    for (const kind of KINDS) {
      if (summary[kind].covered > mine[kind].covered) mine[kind] = summary[kind];
    }
  }
  for (const kind of KINDS) {
    let total = 0;
    let covered = 0;
    for (const [path, summary] of Object.entries(report)) {
      if (path === 'total') continue;
      total += summary[kind].total;
      covered += summary[kind].covered;
    }
    const pct = total === 0 ? 100 : Math.floor((covered / total) * 10000) / 100;
    report.total[kind] = { total, covered, skipped: 0, pct };
  }
}
let failed = false;
for (const [kind, floor] of cryptoPass ? [] : Object.entries(FLOOR)) {
  const pct = report.total[kind].pct;
  const ok = pct >= floor;
  if (!ok && enforceTotals) failed = true;
  const verdict = ok ? 'ok' : enforceTotals ? 'BELOW FLOOR' : 'below floor (not enforced here)';
  console.log(`coverage ${kind}: ${pct}% (floor ${floor}%) ${verdict}`);
}
let cryptoFiles = 0;
for (const [path, summary] of cryptoPass ? Object.entries(report) : []) {
  if (path === 'total') continue;
  const file = relative(process.cwd(), path).replaceAll('\\', '/');
  if (!file.startsWith('client-crypto/')) continue;
  cryptoFiles += 1;
  const floor = CRYPTO_OWN[file] ?? CRYPTO_FLOOR;
  for (const [kind, min] of Object.entries(floor)) {
    const pct = summary[kind].pct;
    if (pct < min) {
      failed = true;
      console.log(`coverage ${file} ${kind}: ${pct}% (floor ${min}%) BELOW FLOOR`);
    }
  }
}
if (cryptoPass && cryptoFiles === 0) {
  failed = true;
  console.log('coverage: no client-crypto file in the report');
}
if (cryptoPass) {
  console.log(`coverage: ${cryptoFiles} client-crypto files checked against their floors`);
}
process.exit(failed ? 1 : 0);
