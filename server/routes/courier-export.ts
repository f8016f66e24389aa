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
import { z } from 'zod';
import type { BundleUpload } from '../../client-crypto/index.ts';
import { BUNDLE_FORMAT, BundleEncoder, toBase64Url } from '../../client-crypto/index.ts';
import { ackedSeq } from '../db/acks.ts';
import type { Db } from '../db/database.ts';
import { today } from '../db/dates.ts';
import type { ExportWindow } from '../db/export.ts';
import { exportItem, exportItems, exportWindow } from '../db/export.ts';
import { latestKeyset } from '../db/keysets.ts';
import { readUpload } from '../db/uploads.ts';
import type { Upload } from '../db/tables.ts';
import { errorSchema } from './schemas.ts';

const BATCH = 64;

const bundleUpload = (u: Upload): BundleUpload => ({
  id: u.id,
  size: u.size,
  digest: toBase64Url(u.digest ?? new Uint8Array(32)),
});

async function* exportBundle(
  db: Db,
  after: number,
  window: ExportWindow,
  keysetVersion: number,
): AsyncGenerator<Uint8Array> {
  const encoder = await BundleEncoder.create();
  yield encoder.start({ format: BUNDLE_FORMAT, keysetVersion, after, created: today() });
  for (let cursor = after; ;) {
    const batch = await exportItems(db, cursor, window.upTo, BATCH);
    if (batch.length === 0) break;
    for (const { seq, kind } of batch) {
      cursor = seq;
      const item = await exportItem(db, seq, kind);
      if (!item) continue; // purged since the batch was listed
      const {
        caseId,
        id,
        received,
        envelope,
        keysetVersion: sealedTo,
        effortLevel,
        uploads,
      } = item;
      const metaUploads = uploads.map(bundleUpload);
      yield kind === 'submission'
        ? encoder.submission(
            {
              id: caseId,
              seq,
              received,
              keysetVersion: sealedTo,
              uploads: metaUploads,
              // Cases from before levels were kept carry none.
              ...(effortLevel === null ? {} : { effort: effortLevel }),
            },
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
