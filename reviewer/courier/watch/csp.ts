// Compares a served Content-Security-Policy header with the one the signed
// manifest states for that path, and says which directive differs: a server
// that drops `script-src` or adds a host to it lets other code run in the page.
// The header must be exactly the stated string; the directive-by-directive
// reading is for the report only.
import { shown } from './shown.ts';

// Long enough for a whole policy, short enough for one line.
const q = (text: string) => shown(text, 300);

/** Directives by name (lower case), each with its value as written. */
function directives(policy: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of policy.split(';')) {
    const words = part.trim().split(/\s+/).filter(Boolean);
    const name = words.shift()?.toLowerCase();
    // A browser obeys the first of two same-named directives and ignores the second.
    if (name !== undefined && !out.has(name)) out.set(name, words.join(' '));
  }
  return out;
}

/** Each way `found` differs from `expected`, one short sentence each; empty when identical. */
export function cspDifferences(expected: string, found: string | null): string[] {
  if (found === expected) return [];
  if (found === null) return [`no Content-Security-Policy header (expected ${q(expected)})`];
  // Two headers reach the watcher joined by ", ": the browser enforces both.
  const policies = found.split(',').length;
  const want = directives(expected);
  const got = directives(found);
  const out: string[] = [];
  if (policies > 1) out.push(`${policies} Content-Security-Policy headers, expected one`);
  for (const [name, value] of want) {
    const served = got.get(name);
    if (served === undefined)
      out.push(`CSP directive ${name} missing (expected ${q(`${name} ${value}`)})`);
    else if (served !== value) {
      out.push(
        `CSP directive ${name} is ${q(`${name} ${served}`)}, expected ${q(`${name} ${value}`)}`,
      );
    }
  }
  for (const [name, value] of got) {
    if (!want.has(name)) out.push(`CSP has an extra directive ${q(`${name} ${value}`.trim())}`);
  }
  if (out.length === 0) out.push(`CSP written differently: ${q(found)}, expected ${q(expected)}`);
  return out;
}
