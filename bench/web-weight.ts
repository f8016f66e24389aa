// The page's weight on the wire: builds web/ into a temporary folder and sums
// what a browser fetches for one visit (HTML, loader, styles, app, proof-of-work
// worker, and one non-English catalogue), gzip -9 as served from the .gz files.
// Writes the "Web page weight" section of docs/benchmarks.md (between its markers).
//   npx tsx bench/web-weight.ts [--no-write]
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWeb } from '../web/build.ts';

const DOC = new URL('../docs/benchmarks.md', import.meta.url);
const BEGIN = '<!-- web-weight:begin -->';
const END = '<!-- web-weight:end -->';
const BUDGET_KIB = 200;

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

export async function measureWebWeight() {
  const out = await mkdtemp(join(tmpdir(), 'sealbox-web-weight-'));
  try {
    const manifest = await buildWeb({ outDir: out });
    const size = async (path: string) => ({
      raw: (await stat(join(out, path))).size,
      gzip: (await stat(join(out, `${path}.gz`))).size,
    });
    const a = manifest.assets;
    const catalogues = await Promise.all(Object.values(a.catalogues).map(size));
    const largestCatalogue = catalogues.reduce((m, c) => (c.gzip > m.gzip ? c : m));
    const shared = [
      await size('index.html'),
      await size(a.loader),
      await size(a.styles),
      await size(a.powWorker),
    ];
    const sum = (parts: { raw: number; gzip: number }[]) => ({
      raw: parts.reduce((n, p) => n + p.raw, 0),
      gzip: parts.reduce((n, p) => n + p.gzip, 0),
    });
    const app = await size(a.app);
    const appNoWasm = await size(a.appNoWasm);
    return {
      wasmEnglish: sum([...shared, app]),
      wasmOtherLanguage: sum([...shared, app, largestCatalogue]),
      noWasmOtherLanguage: sum([...shared, appNoWasm, largestCatalogue]),
      parts: { app, appNoWasm, largestCatalogue, shared: sum(shared) },
    };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

function section(w: Awaited<ReturnType<typeof measureWebWeight>>): string {
  const row = (what: string, v: { raw: number; gzip: number }) =>
    `| ${what} | ${kib(v.gzip)} | ${kib(v.raw)} |`;
  return [
    BEGIN,
    `Measured by \`npx tsx bench/web-weight.ts\` on ${new Date().toISOString().slice(0, 10)} (the build's own`,
    '`.gz` files, gzip -9). A visit fetches the HTML, the loader, the styles, one app build,',
    'the proof-of-work worker and, for a language other than English, its catalogue.',
    `Budget where WebAssembly is available: ${BUDGET_KIB} KiB gzip.`,
    '',
    '| what a visit transfers | gzip | uncompressed |',
    '|---|---|---|',
    row('WebAssembly available, English', w.wasmEnglish),
    row('WebAssembly available, largest other catalogue', w.wasmOtherLanguage),
    row('no WebAssembly (pure-JS libsodium), largest other catalogue', w.noWasmOtherLanguage),
    row('of which the app with WebAssembly libsodium', w.parts.app),
    row('of which the app with pure-JS libsodium', w.parts.appNoWasm),
    row('of which HTML + loader + styles + worker', w.parts.shared),
    '',
    `The WebAssembly path is ${((w.wasmOtherLanguage.gzip / 1024 / BUDGET_KIB) * 100).toFixed(0)} % of the budget; the fallback costs`,
    `${(w.noWasmOtherLanguage.gzip / w.wasmOtherLanguage.gzip).toFixed(2)}× as much and is fetched only where WebAssembly is missing or forbidden.`,
    END,
  ].join('\n');
}

if (process.argv[1] && new URL(`file://${process.argv[1]}`).href === import.meta.url) {
  const weight = await measureWebWeight();
  console.log(JSON.stringify({ name: 'web-weight', ...weight }));
  if (!process.argv.includes('--no-write')) {
    let doc = await readFile(DOC, 'utf8');
    const from = doc.indexOf(BEGIN);
    const to = doc.indexOf(END);
    const text = section(weight);
    if (from >= 0 && to > from) doc = doc.slice(0, from) + text + doc.slice(to + END.length);
    else {
      const measured = doc.indexOf('## Measured figures');
      const block = `## Web page weight\n\n${text}\n\n`;
      doc =
        measured >= 0
          ? doc.slice(0, measured) + block + doc.slice(measured)
          : `${doc.trimEnd()}\n\n${block}`;
    }
    await writeFile(DOC, doc);
  }
}
