// The draft of an annual reprisals report over a period, bound by consent:
// figures count every case received in the period once; the case list shows a
// reviewer's summary only where the person consented, names only where they
// said "yes", and says which cases it left out and why. Nothing the person
// wrote (message, answers in their words) is ever copied in: only the
// reviewer's summary and name, and the labels of chosen options.
import { FIELD, answerValues } from '../cases/form-labels.ts';
import type { CaseRecord } from '../cases/records.ts';
import { csvCell } from '../cases/register-csv.ts';
import { caseName } from '../cases/safe-name.ts';
import { computeStatistics } from '../stats/count.ts';

export type Lang = 'en' | 'fr';

export interface ReportCase {
  caseId: string;
  included: boolean;
  /** Only when the person's consent is "yes". */
  name?: string;
  summary?: string;
  /** Why it was left out (a key of WORDS). */
  reason?: 'no_consent' | 'no_answer' | 'risk' | 'no_summary';
}

/** Whether, and how, a case may appear in a public report. */
export function reportCase(record: CaseRecord): ReportCase {
  const consent = answerValues(record.answers, FIELD.consentPublic)[0];
  const risk = answerValues(record.answers, FIELD.publicityRisk)[0];
  const out = (reason: NonNullable<ReportCase['reason']>): ReportCase => ({
    caseId: record.caseId,
    included: false,
    reason,
  });
  if (consent !== 'yes' && consent !== 'anonymised') {
    return out(consent === 'no' ? 'no_consent' : 'no_answer');
  }
  if (risk === 'yes') return out('risk');
  if (record.summary === undefined) return out('no_summary');
  return {
    caseId: record.caseId,
    included: true,
    summary: record.summary,
    ...(consent === 'yes' && record.summaryName ? { name: record.summaryName } : {}),
  };
}

const WORDS = {
  en: {
    title: 'Draft: cases of reprisals',
    period: (from: string, to: string, n: number) => `${n} case(s) received from ${from} to ${to}.`,
    figures: 'Figures',
    cases: 'Cases',
    anonymous: 'Anonymised',
    left: 'Cases left out (counted in the figures)',
    no_consent: 'the person did not consent to public reporting',
    no_answer: 'the person did not answer the consent question',
    risk: 'the person said publicity would put someone at more risk',
    no_summary: 'no summary written yet (sealbox review summary)',
    tallies: [
      'Cases by country',
      'Cases by UN body engaged',
      'Cases by kind of reprisal',
      'Cases by month received',
    ],
    head: ['case', 'included', 'name', 'summary', 'left_out_because'],
  },
  fr: {
    title: 'Projet : cas de représailles',
    period: (from: string, to: string, n: number) => `${n} cas reçu(s) du ${from} au ${to}.`,
    figures: 'Chiffres',
    cases: 'Cas',
    anonymous: 'Anonymisé',
    left: 'Cas non repris (comptés dans les chiffres)',
    no_consent: 'la personne n’a pas consenti à une publication',
    no_answer: 'la personne n’a pas répondu à la question du consentement',
    risk: 'la personne a indiqué que la publicité exposerait quelqu’un à un risque accru',
    no_summary: 'pas encore de résumé (sealbox review summary)',
    tallies: [
      'Cas par pays',
      'Cas par organe de l’ONU saisi',
      'Cas par type de représailles',
      'Cas par mois de réception',
    ],
    head: ['cas', 'repris', 'nom', 'résumé', 'non_repris_car'],
  },
} as const;

export interface Draft {
  cases: ReportCase[];
  markdown: Record<Lang, string>;
  csv: Record<Lang, string>;
}

const oneLine = (text: string) =>
  text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[|<>]/g, ' ')
    .trim();

export function draftReport(records: readonly CaseRecord[], from: string, to: string): Draft {
  const chosen = records.filter((r) => r.received >= from && r.received <= to);
  const cases = chosen.map(reportCase);
  const stats = computeStatistics(chosen);
  const markdown = {} as Record<Lang, string>;
  const csv = {} as Record<Lang, string>;
  for (const lang of ['en', 'fr'] as const) {
    const w = WORDS[lang];
    const md = [`# ${w.title}`, '', w.period(from, to, chosen.length), '', `## ${w.figures}`, ''];
    stats.tallies.forEach((tally, i) => {
      md.push(`### ${w.tallies[i]}`, '', '| | |', '|---|---:|');
      for (const row of tally.rows) md.push(`| ${oneLine(row.label)} | ${row.count} |`);
      md.push('');
    });
    md.push(`## ${w.cases}`, '');
    for (const c of cases.filter((c) => c.included)) {
      md.push(
        `- **${c.name ? oneLine(c.name) : w.anonymous}** (${caseName(c.caseId)}): ${oneLine(c.summary!)}`,
      );
    }
    md.push('', `## ${w.left}`, '');
    for (const c of cases.filter((c) => !c.included))
      md.push(`- ${caseName(c.caseId)}: ${w[c.reason!]}`);
    markdown[lang] = `${md.join('\n')}\n`;
    const rows = [w.head.map(csvCell).join(',')];
    for (const c of cases) {
      rows.push(
        [
          caseName(c.caseId),
          c.included ? 'yes' : 'no',
          c.name ?? '',
          c.summary ?? '',
          c.reason ? w[c.reason] : '',
        ]
          .map(csvCell)
          .join(','),
      );
    }
    csv[lang] = `\ufeff${rows.join('\r\n')}\r\n`;
  }
  return { cases, markdown, csv };
}
