// The statistics as one static SVG: horizontal bar charts, one per table.
// No script, no external font or image; every label is escaped, since country
// names and answers come from submitters.
import { terminalField } from '../terminal-text.ts';
import type { Statistics, Tally } from './count.ts';

const WIDTH = 760;
const LABEL_WIDTH = 300;
const BAR_MAX = 380;
const ROW = 22;
const TITLE = 34;
const GAP = 18;

// XML 1.0 forbids most C0 characters even as character references ("&#27;"
// makes the file malformed), and U+FFFE/U+FFFF: they are removed, not escaped.
// A label is one line of a chart, so it gets the same cleaning as a field on
// the terminal: no controls, no escape sequences, no bidi overrides, no breaks.
export function escapeXml(text: string): string {
  return terminalField(text)
    .replace(/[\ufffe\uffff]/g, '')
    .replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function clip(label: string, max = 42): string {
  const chars = [...label];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : label;
}

function chart(t: Tally, top: number): { svg: string; height: number } {
  const max = Math.max(1, ...t.rows.map((r) => r.count));
  const parts = [`<text x="0" y="${top + 22}" class="title">${escapeXml(t.title)}</text>`];
  t.rows.forEach((row, i) => {
    const y = top + TITLE + i * ROW;
    const width = Math.max(1, Math.round((row.count / max) * BAR_MAX));
    parts.push(
      `<text x="${LABEL_WIDTH - 8}" y="${y + 15}" text-anchor="end">${escapeXml(clip(terminalField(row.label)))}</text>`,
      `<rect x="${LABEL_WIDTH}" y="${y + 3}" width="${width}" height="${ROW - 6}" class="bar"/>`,
      `<text x="${LABEL_WIDTH + width + 6}" y="${y + 15}">${row.count}</text>`,
    );
  });
  if (t.rows.length === 0) parts.push(`<text x="0" y="${top + TITLE + 15}">(none)</text>`);
  return { svg: parts.join('\n'), height: TITLE + Math.max(1, t.rows.length) * ROW + GAP };
}

export function statisticsSvg(stats: Statistics): string {
  const charts: string[] = [];
  let y = 40;
  for (const t of stats.tallies) {
    const c = chart(t, y);
    charts.push(c.svg);
    y += c.height;
  }
  const heading = `${stats.cases} case(s), ${stats.period}`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" role="img">
<title>${escapeXml(`Sealbox statistics: ${heading}`)}</title>
<style>text{font:13px sans-serif;fill:#111}.title{font-weight:bold;font-size:15px}.bar{fill:#2b6cb0}</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="0" y="22" class="title">${escapeXml(heading)}</text>
${charts.join('\n')}
</svg>
`;
}
