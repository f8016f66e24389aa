// What a courier export reads (routes/courier-export.ts): the end of an
// export and its size, the items after a cursor, and each item with its
// uploads. Submissions and follow-ups share one seq (the export_seq sequence).
import { sql } from 'kysely';
import type { Db } from './database.ts';
import { withSettledExportOrder } from './export-order.ts';
import { uploadsOf } from './uploads.ts';

/** The highest export seq ever drawn (0 when none): no cursor can go past it. */
export async function lastExportSeq(db: Db): Promise<number> {
  const { rows } = await sql<{
    last: number | string;
  }>`select case when is_called then last_value else 0 end as last from export_seq`.execute(db);
  return Number(rows[0]?.last ?? 0);
}

export interface ExportWindow {
  upTo: number;
  items: number;
  bytes: number;
}

/**
 * Fixes the end of an export while no writer holds an uncommitted seq, so
 * nothing at or below it can still appear, and measures it for progress bars.
 */
export async function exportWindow(db: Db, after: number): Promise<ExportWindow> {
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

/** The next `limit` items after `cursor` up to `upTo`, in seq order (purged cases left out). */
export async function exportItems(db: Db, cursor: number, upTo: number, limit: number) {
  const { rows } = await sql<{ seq: number | string; kind: 'submission' | 'followup' }>`
    select seq, 'submission' as kind from submissions
      where seq > ${cursor} and seq <= ${upTo} and envelope is not null
    union all
    select seq, 'followup' as kind from followups where seq > ${cursor} and seq <= ${upTo}
    order by seq limit ${limit}
  `.execute(db);
  return rows.map((r) => ({ seq: Number(r.seq), kind: r.kind }));
}

/** An item to export with its uploads; undefined once purged. */
export async function exportItem(db: Db, seq: number, kind: 'submission' | 'followup') {
  if (kind === 'submission') {
    const s = await db
      .selectFrom('submissions')
      .select(['case_id', 'received', 'envelope', 'keyset_version', 'effort_level'])
      .where('seq', '=', seq)
      .executeTakeFirst();
    if (!s?.envelope) return undefined;
    return {
      caseId: s.case_id,
      id: s.case_id,
      received: s.received,
      envelope: s.envelope,
      keysetVersion: s.keyset_version,
      effortLevel: s.effort_level,
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
    effortLevel: null,
    uploads: await uploadsOf(db, { followupSeq: seq }),
  };
}
