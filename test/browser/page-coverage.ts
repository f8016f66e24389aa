// Coverage of web/src as Chromium runs it: V8's own counts from the browser the
// tests drive (page.coverage, Chromium only), mapped back to web/src/*.ts through
// the test build's source maps (buildWeb's sourcemapDir) by v8-to-istanbul, the
// converter c8 uses. Collected only when tap collects coverage; each test file
// writes what its pages ran to .tap/coverage/page/, which tap empties at the start
// of every run; scripts/check-coverage.mjs merges them and holds web/src to its floor.
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import libCoverage from 'istanbul-lib-coverage';
import type { Page } from 'playwright-core';
import v8ToIstanbul from 'v8-to-istanbul';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WEB_SRC = join(ROOT, 'web', 'src') + '/';
export const PAGE_COVERAGE_DIR = join(ROOT, '.tap', 'coverage', 'page');

/** tap sets this in every test process: '1' when it collects coverage. */
export const pageCoverageOn = process.env._TAPJS_PROCESSINFO_COVERAGE_ === '1';

/**
 * Chromium's flags while coverage is counted. A new document in a frame gets a new
 * frame in the renderer (RenderDocument), and V8's counts for the scripts of the
 * one before are lost with it: every page.goto but the last, and quick exit's
 * location.replace, would leave no count. Off, the frame and its counts stay
 * while the tab stays on one origin (for page.goto to another: startPageCoverage).
 */
export const pageCoverageArgs: string[] = pageCoverageOn
  ? ['--disable-features=RenderDocument']
  : [];

let maps: Promise<string> | undefined;

/** Where this process's page builds put their source maps (undefined: coverage is off). */
export function sourcemapDir(): Promise<string> | undefined {
  if (!pageCoverageOn) return undefined;
  maps ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sealbox-maps-'));
    // At exit, not in a teardown: pages are recorded in teardowns, in any order.
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  })();
  return maps;
}

const merged = libCoverage.createCoverageMap({});

/** A source map as esbuild writes it (version 3, encoded mappings). */
interface SourceMap {
  version: 3;
  file?: string;
  names: string[];
  mappings: string;
  sourceRoot?: string;
  sources: string[];
  sourcesContent?: (string | null)[];
}

/** Maps what Chromium counted back to web/src and adds it to this test file's record. */
async function record(entries: Awaited<ReturnType<Page['coverage']['stopJSCoverage']>>) {
  const mapsDir = await sourcemapDir()!;
  for (const entry of entries) {
    if (!URL.canParse(entry.url) || entry.source === undefined) continue;
    const name = basename(new URL(entry.url).pathname);
    // Scripts without a map: another build (the DEMO page the server rebuilds at
    // start, the saved page's inline script) or none of the page's own.
    const map = await readFile(join(mapsDir, `${name}.map`), 'utf8').catch(() => undefined);
    if (map === undefined) continue;
    // Absolute paths in `sources` itself: v8-to-istanbul matches the positions it
    // maps (resolved against sourceRoot) with `sources` as written, and counts
    // ranges it cannot match against the first source instead.
    const sourcemap = JSON.parse(map) as SourceMap;
    sourcemap.sources = sourcemap.sources.map((source) =>
      resolve(sourcemap.sourceRoot ?? '', source),
    );
    delete sourcemap.sourceRoot;
    const converter = v8ToIstanbul(
      join(mapsDir, name),
      0,
      { source: entry.source, originalSource: '', sourceMap: { sourcemap } },
      (path) => !path.startsWith(WEB_SRC),
    );
    await converter.load();
    converter.applyCoverage(entry.functions);
    merged.merge(converter.toIstanbul());
  }
}

/**
 * Starts counting what `page` runs; returns the function that stops and records it.
 * A page.goto to another origin (another test site's port, a file: page) moves the
 * tab to another renderer process (the server asks for Origin-Agent-Cluster), and
 * the counts of the one it leaves would be lost: what was counted is recorded first.
 */
export async function startPageCoverage(page: Page): Promise<() => Promise<void>> {
  if (!pageCoverageOn) return async () => {};
  await page.coverage.startJSCoverage({ resetOnNavigation: false });
  const goto = page.goto.bind(page);
  page.goto = async (url, options) => {
    const here = new URL(page.url()).origin;
    if (here === 'null' || here !== new URL(url, page.url()).origin) {
      await record(await page.coverage.stopJSCoverage());
      await page.coverage.startJSCoverage({ resetOnNavigation: false });
    }
    return goto(url, options);
  };
  return async () => {
    if (page.isClosed()) return;
    await record(await page.coverage.stopJSCoverage());
    if (merged.files().length === 0) return;
    await mkdir(PAGE_COVERAGE_DIR, { recursive: true });
    const file = relative(ROOT, process.argv[1] ?? 'unknown').replace(/[\\/]/g, '-');
    await writeFile(join(PAGE_COVERAGE_DIR, `${file}.json`), JSON.stringify(merged.toJSON()));
  };
}
