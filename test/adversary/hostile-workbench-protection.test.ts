// The workbench's check-in, summary, report and weekly-key routes hold what
// the other routes hold (names a person allowed to print, who is overdue, the
// unlocked key), so they refuse exactly what the others refuse: a caller
// without the secret or with a wrong one, and a page that rebinds its DNS
// name to 127.0.0.1 (its requests carry its own Host). Nothing is written by a
// refused request, and a refused one is not even read.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { PASSPHRASE } from '../reviewer/fixtures.ts';
import { call, postJson, startBench } from '../workbench/fixtures.ts';

const ROUTES: [string, string, unknown?][] = [
  ['GET', '/api/checkins'],
  ['GET', '/api/cases/case-ni/protection'],
  ['POST', '/api/cases/case-ni/checkin', { every: '14d' }],
  ['POST', '/api/cases/case-ni/summary', { text: 'Forged.', name: 'Forged Name' }],
  ['GET', '/api/report?from=2026-01-01&to=2026-12-31'],
  ['GET', '/api/report.en.md?from=2026-01-01&to=2026-12-31'],
  ['GET', '/api/report.fr.csv?from=2026-01-01&to=2026-12-31'],
  ['POST', '/api/epochs', {}],
];

t.test('every new route refuses a caller that is not the reviewer’s page', async (t) => {
  const b = await startBench(t);
  const wb = b.workbench;
  // Unlocked, so that only the guard stands between a caller and a signature.
  await postJson(wb, '/api/unlock', { passphrase: PASSPHRASE });
  await postJson(wb, '/api/cases/case-ni/summary', { text: 'Passport seized.', name: 'Ales B.' });
  const before = await readFile(join(b.cases, 'case-ni', 'case.json'), 'utf8');
  const last = wb.secret.endsWith('A') ? 'B' : 'A';
  const callers: [string, { secret?: string | false; host?: string }, number][] = [
    ['no secret', { secret: false }, 401],
    ['a wrong secret', { secret: `${wb.secret.slice(0, -1)}${last}` }, 401],
    ['a rebound name', { host: `evil.example:${wb.port}` }, 403],
    ['another port', { host: `127.0.0.1:${wb.port + 1}` }, 403],
  ];
  for (const [method, path, body] of ROUTES) {
    for (const [who, options, status] of callers) {
      const r = await call(wb, path, {
        method,
        ...options,
        ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}), // prettier-ignore
      });
      t.equal(r.status, status, `${method} ${path} from ${who}`);
      t.notMatch(r.body.toString(), /Ales B\.|Passport|case-ni/, 'nothing of the cases');
    }
  }
  t.equal(await readFile(join(b.cases, 'case-ni', 'case.json'), 'utf8'), before, 'nothing written');
  const outbox = await readFile(join(b.cases, 'outbox.jsonl'), 'utf8').catch(() => '');
  t.equal(outbox, '', 'nothing signed');
});

t.test('a broken case number in the path is a mistake in words, never a fault', async (t) => {
  const { workbench: wb } = await startBench(t);
  for (const [method, path] of [
    ['GET', '/api/cases/%E0%A4%A'],
    ['GET', '/api/cases/%E0%A4%A/items/0/files/0'],
    ['POST', '/api/cases/%/statements'],
    ['GET', '/api/cases/%E0%A4%A/protection'],
    ['POST', '/api/cases/%/summary'],
  ]) {
    const r = await call(wb, path!, {
      method: method!,
      ...(method === 'POST' ? { body: '{"kind":"purge","text":"x"}' } : {}),
    });
    t.equal(r.status, 400, `${method} ${path}`);
    t.match(r.json().error?.message, /not written correctly/);
  }
});
