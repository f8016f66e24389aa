// WEBCAT's rules for the Content-Security-Policy an enrolled app states in its
// manifest (webcat-spec csp.md), written from the specification: the browser
// extension refuses an app whose policy breaks them, so the build refuses first.
// Returns each broken rule in words; an empty list means the policy complies.

/** Directive name → its sources, as a browser parses a policy (names lower-cased). */
export function parseCsp(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    const key = name.toLowerCase();
    // The first occurrence of a directive wins; later ones are ignored.
    if (!directives.has(key)) directives.set(key, sources);
  }
  return directives;
}

const HASH = /^'sha(256|384|512)-/i;

export function webcatCspProblems(policy: string): string[] {
  const problems: string[] = [];
  if (policy.includes(',')) problems.push('a comma (a list of policies) is not allowed');
  const csp = parseCsp(policy);
  const defaultSrc = csp.get('default-src');
  const defaultNone = defaultSrc?.length === 1 && defaultSrc[0] === "'none'";
  for (const source of defaultSrc ?? []) {
    if (source !== "'none'" && source !== "'self'") {
      problems.push(`default-src may hold only 'none' or 'self', not ${source}`);
    }
  }
  const check = (
    directive: string,
    allowed: (source: string) => boolean,
    required = !defaultNone,
  ): void => {
    const sources = csp.get(directive);
    if (sources === undefined || sources.length === 0) {
      if (required) problems.push(`${directive} must be stated when default-src is not 'none'`);
      return;
    }
    for (const source of sources) {
      if (!allowed(source)) problems.push(`${directive} may not hold ${source}`);
    }
  };
  const keyword =
    (...words: string[]) =>
    (source: string) =>
      words.includes(source.toLowerCase());
  check('object-src', keyword("'none'"));
  check('script-src', keyword("'none'", "'self'", "'wasm-unsafe-eval'"));
  check(
    'style-src',
    (s) => keyword("'none'", "'self'", "'unsafe-inline'", "'unsafe-hashes'")(s) || HASH.test(s),
  );
  check('worker-src', keyword("'none'", "'self'"));
  // Frames: frame-src or child-src, one of them at least.
  // Another origin is allowed only if it is enrolled too, which a build cannot know: refused here.
  const frameSource = keyword("'none'", "'self'", 'blob:', 'data:');
  const framesStated = csp.has('frame-src') || csp.has('child-src');
  if (!framesStated && !defaultNone) {
    problems.push("frame-src or child-src must be stated when default-src is not 'none'");
  }
  check('frame-src', frameSource, false);
  check('child-src', frameSource, false);
  return problems;
}
