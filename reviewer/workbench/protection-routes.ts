// The API of check-ins, report summaries, the report draft and the weekly
// keys (protection.ts). Called by routes.ts after guard.ts let the request
// through (loopback, this Host, the secret), like every other /api/ route;
// writes run one at a time through `serial`, signing needs the unlocked session.
import { CaseFolder } from '../cases/case-folder.ts';
import { reportFileName } from '../commands/review-report.ts';
import { usage } from '../errors.ts';
import type { Lang } from '../report/draft.ts';
import { caseIdOf, optionalString, readJson, sendDownload, sendJson } from './http-util.ts';
import {
  caseProtection,
  checkinList,
  reportFor,
  reportPreview,
  saveSummary,
  setCheckin,
  weeklyKeys,
  wholeOrDefault,
} from './protection.ts';
import type { RouteContext } from './routes.ts';

const CASE_ROUTE = /^\/api\/cases\/([^/]+)\/(protection|checkin|summary)$/;
const REPORT_FILE = /^\/api\/report\.(en|fr)\.(md|csv)$/;

/** Handles the request when it is one of these routes; returns false to let routes.ts go on. */
export async function protectionRoute(ctx: RouteContext): Promise<boolean> {
  const { ws, request, response, url, serial } = ctx;
  const route = `${request.method ?? ''} ${url.pathname}`;
  const day = (name: string) => url.searchParams.get(name) ?? '';

  if (route === 'GET /api/checkins') {
    sendJson(response, 200, await serial(() => checkinList(ws)));
    return true;
  }
  if (route === 'GET /api/report') {
    sendJson(response, 200, reportPreview(await reportFor(ws, day('from'), day('to'))));
    return true;
  }
  const file = REPORT_FILE.exec(url.pathname);
  if (file && request.method === 'GET') {
    const [lang, ext] = [file[1] as Lang, file[2] as 'md' | 'csv'];
    const draft = await reportFor(ws, day('from'), day('to'));
    sendDownload(
      response,
      ext === 'md' ? 'text/markdown; charset=utf-8' : 'text/csv; charset=utf-8',
      ext === 'md' ? draft.markdown[lang] : draft.csv[lang],
      reportFileName(draft.from, draft.to, lang, ext),
    );
    return true;
  }
  if (route === 'POST /api/epochs') {
    const body = await readJson(request);
    const options = {
      ahead: wholeOrDefault(body.ahead, 'Weeks ahead'),
      days: wholeOrDefault(body.days, 'Days per key'),
      grace: wholeOrDefault(body.grace, 'Grace days'),
    };
    sendJson(response, 200, await serial(() => weeklyKeys(ws, options)));
    return true;
  }
  const match = CASE_ROUTE.exec(url.pathname);
  if (!match) return false;
  const caseId = caseIdOf(match[1]!);
  const what = match[2];
  if (what === 'protection' && request.method === 'GET') {
    const folder = await CaseFolder.open(ws.cases, { create: false });
    sendJson(response, 200, await caseProtection(ws, folder, caseId));
    return true;
  }
  if (request.method !== 'POST' || what === 'protection') return false;
  const body = await readJson(request);
  if (what === 'checkin') {
    const raw = body.every;
    const every = typeof raw === 'number' ? String(raw) : optionalString(body, 'every');
    if (every === undefined) throw usage('Give the rhythm: a number of days, 0 to stop.');
    const text = optionalString(body, 'text');
    sendJson(response, 200, await serial(() => setCheckin(ws, { caseId, every, text })));
    return true;
  }
  const text = optionalString(body, 'text') ?? '';
  const name = optionalString(body, 'name');
  sendJson(response, 200, await serial(() => saveSummary(ws, { caseId, text, name })));
  return true;
}
