// The page's own files: index.html, the style sheet and one script. The
// standalone build (reviewer/build.ts) bundles the script beforehand and
// defines __SEALBOX_WORKBENCH_ASSETS__; from the sources it is bundled with
// esbuild on first use.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

declare const __SEALBOX_WORKBENCH_ASSETS__: PageAssets | undefined;

export interface PageAssets {
  html: string;
  css: string;
  script: string;
}

const PAGE_DIR = join(import.meta.dirname, 'page');

/** Bundles the page from reviewer/workbench/page/ (the standalone build calls this too). */
export async function bundlePage(): Promise<PageAssets> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(PAGE_DIR, 'main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  return {
    html: await readFile(join(PAGE_DIR, 'index.html'), 'utf8'),
    css: await readFile(join(PAGE_DIR, 'styles.css'), 'utf8'),
    script: result.outputFiles[0]!.text,
  };
}

let assets: Promise<PageAssets> | undefined;

export function pageAssets(): Promise<PageAssets> {
  assets ??=
    typeof __SEALBOX_WORKBENCH_ASSETS__ !== 'undefined'
      ? Promise.resolve(__SEALBOX_WORKBENCH_ASSETS__)
      : bundlePage();
  return assets;
}
