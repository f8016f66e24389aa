// Builds dist/sealbox.mjs: the whole `sealbox` tool in one file that runs with
// only Node.js (no node_modules), for the air-gapped computer. libsodium (with
// its WebAssembly inlined) and cli-progress are bundled in.
import { build } from 'esbuild';

const outfile = process.argv[2] ?? 'dist/sealbox.mjs';

await build({
  entryPoints: ['reviewer/cli.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS dependencies (cli-progress) call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __sealboxRequire } from 'node:module';\nconst require = __sealboxRequire(import.meta.url);",
  },
  legalComments: 'inline',
  logLevel: 'warning',
});
console.log(`built ${outfile}`);
