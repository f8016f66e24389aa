// What the watcher found, one line per difference: where (a path on the
// served site) and what (expected and found). The same difference on many
// answers (a CSP header dropped everywhere) is one line naming how many, not
// forty. A page that differs and a page that could not be reached are kept
// apart: the first is evidence, the second may be a bad Tor circuit.
import { terminalField } from '../../terminal-text.ts';

export interface Finding {
  where: string;
  what: string;
}

export class WatchReport {
  readonly differences: Finding[] = [];
  readonly unreachable: Finding[] = [];
  /** Answers whose headers were checked, and files whose bytes were. */
  responses = 0;
  files = 0;
  /** From the organisation's signature, when it verified. */
  signed: { date: string; version: string } | undefined;

  differs(where: string, what: string): void {
    this.differences.push({ where, what });
  }

  cannotReach(where: string, what: string): void {
    this.unreachable.push({ where, what });
  }

  /** The report's lines: every difference, then every answer that never came. */
  lines(): string[] {
    return [
      ...grouped(this.differences).map((line) => `DIFFERS      ${line}`),
      ...grouped(this.unreachable).map((line) => `UNREACHABLE  ${line}`),
    ];
  }
}

const where = (path: string) => {
  const clean = terminalField(path);
  return clean.length > 120 ? `${clean.slice(0, 120)}…` : clean;
};

function grouped(findings: readonly Finding[]): string[] {
  const byWhat = new Map<string, string[]>();
  for (const f of findings) byWhat.set(f.what, [...(byWhat.get(f.what) ?? []), where(f.where)]);
  return [...byWhat].map(([what, paths]) => {
    if (paths.length === 1) return `${paths[0]}: ${what}`;
    const some = paths.slice(0, 3).join(', ');
    return `${paths.length} answers (${some}${paths.length > 3 ? ', …' : ''}): ${what}`;
  });
}
