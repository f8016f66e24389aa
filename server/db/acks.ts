import type { Db } from './database.ts';

export async function ackedSeq(db: Db, courier: string): Promise<number> {
  const row = await db
    .selectFrom('export_acks')
    .select('acked_seq')
    .where('courier', '=', courier)
    .executeTakeFirst();
  return row?.acked_seq ?? 0;
}

/** Moves a courier's acknowledgement forward; never backwards. */
export async function ackExport(db: Db, courier: string, seq: number, on: string) {
  await db
    .insertInto('export_acks')
    .values({ courier, acked_seq: seq, acked_on: on })
    .onConflict((oc) =>
      oc
        .column('courier')
        .doUpdateSet({ acked_seq: seq, acked_on: on })
        .where('export_acks.acked_seq', '<', seq),
    )
    .execute();
}
