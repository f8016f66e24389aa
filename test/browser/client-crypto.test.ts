// client-crypto bundled for the browser with esbuild and run in headless
// Chromium: the small ESM libsodium build where WebAssembly exists, and the
// CommonJS build (pure-JS fallback) with WebAssembly deleted before any script.
import t from 'tap';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const entry = fileURLToPath(new URL('./fixtures/crypto-entry.ts', import.meta.url));
const cjsSodium = fileURLToPath(
  new URL(
    '../../node_modules/libsodium-wrappers/dist/modules/libsodium-wrappers.js',
    import.meta.url,
  ),
);

async function bundle(fallback: boolean): Promise<string> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    external: ['node:*', 'fs', 'path', 'crypto'],
    alias: fallback ? { 'libsodium-wrappers': cjsSodium } : {},
    logLevel: 'silent',
  });
  return out.outputFiles![0]!.text;
}

if (!existsSync(CHROMIUM)) {
  t.fail(`Chromium is missing at ${CHROMIUM}: install Debian's chromium package`);
} else {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  t.teardown(() => browser.close());

  for (const fallback of [false, true]) {
    t.test(fallback ? 'without WebAssembly (pure-JS libsodium)' : 'with WebAssembly', async (t) => {
      const code = await bundle(fallback);
      const page = await browser.newPage();
      t.teardown(() => page.close());
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      if (fallback) await page.addInitScript('delete globalThis.WebAssembly');
      // A secure context, as the real page is (crypto.subtle, which the
      // attachment digest uses, exists only there; about:blank has none).
      await page.route('https://sealbox.test/', (route) =>
        route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>test</title>' }),
      );
      await page.goto('https://sealbox.test/');
      await page.addScriptTag({ content: code });
      const result = await page.evaluate(() =>
        (
          globalThis as unknown as { sealboxRoundTrip(): Promise<Record<string, unknown>> }
        ).sealboxRoundTrip(),
      );
      t.same(result, {
        message: 'شهادة',
        signedByAuthor: true,
        attachmentBack: true,
        reply: 'received',
        wasm: !fallback,
      });
      t.same(errors, [], 'no uncaught error in the page');
      if (!fallback) {
        // The ESM build alone has no fallback: proof that the test above is not vacuous.
        const bare = await browser.newPage();
        t.teardown(() => bare.close());
        await bare.addInitScript('delete globalThis.WebAssembly');
        await bare.goto('about:blank');
        await bare.addScriptTag({ content: code });
        const failed = await bare
          .evaluate(() =>
            (globalThis as unknown as { sealboxRoundTrip(): Promise<unknown> }).sealboxRoundTrip(),
          )
          .then(
            () => false,
            () => true,
          );
        t.ok(failed, 'the small ESM build fails without WebAssembly, so the fallback is needed');
      }
    });
  }
}
