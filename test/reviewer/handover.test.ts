// Desks on the reviewer's side, through the command functions with real keys
// and real files: a case that came to a desk knows it and shows it, its
// replies name it, and a reviewer of desk A hands it to desk B, whose reviewer
// opens the same documents, signed by the same author; the next reply names B.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { fromBase64Url, getSodium, utf8Encode } from '../../client-crypto/index.ts';
import { reviewHandover } from '../../reviewer/commands/review-handover.ts';
import { reviewOpen } from '../../reviewer/commands/review-open.ts';
import { reviewStatement } from '../../reviewer/commands/review-statement.ts';
import { CaseFolder } from '../../reviewer/cases/case-folder.ts';
import { AUTHORED_FILE } from '../../reviewer/cases/records.ts';
import { tempDir, writeBundle } from './fixtures.ts';
import {
  DESK_A,
  DESK_B,
  codeOf,
  deskItem,
  makeDeskSetup,
  replyDocuments,
} from './desk-fixtures.ts';

const sodium = await getSodium();

t.test('a case to desk A, answered, handed to desk B, answered there', async (t) => {
  const dir = await tempDir(t);
  const s = await makeDeskSetup(dir);
  const anaCases = join(dir, 'ana-cases');
  const benCases = join(dir, 'ben-cases');
  const trust = { keyset: s.keysetFile, organisation: s.orgFingerprint };
  const items = [
    await deskItem(s, {
      kind: 'submission',
      id: 'case-one',
      seq: 1,
      received: '2026-11-02',
      desk: DESK_A,
      message: 'They took my passport.',
    }),
    await deskItem(s, {
      kind: 'followup',
      id: 'fu-one',
      caseId: 'case-one',
      seq: 2,
      received: '2026-11-05',
      desk: DESK_A,
      message: 'And now my phone.',
    }),
  ];
  const bundle = join(dir, 'bundle.sbx');
  await writeBundle(bundle, items, s.sealing, s.submitter);
  const plain = join(dir, 'plain.sbx');
  await writeBundle(
    plain,
    [{ kind: 'submission', id: 'case-plain', seq: 1 }],
    s.sealing,
    s.submitter,
  );

  const opened = await reviewOpen({ bundle, key: s.anaKey, cases: anaCases, ...trust }, s.io);
  t.same(opened.opened, ['case-one', 'fu-one']);
  const ben = await reviewOpen({ bundle, key: s.benKey, cases: benCases, ...trust }, s.io);
  t.same(ben.forOtherDesks, ['case-one', 'fu-one'], 'desk B cannot read what went to desk A');

  const folder = await CaseFolder.open(anaCases, { create: false });
  const record = await folder.requireCase('case-one');
  t.same(record.desk, { id: DESK_A, names: { en: 'Treaty bodies', fr: 'Organes de traités' } });
  t.match(
    await readFile(join(anaCases, 'index.html'), 'utf8'),
    /<td dir="auto">Treaty bodies<\/td>/,
  );
  t.match(
    await readFile(join(anaCases, 'case-one', 'index.html'), 'utf8'),
    /Desk: <strong dir="auto">Treaty bodies<\/strong>/,
  );
  t.match(await readFile(join(anaCases, 'cases.csv'), 'utf8'), /"Treaty bodies"\r\n/);

  const anaOutbox = join(dir, 'ana-statements.jsonl');
  const say = (caseId: string, key: string, cases: string, outbox: string, text: string) =>
    reviewStatement({ kind: 'reply', caseId, text, key, cases, outbox }, s.io);
  await say('case-one', s.anaKey, anaCases, anaOutbox, 'We received it.');
  t.equal((await replyDocuments(anaOutbox, s)).at(-1)?.desk, DESK_A, 'the reply names desk A');

  await reviewOpen({ bundle: plain, key: s.anaKey, cases: anaCases }, s.io);
  await say('case-plain', s.anaKey, anaCases, anaOutbox, 'Received.');
  t.notOk(
    'desk' in (await replyDocuments(anaOutbox, s)).at(-1)!,
    'a case sent to everyone names no desk',
  );

  const hand = (extra: Partial<Parameters<typeof reviewHandover>[0]> = {}) =>
    reviewHandover(
      {
        caseId: 'case-one',
        to: DESK_B,
        consent: 'Said yes in the reply of 2026-11-06.',
        epochKeys: s.epochsFile,
        out: join(dir, 'handover.json'),
        key: s.anaKey,
        cases: anaCases,
        ...extra,
      },
      s.io,
    );
  t.equal(await codeOf(hand({ consent: undefined })), 'HANDOVER_REFUSED', 'no consent recorded');
  t.equal(await codeOf(hand({ consent: '  ' })), 'HANDOVER_REFUSED', 'blank consent');
  t.equal(await codeOf(hand({ to: 'focal-point' })), 'DESK_UNKNOWN', 'a desk the keyset lacks');
  t.equal(await codeOf(hand({ to: DESK_A })), 'HANDOVER_REFUSED', 'the desk it is with');
  t.equal(await codeOf(hand({ caseId: 'case-none' })), 'CASE_UNKNOWN');
  t.equal(await codeOf(hand({ caseId: 'case-plain', to: 'Special procedures' })), 'DESK_UNKNOWN');
  t.same(
    (await readdir(dir)).filter((f) => f === 'handover.json'),
    [],
    'no file after a refusal',
  );

  const handed = await hand();
  t.equal(handed.items, 2);
  const after = await folder.requireCase('case-one');
  t.equal(after.desk?.id, DESK_B, "desk A's copy now says the case is with desk B");
  t.same(after.handovers, [
    {
      date: after.handovers![0]!.date,
      from: DESK_A,
      to: DESK_B,
      consent: 'Said yes in the reply of 2026-11-06.',
    },
  ]);
  t.match(
    await readFile(join(anaCases, 'case-one', 'index.html'), 'utf8'),
    /Said yes in the reply/,
  );
  await say('case-one', s.anaKey, anaCases, anaOutbox, 'Passed on.');
  t.equal((await replyDocuments(anaOutbox, s)).at(-1)?.desk, DESK_B, "desk A's next reply names B");

  // Ana is not in desk B: she cannot open what she handed over.
  const anaElsewhere = join(dir, 'ana-elsewhere');
  t.equal(
    await codeOf(
      reviewOpen({ bundle: handed.out, key: s.anaKey, cases: anaElsewhere, ...trust }, s.io),
    ),
    'HANDOVER_REFUSED',
  );
  t.same(await readdir(anaElsewhere).then((f) => f.filter((n) => n.startsWith('case'))), []);

  const adopted = await reviewOpen({ bundle: handed.out, key: s.benKey, cases: benCases }, s.io);
  t.same(adopted.cases, ['case-one']);
  const benFolder = await CaseFolder.open(benCases, { create: false });
  const benRecord = await benFolder.requireCase('case-one');
  t.equal(benRecord.desk?.id, DESK_B);
  t.equal(benRecord.authorPublicKey, record.authorPublicKey, 'same author');
  t.equal(benRecord.replyPublicKey, record.replyPublicKey);
  t.same(
    benRecord.items.map((i) => [i.itemId, i.kind, i.date]),
    [
      ['case-one', 'submission', '2026-11-02'],
      ['fu-one', 'followup', '2026-11-05'],
    ],
  );
  t.equal(benRecord.handovers?.[0]?.consent, 'Said yes in the reply of 2026-11-06.');
  for (const item of benRecord.items) {
    const dirOf = (root: string) => join(root, 'case-one', item.folder);
    const mine = await readFile(join(dirOf(benCases), 'message.txt'), 'utf8');
    t.equal(mine, await readFile(join(dirOf(anaCases), 'message.txt'), 'utf8'), 'same text');
    const authored = new Uint8Array(await readFile(join(dirOf(benCases), AUTHORED_FILE)));
    const bytes = authored.subarray(96);
    t.ok(
      sodium.crypto_sign_verify_detached(
        authored.subarray(32, 96),
        new Uint8Array([...utf8Encode('sealbox/v2/document\n'), ...bytes]),
        fromBase64Url(record.authorPublicKey),
      ),
      'the author signature still verifies',
    );
    t.equal(
      (JSON.parse(new TextDecoder().decode(bytes)) as { desk?: string }).desk,
      DESK_A,
      "the person's choice is kept",
    );
  }
  t.match(await readFile(join(benCases, 'index.html'), 'utf8'), /Special procedures/);

  const benOutbox = join(dir, 'ben-statements.jsonl');
  await say('case-one', s.benKey, benCases, benOutbox, 'Your case is with us now.');
  t.equal((await replyDocuments(benOutbox, s)).at(-1)?.desk, DESK_B, "desk B's reply names B");

  // A follow-up the page seals to desk B joins the adopted case.
  const later = await deskItem(s, {
    kind: 'followup',
    id: 'fu-two',
    caseId: 'case-one',
    seq: 3,
    desk: DESK_B,
  });
  const bundle2 = join(dir, 'bundle-2.sbx');
  await writeBundle(bundle2, [later], s.sealing, s.submitter, { after: 2 });
  const next = await reviewOpen({ bundle: bundle2, key: s.benKey, cases: benCases }, s.io);
  t.same(next.opened, ['fu-two']);

  // A damaged handover file is refused and nothing is adopted.
  const text = await readFile(handed.out, 'utf8');
  const signed = JSON.parse(text) as { payload: string };
  const flipped =
    signed.payload.slice(0, 40) +
    (signed.payload[40] === 'A' ? 'B' : 'A') +
    signed.payload.slice(41);
  const damaged = join(dir, 'damaged.json');
  await writeFile(damaged, JSON.stringify({ ...signed, payload: flipped }));
  const fresh = join(dir, 'ben-fresh');
  t.equal(
    await codeOf(reviewOpen({ bundle: damaged, key: s.benKey, cases: fresh, ...trust }, s.io)),
    'HANDOVER_TAMPERED',
  );
  t.same(
    await readdir(fresh).then((f) => f.filter((n) => n.startsWith('case'))),
    [],
    'nothing adopted',
  );
  const payload = JSON.parse(Buffer.from(signed.payload, 'base64url').toString('utf8')) as {
    consent: string;
  };
  const reworded = join(dir, 'reworded.json');
  await writeFile(
    reworded,
    JSON.stringify({
      ...signed,
      payload: Buffer.from(JSON.stringify({ ...payload, consent: 'Nobody asked.' })).toString(
        'base64url',
      ),
    }),
  );
  t.equal(
    await codeOf(reviewOpen({ bundle: reworded, key: s.benKey, cases: fresh }, s.io)),
    'HANDOVER_TAMPERED',
    'a signed field changed on the way',
  );
  t.same(await readdir(fresh).then((f) => f.filter((n) => n.startsWith('case'))), []);
});
