// docs/api.md cannot drift from the server: every route a submitter's client
// uses, each of its request fields and response statuses, is on the page, and
// the page names no route the server does not have.
import { readFile } from 'node:fs/promises';
import t from 'tap';
import { build } from '../helper.ts';

interface Operation {
  requestBody?: { content?: Record<string, { schema?: { properties?: object } }> };
  responses?: Record<string, unknown>;
}

t.test('docs/api.md describes every submitter route of /openapi.json', async (t) => {
  const { app } = await build(t);
  const res = await app.inject({ method: 'GET', url: '/openapi.json' });
  t.equal(res.statusCode, 200);
  const paths = res.json<{ paths: Record<string, Record<string, Operation>> }>().paths;
  const doc = await readFile(new URL('../../docs/api.md', import.meta.url), 'utf8');
  // Each route's section: from its "### METHOD PATH" heading to the next heading.
  const sections = new Map<string, string>();
  for (const part of doc.split(/^### /m).slice(1)) {
    const [heading = '', ...rest] = part.split('\n');
    sections.set(heading.trim(), rest.join('\n').split(/^## /m)[0]!);
  }
  const served = new Set<string>();
  for (const [path, operations] of Object.entries(paths)) {
    if (path.startsWith('/v1/courier/') || path === '/openapi.json') continue;
    for (const [method, operation] of Object.entries(operations)) {
      const route = `${method.toUpperCase()} ${path}`;
      served.add(route);
      const section = sections.get(route);
      if (!section) {
        t.fail(`docs/api.md has no section "### ${route}"`);
        continue;
      }
      for (const status of Object.keys(operation.responses ?? {})) {
        t.match(section, new RegExp(`\\b${status}\\b`), `${route}: answers ${status}`);
      }
      const fields = Object.keys(
        operation.requestBody?.content?.['application/json']?.schema?.properties ?? {},
      );
      for (const field of fields) t.match(section, `\`${field}\``, `${route}: field ${field}`);
    }
  }
  t.ok(served.size >= 10, `${served.size} routes checked`);
  for (const heading of sections.keys()) t.ok(served.has(heading), `${heading} is served`);
});
