// The hostile courier (or whoever holds the server): it carries every bundle,
// knows every case id and the reviewers' public keys, and can seal anything to
// them. It does not hold any submitter's receipt. It tries to take over cases
// by putting its own items into bundles; review open must never let it.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import {
  deriveReceiptKeys,
  fromBase64Url,
  generateReceipt,
  readStatementAsSubmitter,
} from '../../client-crypto/index.ts';
import type { CaseRecord } from '../../reviewer/cases/records.ts';
import { openOutcome, reviewOpen } from '../../reviewer/commands/review-open.ts';
import { reviewStatement } from '../../reviewer/commands/review-statement.ts';
import { readOutbox } from '../../reviewer/outbox.ts';
import { type Setup, makeSetup, sealItem, tempDir, writeBundle } from '../reviewer/fixtures.ts';

async function attacker() {
  return deriveReceiptKeys(await generateReceipt());
}

async function caseRecord(cases: string, caseId: string): Promise<CaseRecord> {
  return JSON.parse(await readFile(join(cases, caseId, 'case.json'), 'utf8')) as CaseRecord;
}

async function open(s: Setup, bundle: string, cases: string) {
  return reviewOpen(
    { bundle, key: s.anaKey, cases, keyset: s.keysetFile, organisation: s.orgFingerprint },
    s.io,
  );
}

t.test('a forged follow-up cannot redirect the replies of a case', async (t) => {
  const dir = await tempDir(t);
  const s = await makeSetup(dir);
  const forger = await attacker();
  const cases = join(dir, 'cases');
  const real = join(dir, 'real.sbx');
  const forged = join(dir, 'forged.sbx');
  await writeBundle(real, [{ kind: 'submission', id: 'case-1', seq: 1 }], s.sealing, s);
  const forgery = {
    kind: 'followup' as const,
    id: 'forged-fu',
    caseId: 'case-1',
    seq: 2,
    message: 'Please answer to my new key.',
  };
  await writeBundle(forged, [forgery], s.sealing, forger);

  // Opened before the case: it waits, nothing of it is written.
  const early = await open(s, forged, cases);
  t.same(early.waiting, ['forged-fu']);
  t.same(early.opened, []);
  t.same(await readdir(cases), ['.sealbox', 'cases.csv', 'index.html']);

  t.same((await open(s, real, cases)).opened, ['case-1']);
  // Opened again once its case is there: refused, not written.
  const late = await open(s, forged, cases);
  t.same(
    late.failed.map((f) => [f.id, f.code]),
    [['forged-fu', 'DOCUMENT_NOT_BY_AUTHOR']],
  );
  t.equal(openOutcome(late)?.code, 'BUNDLE_TAMPERED', 'the command fails loudly');
  const record = await caseRecord(cases, 'case-1');
  t.same(
    record.items.map((i) => i.itemId),
    ['case-1'],
  );
  t.same(
    (await readdir(join(cases, 'case-1'))).filter((n) => /^\d/.test(n)),
    ['01-submission-2026-11-20'],
  );
  t.same(fromBase64Url(record.replyPublicKey), s.replyKeyPair.publicKey);

  // The reviewer's reply is sealed to the real submitter, and only to them.
  await reviewStatement(
    { kind: 'reply', caseId: 'case-1', text: 'We hear you.', key: s.anaKey, cases },
    s.io,
  );
  const [reply] = await readOutbox(join(cases, 'outbox.jsonl'));
  const seen = await readStatementAsSubmitter(reply, s.keyset, s.replyKeyPair, 'case-1');
  t.equal(seen.text, 'We hear you.');
  await t.rejects(readStatementAsSubmitter(reply, s.keyset, forger.replyKeyPair, 'case-1'), {
    code: 'STATEMENT_NOT_FOR_CASE',
  });
});

t.test('a forged submission under a real case id displaces nothing', async (t) => {
  const dir = await tempDir(t);
  const s = await makeSetup(dir);
  const forger = await attacker();
  const genuine = {
    kind: 'submission' as const,
    id: 'case-2',
    seq: 1,
    message: 'GENUINE testimony',
    answers: { country: 'BY' },
  };
  const fake = {
    kind: 'submission' as const,
    id: 'case-2',
    seq: 1,
    message: 'FORGED testimony',
    answers: { country: 'XX' },
  };
  const write = async (name: string, spec: typeof genuine, who: typeof forger | Setup) => {
    const path = join(dir, name);
    await writeBundle(path, [spec], s.sealing, who);
    return path;
  };
  const genuineBundle = await write('genuine.sbx', genuine, s);
  const fakeBundle = await write('fake.sbx', fake, forger);

  // The forgery after the genuine one: kept apart, flagged; the case is unchanged.
  const after = join(dir, 'after');
  await open(s, genuineBundle, after);
  const flagged = await open(s, fakeBundle, after);
  t.same(flagged.opened, []);
  t.same(
    flagged.setAside.map((f) => f.id),
    ['case-2'],
  );
  t.match(flagged.setAside[0]!.message, /different content/);
  t.equal(openOutcome(flagged)?.code, 'ITEMS_SET_ASIDE');
  t.match(s.io.lines.join('\n'), /WARNING: Item case-2 came again with different content/);
  const kept = await caseRecord(after, 'case-2');
  t.same(kept.answers, { country: 'BY' }, 'the first submission still makes the case');
  t.same(fromBase64Url(kept.replyPublicKey), s.replyKeyPair.publicKey);
  t.same(fromBase64Url(kept.authorPublicKey), s.authorKeyPair.publicKey);
  const [first, aside] = kept.items;
  t.equal(
    await readFile(join(after, 'case-2', first!.folder, 'message.txt'), 'utf8'),
    'GENUINE testimony',
  );
  t.match(aside!.folder, /^02-set-aside-submission-/);
  t.equal(
    await readFile(join(after, 'case-2', aside!.folder, 'message.txt'), 'utf8'),
    'FORGED testimony',
  );
  t.match(await readFile(join(after, 'case-2', 'index.html'), 'utf8'), /Warning:/);
  // Opening the forgery once more adds nothing.
  const again = await open(s, fakeBundle, after);
  t.same([again.opened, again.setAside, again.alreadyOpened], [[], [], 1]);

  // The forgery first: the genuine testimony still arrives whole, flagged, and
  // nothing of either is lost; the real submitter's follow-ups are refused
  // loudly (not silently) until the reviewer sorts the case out.
  const before = join(dir, 'before');
  await open(s, fakeBundle, before);
  const late = await open(s, genuineBundle, before);
  t.same(
    late.setAside.map((f) => f.id),
    ['case-2'],
  );
  const both = await caseRecord(before, 'case-2');
  const texts = await Promise.all(
    both.items.map((i) => readFile(join(before, 'case-2', i.folder, 'message.txt'), 'utf8')),
  );
  t.same(texts, ['FORGED testimony', 'GENUINE testimony'], 'neither overwrote the other');
});

t.test('a genuine follow-up replayed under another id is flagged, not dropped', async (t) => {
  const dir = await tempDir(t);
  const s = await makeSetup(dir);
  const cases = join(dir, 'cases');
  const followup = {
    kind: 'followup' as const,
    id: 'fu-1',
    caseId: 'case-3',
    seq: 2,
    message: 'They came back.',
  };
  const { envelope } = await sealItem(followup, s.sealing, s);
  const first = join(dir, 'first.sbx');
  await writeBundle(
    first,
    [
      { kind: 'submission', id: 'case-3', seq: 1 },
      { ...followup, envelope },
    ],
    s.sealing,
    s,
  );
  t.same((await open(s, first, cases)).opened, ['case-3', 'fu-1']);
  const replay = join(dir, 'replay.sbx');
  await writeBundle(replay, [{ ...followup, id: 'fu-1-again', seq: 3, envelope }], s.sealing, s);
  const replayed = await open(s, replay, cases);
  t.same(
    replayed.setAside.map((f) => f.id),
    ['fu-1-again'],
  );
  t.match(replayed.setAside[0]!.message, /same follow-up as item fu-1/);
  // And a forger's content under the genuine follow-up's id is refused.
  const forger = await attacker();
  const swap = join(dir, 'swap.sbx');
  await writeBundle(swap, [{ ...followup, message: 'FORGED', seq: 4 }], s.sealing, forger);
  const swapped = await open(s, swap, cases);
  t.same(
    swapped.failed.map((f) => [f.id, f.code]),
    [['fu-1', 'DOCUMENT_NOT_BY_AUTHOR']],
  );
  const record = await caseRecord(cases, 'case-3');
  t.same(
    record.items.map((i) => [i.itemId, i.flag !== undefined]),
    [
      ['case-3', false],
      ['fu-1', false],
      ['fu-1-again', true],
    ],
  );
});
