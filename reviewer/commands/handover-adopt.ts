// The receiving side of a handover: `review open` given a handover file
// adopts the case it carries, under the same case id, with the desk it was
// handed to. Everything is checked before anything is written: the file's
// signature by a reviewer of the keyset, that this reviewer is in the desk it
// names, that every item opens with this reviewer's keys as a desk envelope of
// its kind, that the author signed each, that the follow-ups are the
// submission's author's, and that a case already here under that id is the
// same case. A refusal leaves the case folder as it was.
import {
  type Keyset,
  type OpenedDocument,
  DESK_ENVELOPE_VERSION,
  checkAuthor,
  deskMembers,
  fromBase64Url,
  getSodium,
  isSealboxError,
  openDocument,
  parseEnvelopeHeader,
  reviewerKeyRing,
  toBase64Url,
} from '../../client-crypto/index.ts';
import type { CaseFolder } from '../cases/case-folder.ts';
import {
  type HandoverPayload,
  MAX_HANDOVER_BYTES,
  handoverEntry,
  readHandover,
  tampered,
} from '../cases/handover-file.ts';
import { writeFolderIndex, writeIndexes } from '../cases/indexes.ts';
import { deskName } from '../cases/records.ts';
import { caseName } from '../cases/safe-name.ts';
import { CliError } from '../errors.ts';
import { readInputFile } from '../files.ts';
import type { CommandIo } from '../io.ts';
import type { ReviewerKey } from '../keys.ts';
import { terminalField } from '../terminal-text.ts';
import { keysetDesk, recordHandover } from './review-handover.ts';

export interface AdoptReport {
  caseId: string;
  desk: string;
  /** Items written; 0 when the case was here already and only its desk changed. */
  items: number;
}

export async function adoptHandover(
  options: { file: string; folder: CaseFolder; keyset: Keyset; key: ReviewerKey },
  io: CommandIo,
): Promise<AdoptReport> {
  const { folder, keyset, key } = options;
  const bytes = await readInputFile(options.file, 'handover file');
  if (bytes.length > MAX_HANDOVER_BYTES) throw tampered('it is larger than any handover');
  const { payload, signerName } = await readHandover(new TextDecoder().decode(bytes), keyset);
  const desk = keysetDesk(keyset, payload.desk);
  const members = await deskMembers(keyset, desk.id);
  const sign = toBase64Url(key.secrets.signPublicKey);
  const mine = keyset.reviewers.findIndex((r) => r.signPublicKey === sign);
  if (mine < 0 || !members[mine]) {
    throw new CliError(
      'HANDOVER_REFUSED',
      `This case was handed to desk ${terminalField(deskName(desk))}, and your key is not in that desk: only its reviewers can open it.`,
    );
  }
  const opened = await openItems(payload, key);
  const existing = await folder.existingCase(payload.caseId);
  if (existing) {
    if (existing.authorPublicKey !== toBase64Url(opened[0]!.author)) {
      throw tampered(
        `case ${caseName(payload.caseId)} here holds a submission by another author, which the file would replace`,
      );
    }
    recordHandover(existing, payload, desk.names);
    await folder.writeCase(existing);
    await writeIndexes(folder, [existing.caseId]);
    await writeFolderIndex(folder);
    io.print(
      `Case ${caseName(payload.caseId)} was here already; it is now with desk ${terminalField(deskName(desk))}.`,
    );
    return { caseId: payload.caseId, desk: desk.id, items: 0 };
  }
  const sodium = await getSodium();
  const handover = handoverEntry(payload);
  for (const [i, item] of payload.items.entries()) {
    const document = opened[i]!;
    const envelope = fromBase64Url(item.envelope);
    const staged = await folder.stage({
      itemId: item.itemId,
      openedAs: item.itemId,
      caseId: payload.caseId,
      kind: item.kind,
      date: item.date,
      document: document.document,
      author: toBase64Url(document.author),
      digest: toBase64Url(sodium.crypto_generichash(32, envelope, null)),
      authored: document.authored,
      handedOver: { desk: { id: desk.id, names: desk.names }, handover },
    });
    try {
      await staged.handOver();
    } finally {
      await staged.discard();
    }
  }
  await folder.close();
  await writeFolderIndex(folder);
  io.print(
    `Case ${caseName(payload.caseId)} (${payload.items.length} item(s)) handed over by ${terminalField(signerName)} is now in ${folder.root}, with desk ${terminalField(deskName(desk))}.`,
  );
  const files = opened.reduce((n, o) => n + o.document.attachments.length, 0);
  if (files > 0) {
    io.print(
      `Its ${files} file(s) are not in the handover: the reviewers who handed it over still have them.`,
    );
  }
  return { caseId: payload.caseId, desk: desk.id, items: payload.items.length };
}

/** Opens every item, or refuses the whole file: nothing is written before all are checked. */
async function openItems(payload: HandoverPayload, key: ReviewerKey): Promise<OpenedDocument[]> {
  const [first, ...rest] = payload.items;
  if (first?.kind !== 'submission' || first.itemId !== payload.caseId) {
    throw tampered('its first item is not the submission of the case it names');
  }
  if (rest.some((i) => i.kind !== 'followup')) throw tampered('it holds a second submission');
  if (new Set(payload.items.map((i) => i.itemId)).size !== payload.items.length) {
    throw tampered('it lists an item twice');
  }
  const ring = reviewerKeyRing(key.secrets);
  const opened: OpenedDocument[] = [];
  for (const item of payload.items) {
    let document: OpenedDocument | null;
    try {
      const envelope = fromBase64Url(item.envelope);
      const header = parseEnvelopeHeader(envelope);
      if (header.version !== DESK_ENVELOPE_VERSION || header.kind !== item.kind) {
        throw tampered(`item ${item.itemId} is not a desk envelope of its kind`);
      }
      if (header.keysetVersion !== payload.keysetVersion) {
        throw tampered(`item ${item.itemId} is sealed for another keyset than the file says`);
      }
      document = await openDocument(envelope, ring);
      if (document && opened[0]) {
        await checkAuthor(document, opened[0].author);
      }
    } catch (error) {
      if (isSealboxError(error)) throw tampered(`item ${item.itemId}: ${error.message}`);
      throw error;
    }
    if (!document) {
      throw new CliError(
        'HANDOVER_REFUSED',
        `Item ${item.itemId} of this handover is not sealed to your keys: it was sealed to other reviewers than those of desk ${payload.desk}.`,
      );
    }
    if (document.document.kind !== item.kind)
      throw tampered(`item ${item.itemId} is filed as the wrong kind`);
    opened.push(document);
  }
  return opened;
}
