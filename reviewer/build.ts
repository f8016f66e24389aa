// Builds dist/sealbox.mjs: the whole `sealbox` tool in one file that runs with
// only Node.js (no node_modules), for the air-gapped computer. libsodium (with
// its WebAssembly inlined) and cli-progress are bundled in, and so is the
// workbench's page (`review ui`), bundled here beforehand: the single file
// never needs esbuild.
import { build } from 'esbuild';
import { bundlePage } from './workbench/assets.ts';

const outfile = process.argv[2] ?? 'dist/sealbox.mjs';

await build({
  entryPoints: ['reviewer/cli.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Only reached when the page was not bundled in (running from the sources).
  external: ['esbuild'],
  define: { __SEALBOX_WORKBENCH_ASSETS__: JSON.stringify(await bundlePage()) },
  // CommonJS dependencies (cli-progress) call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __sealboxRequire } from 'node:module';\nconst require = __sealboxRequire(import.meta.url);",
  },
  legalComments: 'inline',
  logLevel: 'warning',
});
console.log(`built ${outfile}`);
