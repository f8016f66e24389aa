// The JSON API behind the page, one resource at a time. Every route here runs
// after guard.ts let the request through (loopback, this Host, the secret).
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { StatementKind } from '../../client-crypto/index.ts';
import { CaseFolder } from '../cases/case-folder.ts';
import { today } from '../cases/triage.ts';
import { DEFAULT_REVIEWER_NAME } from '../commands/reviewer-identity.ts';
import { CliError, usage } from '../errors.ts';
import {
  type Workspace,
  STATUSES,
  adoptKeyset,
  cardPathOf,
  createKey,
  figures,
  hasKeyFile,
  importBundle,
  outboxView,
  signStatement,
  statisticsCsv,
  statisticsSvg,
  unlock,
} from './actions.ts';
import { listCases } from './case-list.ts';
import { figuresView } from './figures-view.ts';
import { streamImport } from './import-progress.ts';
import { attachmentFile, caseView, imageType } from './case-view.ts';
import {
  JSON_LIMIT,
  caseIdOf,
  optionalString,
  readJson,
  sendDownload,
  sendJson,
  withBodyFile,
} from './http-util.ts';
import { protectionRoute } from './protection-routes.ts';
import { burstRoute } from './bursts-routes.ts';

export interface RouteContext {
  ws: Workspace;
  serial: <T>(job: () => Promise<T>) => Promise<T>;
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  /** Told of faults met after a streamed answer began (its status already sent). */
  onFault?: ((error: unknown) => void) | undefined;
}

const KINDS: readonly StatementKind[] = ['status', 'reply', 'purge'];

async function folder(ws: Workspace): Promise<CaseFolder | null> {
  try {
    return await CaseFolder.open(ws.cases, { create: false });
  } catch (error) {
    if (error instanceof CliError && error.code === 'CASES_FOLDER_INVALID') return null;
    throw error;
  }
}

function param(url: URL, name: string): string | undefined {
  return url.searchParams.get(name) ?? undefined;
}

export async function apiRoute(ctx: RouteContext): Promise<void> {
  const { ws, request, response, url, serial } = ctx;
  const route = `${request.method ?? ''} ${url.pathname}`;
  const caseMatch = /^\/api\/cases\/([^/]+)(\/.*)?$/.exec(url.pathname);

  if (route === 'GET /api/session') {
    const f = await folder(ws);
    return sendJson(response, 200, {
      unlocked: ws.session.unlocked,
      idleMinutes: ws.session.idleMs / 60_000,
      statuses: STATUSES,
      hasKeyset: f?.state.keyset != null,
      hasKey: await hasKeyFile(ws),
      key: resolve(ws.key),
      card: cardPathOf(ws.key),
      defaultName: DEFAULT_REVIEWER_NAME,
    });
  }
  if (route === 'POST /api/key') {
    const body = await readJson(request);
    const created = await serial(() =>
      createKey(ws, {
        name: optionalString(body, 'name'),
        passphrase: optionalString(body, 'passphrase') ?? '',
        again: optionalString(body, 'again') ?? '',
      }),
    );
    return sendJson(response, 200, created);
  }
  if (route === 'GET /api/card') {
    const card = await readFile(cardPathOf(ws.key), 'utf8').catch(() => {
      throw new CliError('FILE_MISSING', 'There is no public card beside the key file.');
    });
    return sendDownload(response, 'application/json', card, basename(cardPathOf(ws.key)));
  }
  if (route === 'POST /api/unlock') {
    const body = await readJson(request);
    await unlock(ws, optionalString(body, 'passphrase') ?? '');
    return sendJson(response, 200, { unlocked: true });
  }
  if (route === 'POST /api/lock') {
    request.resume();
    ws.session.lock();
    return sendJson(response, 200, { unlocked: false });
  }
  ws.session.touch();
  if (await protectionRoute(ctx)) return;
  if (await burstRoute(ctx)) return;
  if (route === 'POST /api/keyset') {
    const organisation = param(url, 'organisation') || undefined;
    const lines = await serial(() =>
      withBodyFile(request, 'keyset.json', (path) => adoptKeyset(ws, path, organisation), {
        limit: JSON_LIMIT,
        refusal: 'This is too large to be a keyset file.',
      }),
    );
    return sendJson(response, 200, { lines });
  }
  if (route === 'POST /api/import' && param(url, 'progress') === '1') {
    return serial(() =>
      withBodyFile(request, 'bundle.sbx', (path) =>
        streamImport(ws, path, response, ctx.onFault ?? (() => undefined)),
      ),
    );
  }
  if (route === 'POST /api/import') {
    const result = await serial(() =>
      withBodyFile(request, 'bundle.sbx', (path) => importBundle(ws, path)),
    );
    return sendJson(response, 200, result);
  }
  if (route === 'GET /api/cases') {
    const f = await folder(ws);
    const needs = param(url, 'needsAnswer');
    const cases = f
      ? await listCases(
          f,
          {
            status: param(url, 'status'),
            country: param(url, 'country'),
            unBody: param(url, 'unBody'),
            reprisalKind: param(url, 'reprisalKind'),
            consent: param(url, 'consent'),
            from: param(url, 'from'),
            to: param(url, 'to'),
            needsAnswer: needs === '1' || needs === 'true',
            text: param(url, 'text'),
            setAside: param(url, 'setAside') === '1',
          },
          today(ws.now?.()),
        )
      : [];
    return sendJson(response, 200, { cases });
  }
  if (caseMatch && request.method === 'GET') {
    const f = await folder(ws);
    if (!f) throw new CliError('CASE_UNKNOWN', 'There are no cases yet.');
    const record = await f.findCase(caseIdOf(caseMatch[1]!));
    const rest = caseMatch[2] ?? '';
    if (rest === '') return sendJson(response, 200, await caseView(f, record));
    const file = /^\/items\/(\d{1,6})\/files\/(\d{1,6})$/.exec(rest);
    if (!file) throw new CliError('FILE_MISSING', 'There is no such page.');
    const { path, attachment, size } = await attachmentFile(
      f,
      record,
      Number(file[1]),
      Number(file[2]),
    );
    const image = imageType(attachment.file);
    const download = param(url, 'download') === '1';
    if (!download && image === null) {
      throw usage('This file is not shown in the workbench; save a copy to open it with care.');
    }
    response.setHeader('Content-Security-Policy', 'sandbox');
    response.writeHead(200, {
      'Content-Type': download ? 'application/octet-stream' : image!,
      'Content-Length': size,
      ...(download
        ? {
            'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(attachment.file)}`,
          }
        : {}),
    });
    return pipeline(createReadStream(path), response);
  }
  if (caseMatch && caseMatch[2] === '/statements' && request.method === 'POST') {
    const body = await readJson(request);
    const kind = optionalString(body, 'kind');
    if (!KINDS.includes(kind as StatementKind)) throw usage('Choose status, reply or purge.');
    const result = await serial(() =>
      signStatement(ws, {
        kind: kind as StatementKind,
        caseId: caseIdOf(caseMatch[1]!),
        status: optionalString(body, 'status'),
        text: optionalString(body, 'text'),
      }),
    );
    return sendJson(response, 200, result);
  }
  if (route === 'GET /api/outbox') return sendJson(response, 200, await outboxView(ws));
  if (route === 'GET /api/figures') {
    const view = await figuresView(ws, { from: param(url, 'from'), to: param(url, 'to') });
    return sendJson(response, 200, view);
  }
  if (route === 'GET /api/figures.svg' || route === 'GET /api/figures.csv') {
    const stats = await figures(ws, { from: param(url, 'from'), to: param(url, 'to') });
    return url.pathname.endsWith('.svg')
      ? sendDownload(response, 'image/svg+xml', statisticsSvg(stats), 'statistics.svg')
      : sendDownload(response, 'text/csv; charset=utf-8', statisticsCsv(stats), 'statistics.csv');
  }
  request.resume();
  throw new CliError('FILE_MISSING', 'There is no such page.');
}
