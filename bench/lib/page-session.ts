// The submit page in headless Chromium against a real Sealbox process, as the
// web benchmark and the page profiler drive it: the page built and signed for
// a fresh organisation, the server serving it, and the form filled in as a
// person would.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser as ChromiumBrowser, Page } from 'playwright-core';
import { fingerprint, generateOrganisationKey } from '../../client-crypto/index.ts';
import { signBuild } from '../../test/page-signing.ts';
import { buildWeb } from '../../web/build.ts';
import { currentEpochsOf } from './epochs.ts';
import { keysetFor, reviewers } from './keys.ts';
import { startSealbox } from './sealbox.ts';

export const CHROMIUM = '/usr/bin/chromium';

/** Tor's typical figures, as Chromium's network emulation applies them (per request). */
export const TOR_LINK = { latency: 600, throughput: 125_000 };

export async function fillReport(page: Page): Promise<void> {
  await page.check('[data-field=un_body] input[value=special_procedures]');
  await page.selectOption('[data-field=country] select', 'BY');
  await page.check('[data-field=reprisal_kinds] input[value=travel_ban]');
  await page.fill('[data-field=when] input', 'March 2025');
  await page.check('[data-field=consent_public] input[value=anonymised]');
  await page.check('[data-field=publicity_risk] input[value=yes]');
  await page.check('[data-field=safe_contact] input[value=status_page]');
  await page
    .getByLabel('Your account')
    .fill('After I spoke at the session my passport was taken at the airport. '.repeat(20));
}

export interface Session {
  page: Page;
  close(): Promise<void>;
}

/** A fresh browser context (empty cache), optionally without WebAssembly and on a slow link. */
export async function openSession(
  browser: ChromiumBrowser,
  options: { noWasm: boolean; link?: typeof TOR_LINK },
): Promise<Session> {
  const context = await browser.newContext({ locale: 'en-GB' });
  // Tor Browser at "Safer" has no WebAssembly: removed before any page script runs.
  if (options.noWasm) await context.addInitScript('delete globalThis.WebAssembly;');
  const page = await context.newPage();
  if (options.link) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: options.link.latency,
      downloadThroughput: options.link.throughput,
      uploadThroughput: options.link.throughput,
    });
  }
  return { page, close: () => context.close() };
}

/** The page loaded, its keys verified and the form filled in, the attachment chosen. */
export async function readyToSend(page: Page, url: string, attachment: Buffer | null) {
  await page.goto(url);
  await page.getByText(/keys are verified/).waitFor({ timeout: 60_000 });
  await fillReport(page);
  if (attachment) {
    await page.setInputFiles('input[type=file]', [
      { name: 'evidence.bin', mimeType: 'application/octet-stream', buffer: attachment },
    ]);
  }
}

/** Clicks "Lock and send"; resolves with the milliseconds until the receipt is on screen. */
export async function sendAndWait(page: Page): Promise<number> {
  const start = performance.now();
  await page.getByRole('button', { name: 'Lock and send' }).click();
  await page.locator('.receipt').waitFor({ timeout: 120_000 });
  return performance.now() - start;
}

/** Milliseconds from "Lock and send" to the receipt on screen. */
export async function submitOnce(
  page: Page,
  url: string,
  attachment: Buffer | null,
): Promise<number> {
  await readyToSend(page, url, attachment);
  return sendAndWait(page);
}

export interface PageBench {
  url: string;
  browser: ChromiumBrowser;
  close(): Promise<void>;
}

/** Builds and signs the page, starts the server that serves it and a headless Chromium. */
export async function startPageBench(log: (line: string) => void): Promise<PageBench> {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-bench-web-'));
  try {
    log('web: building the page and starting the server');
    const org = await generateOrganisationKey();
    await buildWeb({ outDir: dir, orgFingerprint: await fingerprint(org.publicKey) });
    // Signed as the organisation signs it: the page refuses to seal otherwise.
    await signBuild(dir, org);
    const identities = await reviewers(1);
    const server = await startSealbox({
      org,
      keyset: keysetFor(identities),
      epochs: (await currentEpochsOf(identities)).signed,
      env: { SEALBOX_WEB_DIR: dir, SEALBOX_MAX_EVENT_LOOP_DELAY_MS: '0' },
    });
    const browser = await chromium
      .launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
      })
      .catch(async (error: unknown) => {
        await server.stop();
        throw error;
      });
    return {
      url: server.url,
      browser,
      async close() {
        await browser.close();
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
