// `sealbox courier watch-page URL --organisation FINGERPRINT`: checks the page a
// server serves against the organisation's signature, from outside, as anyone
// can. Run from several places (and over Tor), so that a server that serves a
// changed page to some visitors is likely to be seen. Prints a short summary on
// success (nothing with --cron) and a report of every difference otherwise; the
// exit code says whether the page differs or could not be reached.
import { sameFingerprint } from '../../client-crypto/index.ts';
import { usage } from '../errors.ts';
import type { CommandIo } from '../io.ts';
import { CourierError } from './errors.ts';
import { watchPage } from './watch/check.ts';
import type { WatchReport } from './watch/report.ts';

export interface WatchOptions {
  url: string;
  organisation: string;
  cron?: boolean | undefined;
  /** Seconds for the whole run. */
  timeout?: number | undefined;
}

export const DEFAULT_TIMEOUT_SECONDS = 120;

export async function courierWatchPage(options: WatchOptions, io: CommandIo): Promise<WatchReport> {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw usage(`"${options.url}" is not a web address.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw usage(`"${options.url}" is not an http(s) address.`);
  }
  if (url.username || url.password) throw usage('The page address must not hold a user name.');
  const pin = options.organisation;
  if (!sameFingerprint(pin, pin) || !/^[0-9A-Za-z\s-]+$/.test(pin)) {
    throw usage('--organisation must be the organisation fingerprint (32 symbols).');
  }
  const seconds = options.timeout ?? DEFAULT_TIMEOUT_SECONDS;
  const report = await watchPage(url, pin, seconds * 1000);
  const lines = report.lines();
  if (lines.length === 0) {
    if (!options.cron) {
      io.print(
        `OK ${url.origin}: the page organisation ${pin} signed on ${report.signed?.date} (version ${report.signed?.version}); ${report.files} files and the headers of ${report.responses} answers match.`,
      );
    }
    return report;
  }
  const kind = report.differences.length > 0 ? 'differs' : 'unreachable';
  io.print(
    kind === 'differs'
      ? `The page at ${url.origin} is NOT the page organisation ${pin} signed (${report.differences.length} difference(s)):`
      : report.files === 0
        ? `The page at ${url.origin} could not be reached:`
        : `The page at ${url.origin} could not be checked completely (${report.unreachable.length} answer(s) missing):`,
  );
  for (const line of lines) io.print(line);
  if (kind === 'differs') {
    throw new CourierError(
      'PAGE_DIFFERS',
      `The page at ${url.origin} differs from what the organisation signed.`,
    );
  }
  throw new CourierError('SERVER_UNREACHABLE', `Could not reach all of the page at ${url.origin}.`);
}
