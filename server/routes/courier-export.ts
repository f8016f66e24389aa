// GET /v1/courier/export: everything new after a cursor, as a bundle
// (docs/protocol-courier.md). Streamed item by item, attachment ciphertext
// part by part, so memory stays flat however large the export.
//
// Exports are repeatable: the same cursor gives the same items (minus any
// purged since), so an interrupted download resumes by asking again after its
// last whole item. Without `after`, the export starts at this courier's
// acknowledged cursor: once a bundle is acknowledged, its items are not handed
// out again by default.
import { Readable } from 'node:stream';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import type { BundleUpload } from '../../client-crypto/index.ts';
import { BUNDLE_FORMAT, BundleEncoder, toBase64Url } from '../../client-crypto/index.ts';
import { ackedSeq } from '../db/acks.ts';
import type { Db } from '../db/database.ts';
import { today } from '../db/dates.ts';
import { withSettledExportOrder } from '../db/export-order.ts';
import { latestKeyset } from '../db/keysets.ts';
import { readUpload, uploadsOf } from '../db/uploads.ts';
import type { Upload } from '../db/tables.ts';
import { errorSchema } from './schemas.ts';

const BATCH = 64;

/** The highest export seq ever drawn (0 when none): no cursor can go past it. */
export async function lastExportSeq(db: Db): Promise<number> {
  const { rows } = await sql<{
    last: number | string;
  }>`select case when is_called then last_value else 0 end as last from export_seq`.execute(db);
  return Number(rows[0]?.last ?? 0);
}

interface Window {
  upTo: number;
  items: number;
  bytes: number;
}

/**
 * Fixes the end of an export while no writer holds an uncommitted seq, so
 * nothing at or below it can still appear, and measures it for progress bars.
 */
async function exportWindow(db: Db, after: number): Promise<Window> {
  return withSettledExportOrder(db, async (trx) => {
    const { rows } = await sql<{ up_to: number | string | null }>`
      select greatest((select max(seq) from submissions), (select max(seq) from followups)) as up_to
    `.execute(trx);
    const upTo = Math.max(after, Number(rows[0]?.up_to ?? 0));
    const { rows: size } = await sql<{ items: number | string; bytes: number | string }>`
      select count(*) as items, coalesce(sum(bytes), 0) as bytes from (
        select s.seq, octet_length(s.envelope)
          + coalesce((select sum(u.size) from uploads u where u.submission_seq = s.seq), 0) as bytes
          from submissions s where s.seq > ${after} and s.seq <= ${upTo} and s.envelope is not null
        union all
        select f.seq, octet_length(f.envelope)
          + coalesce((select sum(u.size) from uploads u where u.followup_seq = f.seq), 0)
          from followups f where f.seq > ${after} and f.seq <= ${upTo}
      ) as items
    `.execute(trx);
    return { upTo, items: Number(size[0]?.items ?? 0), bytes: Number(size[0]?.bytes ?? 0) };
  });
}

async function nextItems(db: Db, cursor: number, upTo: number) {
  const { rows } = await sql<{ seq: number | string; kind: 'submission' | 'followup' }>`
    select seq, 'submission' as kind from submissions
      where seq > ${cursor} and seq <= ${upTo} and envelope is not null
    union all
    select seq, 'followup' as kind from followups where seq > ${cursor} and seq <= ${upTo}
    order by seq limit ${BATCH}
  `.execute(db);
  return rows.map((r) => ({ seq: Number(r.seq), kind: r.kind }));
}

const bundleUpload = (u: Upload): BundleUpload => ({
  id: u.id,
  size: u.size,
  digest: toBase64Url(u.digest ?? new Uint8Array(32)),
});

async function* exportBundle(
  db: Db,
  after: number,
  window: Window,
  keysetVersion: number,
): AsyncGenerator<Uint8Array> {
  const encoder = await BundleEncoder.create();
  yield encoder.start({ format: BUNDLE_FORMAT, keysetVersion, after, created: today() });
  for (let cursor = after; ;) {
    const batch = await nextItems(db, cursor, window.upTo);
    if (batch.length === 0) break;
    for (const { seq, kind } of batch) {
      cursor = seq;
      const item = await loadItem(db, seq, kind);
      if (!item) continue; // purged since the batch was listed
      const { caseId, id, received, envelope, keysetVersion: sealedTo, uploads } = item;
      const metaUploads = uploads.map(bundleUpload);
      yield kind === 'submission'
        ? encoder.submission(
            { id: caseId, seq, received, keysetVersion: sealedTo, uploads: metaUploads },
            envelope,
          )
        : encoder.followup(
            { id, submissionId: caseId, seq, received, uploads: metaUploads },
            envelope,
          );
      for (const upload of uploads) {
        const { id: uploadId, size, digest } = bundleUpload(upload);
        const owner =
          kind === 'followup' ? { submissionId: caseId, followupId: id } : { submissionId: caseId };
        yield* encoder.attachment({ ...owner, uploadId, size, digest }, readUpload(db, upload));
      }
    }
  }
  yield encoder.end();
}

async function loadItem(db: Db, seq: number, kind: 'submission' | 'followup') {
  if (kind === 'submission') {
    const s = await db
      .selectFrom('submissions')
      .select(['case_id', 'received', 'envelope', 'keyset_version'])
      .where('seq', '=', seq)
      .executeTakeFirst();
    if (!s?.envelope) return undefined;
    return {
      caseId: s.case_id,
      id: s.case_id,
      received: s.received,
      envelope: s.envelope,
      keysetVersion: s.keyset_version,
      uploads: await uploadsOf(db, { submissionSeq: seq }),
    };
  }
  const f = await db
    .selectFrom('followups as f')
    .innerJoin('submissions as s', 's.seq', 'f.submission_seq')
    .select(['f.id', 'f.received', 'f.envelope', 's.case_id', 's.keyset_version'])
    .where('f.seq', '=', seq)
    .executeTakeFirst();
  if (!f) return undefined;
  return {
    caseId: f.case_id,
    id: f.id,
    received: f.received,
    envelope: f.envelope,
    keysetVersion: f.keyset_version,
    uploads: await uploadsOf(db, { followupSeq: seq }),
  };
}

const courierExport: FastifyPluginCallbackZod = (app, _options, done) => {
  const { db } = app.sealbox;
  app.get(
    '/v1/courier/export',
    {
      config: { rateClass: 'read' },
      schema: {
        summary: 'Stream a bundle of everything after a cursor (courier)',
        description:
          'application/octet-stream in the sealbox-bundle-v1 format. Headers ' +
          'Sealbox-Export-Items and Sealbox-Export-Bytes announce its size for progress bars.',
        querystring: z.object({
          after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
        }),
        response: { 400: errorSchema, 401: errorSchema },
      },
    },
    async (request, reply) => {
      const after = request.query.after ?? (await ackedSeq(db, request.courier!.publicKey));
      const keyset = await latestKeyset(db);
      const window = await exportWindow(db, after);
      const stream = Readable.from(exportBundle(db, after, window, keyset?.version ?? 0), {
        objectMode: false,
      });
      stream.on('error', (error) => request.log.error({ err: error }, 'export stream failed'));
      return reply
        .header('content-type', 'application/octet-stream')
        .header('sealbox-export-items', String(window.items))
        .header('sealbox-export-bytes', String(window.bytes))
        .send(stream as never); // a byte stream: no response schema applies to it
    },
  );
  done();
};

export default courierExport;
