// Bursts in the workbench: the table `review bursts` prints and the buttons
// that do what `review set-aside` does, through the command's own functions
// (reviewer/commands/review-bursts.ts). Called by routes.ts after guard.ts let
// the request through (loopback, this Host, the secret); writes run one at a
// time through `serial`.
import { CaseFolder } from '../cases/case-folder.ts';
import { burstDays } from '../cases/bursts.ts';
import { caseName } from '../cases/safe-name.ts';
import { burstRule, burstTable, setAsideDay } from '../commands/review-bursts.ts';
import { usage } from '../errors.ts';
import { optionalString, readJson, sendJson } from './http-util.ts';
import type { RouteContext } from './routes.ts';

/** Handles the request when it is one of these routes; returns false to let routes.ts go on. */
export async function burstRoute(ctx: RouteContext): Promise<boolean> {
  const { ws, request, response, url, serial } = ctx;
  const route = `${request.method ?? ''} ${url.pathname}`;
  if (route === 'GET /api/bursts') {
    const raw = url.searchParams.get('factor');
    if (raw !== null && !/^\d{1,4}$/.test(raw)) throw usage('The factor is a whole number from 2 to 1000.'); // prettier-ignore
    const rule = burstRule(raw === null ? undefined : Number(raw));
    const folder = await CaseFolder.open(ws.cases, { create: false });
    const { days, usual } = burstDays(await folder.allCases(), rule);
    const table = burstTable(days);
    sendJson(response, 200, {
      usual,
      factor: rule.factor,
      floor: rule.floor,
      /** The level columns of the table, in its order. */
      levels: table[0]!.slice(2, -2).map((h) => h.replace(/^level /, '')),
      /** The rows `review bursts` prints, its header first. */
      table,
    });
    return true;
  }
  if (route === 'POST /api/bursts/set-aside') {
    const body = await readJson(request);
    const raw = body.level;
    const level = typeof raw === 'number' ? String(raw) : optionalString(body, 'level');
    const undo = body.undo === true;
    const outcome = await serial(() =>
      setAsideDay(ws.cases, { day: optionalString(body, 'day'), level, undo }, ws.now?.()),
    );
    sendJson(response, 200, {
      changed: outcome.changed.length,
      already: outcome.already,
      kept: outcome.kept.map(({ record, reasons }) => ({ name: caseName(record.caseId), reasons })),
    });
    return true;
  }
  return false;
}
