// The workbench's JSON API over real HTTP, on a case folder the real `review
// open` wrote: the same commands as the command line run behind each button,
// and their statements verify as the server will verify them.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { readStatementAsSubmitter, verifyStatement } from '../../client-crypto/index.ts';
import { readOutbox } from '../../reviewer/outbox.ts';
import { PASSPHRASE, writeBundle } from '../reviewer/fixtures.ts';
import { type Bench, call, postJson, startBench } from './fixtures.ts';

const names = async (b: Bench, query = '') =>
  ((await call(b.workbench, `/api/cases${query}`)).json().cases as { name: string }[]).map(
    (c) => c.name,
  );

t.test('filters and local search find cases', async (t) => {
  const b = await startBench(t);
  t.same(await names(b), ['case-mm', 'case-ni']);
  t.same(await names(b, '?country=NI'), ['case-ni']);
  t.same(await names(b, '?unBody=human_rights_council'), ['case-mm']);
  t.same(await names(b, '?reprisalKind=travel_ban'), ['case-ni']);
  t.same(await names(b, '?consent=no'), ['case-mm']);
  t.same(await names(b, '?from=2026-04-01&to=2026-12-31'), ['case-ni']);
  t.same(await names(b, '?text=GENEVA'), ['case-mm'], 'a word of the message, any case');
  t.same(await names(b, '?text=passport%20airport'), ['case-ni']);
  t.same(await names(b, '?text=nowhere'), []);
  t.same(await names(b, '?needsAnswer=1'), ['case-mm', 'case-ni']);
});

t.test('answering needs the passphrase, and signs what the command line signs', async (t) => {
  const b = await startBench(t);
  const wb = b.workbench;
  const locked = await postJson(wb, '/api/cases/case-ni/statements', { kind: 'purge' });
  t.equal(locked.status, 401);
  t.equal(locked.json().error?.code, 'PASSPHRASE_MISSING');
  const wrong = await postJson(wb, '/api/unlock', { passphrase: 'not it at all' });
  t.equal(wrong.status, 403);
  t.equal(wrong.json().error?.code, 'KEYFILE_PASSPHRASE');
  t.notOk(wb.session.unlocked);
  t.equal((await postJson(wb, '/api/unlock', { passphrase: PASSPHRASE })).status, 200);

  const reply = await postJson(wb, '/api/cases/case-mm/statements', {
    kind: 'reply',
    text: 'We received your report.',
    status: 'in_review',
  });
  t.equal(reply.status, 200, reply.body.toString());
  const purge = await postJson(wb, '/api/cases/case-ni/statements', { kind: 'purge' });
  t.equal(purge.status, 200);
  const bad = await postJson(wb, '/api/cases/case-ni/statements', { kind: 'status', status: 'x' });
  t.equal(bad.status, 400);
  t.match(bad.json().error?.message, /not a status/);
  t.equal((await postJson(wb, '/api/cases/case-ni/statements', { kind: 'reply', text: ' ' })).status, 400); // prettier-ignore

  const lines = await readOutbox(join(b.cases, 'outbox.jsonl'));
  t.equal(lines.length, 2);
  const first = await verifyStatement(lines[0], b.setup.keyset);
  t.equal(first.kind, 'reply');
  t.equal(first.caseId, 'case-mm');
  const read = await readStatementAsSubmitter(lines[0], b.setup.keyset, b.setup.replyKeyPair, 'case-mm'); // prettier-ignore
  t.equal(read.text, 'We received your report.');
  t.equal((await verifyStatement(lines[1], b.setup.keyset)).kind, 'purge');
  const outbox = (await call(wb, '/api/outbox')).json().lines as { kind: string; case: string }[];
  t.same(outbox.map((l) => [l.kind, l.case]), [['reply', 'case-mm'], ['purge', 'case-ni']]); // prettier-ignore
  t.same(await names(b, '?status=in_review'), ['case-mm']);
  t.same(await names(b, '?needsAnswer=1'), []);
  const view = (await call(wb, '/api/cases/case-m')).json();
  t.equal((view.statements as { text: string }[])[0]?.text, 'We received your report.', 'a short number finds the case'); // prettier-ignore
  t.match(await readFile(join(b.cases, 'case-mm', 'index.html'), 'utf8'), /in_review/, 'static index kept up to date'); // prettier-ignore

  t.equal((await postJson(wb, '/api/lock', {})).status, 200);
  t.equal((await postJson(wb, '/api/cases/case-mm/statements', { kind: 'purge' })).status, 401);
});

t.test('the passphrase is forgotten after the idle time', async (t) => {
  const b = await startBench(t, { open: false, idleMinutes: 0.005 });
  t.equal((await postJson(b.workbench, '/api/unlock', { passphrase: PASSPHRASE })).status, 200);
  t.ok(b.workbench.session.unlocked);
  await new Promise((r) => setTimeout(r, 600));
  t.notOk(b.workbench.session.unlocked);
});

t.test('import reports new and damaged items in words; figures export', async (t) => {
  const b = await startBench(t);
  const wb = b.workbench;
  await postJson(wb, '/api/unlock', { passphrase: PASSPHRASE });
  const bundle = join(b.setup.dir, 'second.sbx');
  const bytes = await writeBundle(
    bundle,
    [
      { kind: 'submission', id: 'case-ok', seq: 3, received: '2026-06-01', answers: { country: 'MM' } },
      { kind: 'submission', id: 'case-bad', seq: 4, files: [{ name: 'a.pdf', bytes: new Uint8Array(9), corrupt: true }] },
    ],
    b.setup.sealing,
    b.setup,
  ); // prettier-ignore
  const imported = await call(wb, '/api/import', { method: 'POST', body: bytes });
  t.equal(imported.status, 200, imported.body.toString());
  const result = imported.json() as unknown as {
    report: { opened: string[]; failed: { id: string; message: string }[] };
    problem: string;
  };
  t.same(result.report.opened, ['case-ok']);
  t.same(
    result.report.failed.map((f) => f.id),
    ['case-bad'],
  );
  t.match(result.report.failed[0]?.message, /[a-z]{4,} [a-z]{2,}/, 'a reason in words');
  t.match(result.problem, /1 problem/);

  const figures = (await call(wb, '/api/figures?from=2026-01-01&to=2026-12-31')).json();
  t.equal(figures.cases, 3);
  const csv = await call(wb, '/api/figures.csv?from=2026-05-01');
  t.match(csv.body.toString(), /"Cases by country","Myanmar \(Burma\)","1"/);
  t.equal(csv.headers['content-security-policy'], 'sandbox');
  const svg = await call(wb, '/api/figures.svg');
  t.match(svg.body.toString(), /^<svg|<\?xml/);
  t.equal((await call(wb, '/api/figures?from=yesterday')).status, 400);
});

t.test('urgent cases come first, as in index.html, and say why', async (t) => {
  const b = await startBench(t);
  const wb = b.workbench;
  await postJson(wb, '/api/unlock', { passphrase: PASSPHRASE });
  const bytes = await writeBundle(
    join(b.setup.dir, 'urgent.sbx'),
    [{ kind: 'submission', id: 'case-zz', seq: 3, received: '2026-08-01', answers: { country: 'BY', danger_now: 'yes' } }], // prettier-ignore
    b.setup.sealing,
    b.setup,
  );
  t.equal((await call(wb, '/api/import', { method: 'POST', body: bytes })).status, 200);
  const cases = (await call(wb, '/api/cases')).json().cases as {
    name: string;
    urgent: boolean;
    dangerNow: boolean;
    helpRequested: string | null;
  }[];
  t.same(
    cases.map((c) => [c.name, c.urgent, c.dangerNow, c.helpRequested]),
    [
      ['case-zz', true, true, null],
      ['case-mm', false, false, null],
      ['case-ni', false, false, null],
    ],
    'the newest case first because it is urgent; the rest by date received',
  );
  t.same(await names(b, '?country=BY'), ['case-zz']);
});

t.test('opening a bundle streams its progress item by item, behind the secret', async (t) => {
  const b = await startBench(t);
  const wb = b.workbench;
  await postJson(wb, '/api/unlock', { passphrase: PASSPHRASE });
  const bytes = await writeBundle(
    join(b.setup.dir, 'third.sbx'),
    [
      { kind: 'submission', id: 'case-p1', seq: 3, received: '2026-06-01', answers: { country: 'MM' } },
      { kind: 'submission', id: 'case-p2', seq: 4, files: [{ name: 'a.pdf', bytes: new Uint8Array(9), corrupt: true }] },
      { kind: 'submission', id: 'case-p3', seq: 5, received: '2026-06-02' },
    ],
    b.setup.sealing,
    b.setup,
  ); // prettier-ignore
  const refused = await call(wb, '/api/import?progress=1', { method: 'POST', body: bytes, secret: false }); // prettier-ignore
  t.equal(refused.status, 401, 'no secret, no import');
  t.same(await names(b), ['case-mm', 'case-ni'], 'nothing was opened without it');

  const answer = await call(wb, '/api/import?progress=1', { method: 'POST', body: bytes });
  t.equal(answer.status, 200);
  t.match(answer.headers['content-type'], /^application\/x-ndjson/);
  const lines = answer.body
    .toString('utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  t.same(
    lines.slice(0, -1),
    [0, 1, 2, 3].map((done) => ({ progress: { done, total: 3 } })),
    'one line when opening starts, then one per item, of the real total',
  );
  const last = lines.at(-1) as { result: { report: { opened: string[]; failed: { id: string }[] } } }; // prettier-ignore
  t.same(last.result.report.opened, ['case-p1', 'case-p3']);
  t.same(last.result.report.failed.map((f) => f.id), ['case-p2']); // prettier-ignore

  await postJson(wb, '/api/lock', {});
  const locked = await call(wb, '/api/import?progress=1', { method: 'POST', body: bytes });
  t.equal(locked.status, 401, 'an error before the first line is an ordinary error');
  t.equal(locked.json().error?.code, 'PASSPHRASE_MISSING');
});

t.test('figures name each table and row by what they count, for the page to word', async (t) => {
  const b = await startBench(t);
  const view = (await call(b.workbench, '/api/figures?from=2026-01-01')).json() as unknown as {
    from: string | null;
    to: string | null;
    tallies: { id: string; field: string | null; rows: { label: string; value: string | null }[] }[]; // prettier-ignore
  };
  t.same([view.from, view.to], ['2026-01-01', null]);
  t.same(view.tallies.map((x) => [x.id, x.field]), [['country', 'country'], ['unBody', 'un_body'], ['kinds', 'reprisal_kinds'], ['month', null]]); // prettier-ignore
  const rows = (id: string) => view.tallies.find((x) => x.id === id)!.rows.map((r) => [r.label, r.value]); // prettier-ignore
  t.same(rows('country'), [
    ['Myanmar (Burma)', 'MM'],
    ['Nicaragua', 'NI'],
  ]);
  t.same(rows('kinds'), [['Surveillance', 'surveillance'], ['Threats', 'threats'], ['Travel ban', 'travel_ban']]); // prettier-ignore
  t.same(rows('month'), [
    ['2026-03', '2026-03'],
    ['2026-05', '2026-05'],
  ]);
});

t.test(
  'refusals speak to the page, and a too large request is answered, not cut off',
  async (t) => {
    const b = await startBench(t);
    const wb = b.workbench;
    const locked = await postJson(wb, '/api/cases/case-ni/statements', { kind: 'purge' });
    t.match(locked.json().error?.message, /Unlock the workbench/);
    t.notMatch(locked.json().error?.message, /terminal/);
    t.equal((await postJson(wb, '/api/unlock', { passphrase: PASSPHRASE })).status, 200);
    const bad = await postJson(wb, '/api/cases/case-ni/statements', {
      kind: 'status',
      status: 'x',
    });
    t.equal(bad.status, 400);
    t.notMatch(bad.json().error?.message, /sealbox help/, 'no advice about commands on the page');

    // Over the 1 MiB a JSON request may have: the refusal arrives whole.
    const large = await postJson(wb, '/api/cases/case-ni/statements', {
      kind: 'reply',
      text: 'x'.repeat(4_000_000),
    });
    t.equal(large.status, 400);
    t.equal(large.json().error?.code, 'USAGE');
    t.match(large.json().error?.message, /too large/);
    t.equal((await readFile(join(b.cases, 'outbox.jsonl'), 'utf8').catch(() => '')).length, 0, 'nothing signed'); // prettier-ignore
  },
);
