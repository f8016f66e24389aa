// review ui: starts the workbench and keeps it running until Ctrl-C. The
// address printed carries the session's secret; it is valid until the
// command stops.
import { access } from 'node:fs/promises';
import { usage } from '../errors.ts';
import type { CommandIo } from '../io.ts';
import { openBrowser } from './open-browser.ts';
import { type Workbench, startWorkbench } from './server.ts';

export interface UiOptions {
  cases: string;
  key: string;
  idle?: number | undefined;
  browser: boolean;
}

export async function reviewUi(
  options: UiOptions,
  io: CommandIo,
  onStarted?: (workbench: Workbench) => void,
): Promise<void> {
  if (options.idle !== undefined && (options.idle < 1 || options.idle > 24 * 60)) {
    throw usage('--idle is a number of minutes from 1 to 1440.');
  }
  const workbench = await startWorkbench({
    cases: options.cases,
    key: options.key,
    idleMinutes: options.idle,
    onFault: (error) => io.stderr.write(`workbench fault: ${String(error)}\n`),
  });
  io.print(`The workbench is open at ${workbench.url}`);
  io.print('Only this computer can reach it. Press Ctrl-C here to stop it.');
  const hasKey = await access(options.key).then(
    () => true,
    () => false,
  );
  if (!hasKey) {
    io.print(`There is no key file at ${options.key} yet: the page will help you create it.`);
  }
  if (options.browser) openBrowser(workbench.url);
  onStarted?.(workbench);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void workbench.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  io.print('The workbench is closed; your passphrase is forgotten.');
}
