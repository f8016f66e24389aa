// review handover: a reviewer of one desk hands a case to another desk,
// offline (docs/protocol.md, "Handing a case to another desk"). Each item the
// author sealed (author key, signature and document, unchanged) is sealed
// again to the members of the other desk and written to a handover file that
// the reviewer carries to that desk's reviewers; `review open` on their side
// adopts it (adoptHandover). The person's consent is recorded first. Nothing
// reaches the server.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Keyset,
  EPOCH_KEY_FORMAT,
  isoDate,
  resealToDesk,
  sealingKeys,
  toBase64Url,
} from '../../client-crypto/index.ts';
import { CaseFolder } from '../cases/case-folder.ts';
import { type HandoverPayload, handoverEntry, signHandover } from '../cases/handover-file.ts';
import { writeIndexes } from '../cases/indexes.ts';
import { AUTHORED_FILE, type CaseRecord, deskName } from '../cases/records.ts';
import { caseName } from '../cases/safe-name.ts';
import { CliError, usage } from '../errors.ts';
import { readInputFile, writeNewFile } from '../files.ts';
import type { CommandIo } from '../io.ts';
import { keyOptions } from '../io.ts';
import { loadReviewerKey } from '../keys.ts';
import { terminalField } from '../terminal-text.ts';
import { folderKeyset, isMember } from '../trust.ts';

export interface HandoverOptions {
  caseId: string;
  /** The desk id the case goes to. */
  to: string;
  /** How the person agreed to it, in the reviewer's words; required. */
  consent: string | undefined;
  /** The reviewers' signed epoch keys (as GET /v1/epochs serves them, or outbox lines). */
  epochKeys: string;
  out: string;
  key: string;
  cases: string;
  passphraseFile?: string | undefined;
  now?: Date | undefined;
}

/** The desk `id` of the keyset, or a refusal in plain words that lists the others. */
export function keysetDesk(keyset: Keyset, id: string) {
  const desks = keyset.desks ?? [];
  if (desks.length === 0) {
    throw new CliError('DESK_UNKNOWN', `Keyset version ${keyset.version} has no desks.`);
  }
  const desk = desks.find((d) => d.id === id);
  if (!desk) {
    throw new CliError(
      'DESK_UNKNOWN',
      `There is no desk "${terminalField(id)}" in keyset version ${keyset.version}. Its desks are: ${desks.map((d) => d.id).join(', ')}.`,
    );
  }
  return desk;
}

export async function reviewHandover(
  options: HandoverOptions,
  io: CommandIo,
): Promise<{ out: string; items: number }> {
  const consent = options.consent?.trim() ?? '';
  if (consent === '') {
    throw new CliError(
      'HANDOVER_REFUSED',
      'First ask the person whether their case may go to the other desk. Then record how they agreed with --consent-recorded "…" (for example: "said yes in their follow-up of 2026-12-01").',
    );
  }
  const folder = await CaseFolder.open(options.cases, { create: false });
  const record = await folder.findCase(options.caseId);
  const keyset = await folderKeyset(folder, { now: options.now }, io);
  const desk = keysetDesk(keyset, options.to);
  if (record.desk?.id === desk.id) {
    throw new CliError(
      'HANDOVER_REFUSED',
      `Case ${caseName(record.caseId)} is already with desk ${desk.id}.`,
    );
  }
  const keys = await sealingKeys(keyset, await readEpochKeys(options.epochKeys), options.now);
  const { secrets } = await loadReviewerKey(options.key, keyOptions(io, options.passphraseFile));
  if (!isMember(keyset, secrets)) {
    throw new CliError(
      'HANDOVER_REFUSED',
      `Your key is not in keyset version ${keyset.version}: desk ${desk.id} could not trust the file.`,
    );
  }
  const items: HandoverPayload['items'] = [];
  for (const item of record.items) {
    if (item.flag) continue; // kept apart: not the author's case
    const authored = await readFile(
      join(folder.caseDir(record.caseId), item.folder, AUTHORED_FILE),
    ).catch(() => null);
    if (!authored) {
      throw new CliError(
        'HANDOVER_REFUSED',
        `Item ${item.itemId} of case ${caseName(record.caseId)} was opened by an older sealbox, which did not keep the author's signature: the case cannot be handed over.`,
      );
    }
    const envelope = await resealToDesk(new Uint8Array(authored), keys, keyset, desk.id);
    items.push({
      itemId: item.itemId,
      kind: item.kind,
      date: item.date,
      envelope: toBase64Url(envelope),
    });
  }
  const date = isoDate(options.now ?? new Date());
  const payload: HandoverPayload = {
    v: 1,
    caseId: record.caseId,
    desk: desk.id,
    ...(record.desk ? { from: record.desk.id } : {}),
    date,
    keysetVersion: keyset.version,
    consent,
    items,
  };
  await writeNewFile(options.out, await signHandover(payload, secrets));
  recordHandover(record, payload, desk.names);
  await folder.writeCase(record);
  await writeIndexes(folder, [record.caseId]);
  const name = deskName(record.desk!);
  io.print(
    `Case ${caseName(record.caseId)} (${items.length} item(s)) is sealed to desk ${terminalField(name)} in ${options.out}.`,
  );
  io.print(
    `Carry that file to a reviewer of desk ${terminalField(name)}; they open it with "sealbox review open". From now on, every reply names desk ${terminalField(name)}.`,
  );
  return { out: options.out, items: items.length };
}

/** The case is with the new desk from now on; the handover and the consent are kept. */
export function recordHandover(
  record: CaseRecord,
  payload: HandoverPayload,
  names: Record<string, string>,
): void {
  record.desk = { id: payload.desk, names };
  (record.handovers ??= []).push(handoverEntry(payload));
}

/**
 * Signed epoch keys from a file: what GET /v1/epochs serves (`{"epochs":[…]}`),
 * a JSON array of them, or an outbox (one per line). Each is verified against
 * the keyset by sealingKeys.
 */
async function readEpochKeys(path: string): Promise<unknown[]> {
  const text = new TextDecoder().decode(await readInputFile(path, 'epoch keys file'));
  try {
    const whole = JSON.parse(text) as unknown;
    if (Array.isArray(whole)) return whole as unknown[];
    const epochs = (whole as { epochs?: unknown } | null)?.epochs;
    if (Array.isArray(epochs)) return epochs as unknown[];
    return [whole];
  } catch {
    // One per line, as in an outbox.
  }
  try {
    return text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as unknown)
      .filter((l) => (l as { format?: unknown } | null)?.format === EPOCH_KEY_FORMAT);
  } catch {
    throw usage(`${path} is not a file of signed epoch keys.`);
  }
}
