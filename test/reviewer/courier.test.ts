// The courier commands against a real listening server: make a key, publish
// the first keyset, pull (interrupted, then resumed to the same bundle), push
// an outbox twice.
import { copyFile, readFile, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import {
  createStatement,
  deriveReceiptKeys,
  generateOrganisationKey,
  generateReceipt,
  generateReviewerIdentity,
  isoDate,
  parseCourierCard,
  parseReviewerCard,
  readBundle,
  reviewerCard,
  sealingKeys,
  signKeyset,
  toBase64Url,
  type BundleItem,
  type Keyset,
} from '../../client-crypto/index.ts';
import { ackedSeq } from '../../server/db/acks.ts';
import { courierCommand } from '../../reviewer/courier/cli.ts';
import { reviewerEpochs } from '../../reviewer/commands/reviewer-epochs.ts';
import { reviewerCreate } from '../../reviewer/commands/reviewer-identity.ts';
import {
  courierEpochs,
  courierKeygen,
  courierPublishKeyset,
  courierPush,
} from '../../reviewer/courier/commands.ts';
import { CourierError } from '../../reviewer/courier/http.ts';
import { courierPull } from '../../reviewer/courier/pull.ts';
import { appendToOutbox } from '../../reviewer/outbox.ts';
import { isCliError } from '../../reviewer/errors.ts';
import { build, testDatabase } from '../helper.ts';
import { addFollowup, addSubmission, randomFile } from '../server/courier-fixtures.ts';
import { tempDir, testIo } from './fixtures.ts';

async function bundleItems(path: string): Promise<(BundleItem & { data?: Uint8Array })[]> {
  const items: (BundleItem & { data?: Uint8Array })[] = [];
  for await (const item of readBundle([await readFile(path)])) {
    if (item.type !== 'attachment') {
      items.push(item);
      continue;
    }
    const parts: Uint8Array[] = [];
    for await (const chunk of item.body) parts.push(chunk.slice());
    items.push({ ...item, data: new Uint8Array(Buffer.concat(parts)) });
  }
  return items;
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

t.test('courier commands end to end', async (t) => {
  const dir = await tempDir(t);
  const io = testIo();

  // A courier key and its card, through the command.
  const keyPath = join(dir, 'courier.key');
  const cardPath = join(dir, 'courier-card.json');
  await courierKeygen({ name: 'Field office laptop', out: keyPath, card: cardPath }, io);
  t.match(io.lines.join('\n'), /Fingerprint: [0-9A-Z]{4}-/);
  const card = parseCourierCard(JSON.parse(await readFile(cardPath, 'utf8')));
  await t.rejects(courierKeygen({ name: 'Again', out: keyPath, card: cardPath }, io), {
    code: 'FILE_EXISTS',
  });

  // A fresh server that knows only the organisation root; the first keyset arrives by courier.
  const org = await generateOrganisationKey();
  const reviewer = await generateReviewerIdentity('Amina');
  const now = new Date();
  const keyset: Keyset = {
    version: 1,
    issued: isoDate(now),
    expires: isoDate(new Date(now.getTime() + 90 * 86_400_000)),
    reviewers: [reviewerCard(reviewer)],
    couriers: [{ type: card.type, v: card.v, name: card.name, publicKey: card.publicKey }],
  };
  const keysetPath = join(dir, 'keyset.json');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(keysetPath, JSON.stringify(await signKeyset(keyset, org)));
  const db = await testDatabase(t);
  const { app } = await build(t, {
    db,
    env: { SEALBOX_ORG_PUBLIC_KEY: toBase64Url(org.publicKey) },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const server = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const connection = { server, key: keyPath };

  t.equal(await courierPublishKeyset({ ...connection, keyset: keysetPath }, io), 1);
  await t.rejects(courierPublishKeyset({ ...connection, keyset: keysetPath }, io), {
    code: 'SERVER_REFUSED',
    serverCode: 'KEYSET_VERSION_NOT_NEWER',
  });

  // Enough to interrupt in the middle: three cases with 200 kB attachments and a follow-up.
  const cases = [];
  for (let i = 0; i < 3; i++) cases.push(await addSubmission(db, 1, [randomFile(200_000)]));
  const followup = await addFollowup(db, cases[0]!.seq, [randomFile(1000)]);

  const bundlePath = join(dir, 'bundle-1.sealbox');
  const controller = new AbortController();
  const interrupted = courierPull(
    {
      ...connection,
      out: bundlePath,
      signal: controller.signal,
      onProgress: (bytes) => {
        if (bytes > 250_000) controller.abort();
      },
    },
    io,
  );
  await t.rejects(interrupted, CourierError, 'the first pull is cut off');
  t.notOk(await exists(bundlePath), 'no bundle file yet');
  t.ok(await exists(`${bundlePath}.partial`), 'a partial file stays');
  t.equal(await ackedSeq(db, card.publicKey), 0, 'nothing acknowledged');

  const resumed = await courierPull({ ...connection, out: bundlePath }, io);
  t.ok(resumed.resumed, 'the second pull continues the first');
  t.equal(resumed.cursor, followup.seq);
  t.notOk(await exists(`${bundlePath}.partial`));
  t.equal(await ackedSeq(db, card.publicKey), followup.seq, 'acknowledged once complete');

  const items = await bundleItems(bundlePath);
  t.same(
    items.map((i) => i.type),
    [
      'start',
      'submission',
      'attachment',
      'submission',
      'attachment',
      'submission',
      'attachment',
      'followup',
      'attachment',
      'end',
    ],
  );
  const envelopes = items.flatMap((i) =>
    i.type === 'submission' || i.type === 'followup' ? [i.envelope] : [],
  );
  t.same(envelopes, [...cases.map((c) => c.envelope), followup.envelope]);
  const files = items.flatMap((i) => (i.data ? [i.data] : []));
  t.same(
    files,
    [...cases.map((c) => c.files[0]!.bytes), followup.files[0]!.bytes],
    'attachments byte for byte',
  );
  t.match(items[0], { type: 'start', meta: { after: 0, keysetVersion: 1 } });

  // Nothing new: an empty bundle, and the out file is never overwritten.
  await t.rejects(courierPull({ ...connection, out: bundlePath }, io), { code: 'FILE_EXISTS' });
  const empty = await courierPull({ ...connection, out: join(dir, 'bundle-2.sealbox') }, io);
  t.same({ items: empty.items, cursor: empty.cursor }, { items: 0, cursor: followup.seq });

  // A complete bundle left as .partial (stopped before the rename) is finished, not fetched again.
  const leftover = join(dir, 'bundle-3.sealbox');
  await copyFile(bundlePath, `${leftover}.partial`);
  const finished = await courierPull({ ...connection, out: leftover }, io);
  t.ok(finished.resumed);
  t.same(await readFile(leftover), await readFile(bundlePath));

  // Push an outbox, twice.
  const outbox = join(dir, 'outbox.jsonl');
  const keys = await deriveReceiptKeys(await generateReceipt());
  const caseId = cases[1]!.caseId;
  await appendToOutbox(
    outbox,
    await createStatement(
      { kind: 'reply', caseId, text: 'Thank you.', replyPublicKey: keys.replyKeyPair.publicKey },
      reviewer,
      keyset,
    ),
  );
  await appendToOutbox(
    outbox,
    await createStatement(
      { kind: 'status', caseId, status: 'referred', replyPublicKey: keys.replyKeyPair.publicKey },
      reviewer,
      keyset,
    ),
  );
  t.same(await courierPush({ ...connection, outbox }, io), {
    applied: 2,
    unchanged: 0,
    epochs: null,
  });
  t.same(await courierPush({ ...connection, outbox }, io), {
    applied: 0,
    unchanged: 2,
    epochs: null,
  });
  const row = await db
    .selectFrom('submissions')
    .select('status')
    .where('case_id', '=', caseId)
    .executeTakeFirstOrThrow();
  t.equal(row.status, 'referred');
  const emptyOutbox = join(dir, 'empty.jsonl');
  await writeFile(emptyOutbox, '');
  t.same(await courierPush({ ...connection, outbox: emptyOutbox }, io), {
    applied: 0,
    unchanged: 0,
    epochs: null,
  });

  // A server that is not there.
  await t.rejects(courierPush({ server: 'http://127.0.0.1:9', key: keyPath, outbox }, io), {
    code: 'SERVER_UNREACHABLE',
  });
});

t.test('the courier carries epoch keys and says how long they last', async (t) => {
  const dir = await tempDir(t);
  const io = testIo();
  const p = (name: string) => join(dir, name);
  await courierKeygen({ name: 'Courier', out: p('courier.key'), card: p('courier.json') }, io);
  await reviewerCreate({ name: 'Ana', out: p('ana.key'), card: p('ana.json') }, io);
  await reviewerCreate({ name: 'Ben', out: p('ben.key'), card: p('ben.json') }, io);
  const org = await generateOrganisationKey();
  const courier = parseCourierCard(JSON.parse(await readFile(p('courier.json'), 'utf8')));
  const cards = await Promise.all(
    ['ana.json', 'ben.json'].map(async (f) =>
      parseReviewerCard(JSON.parse(await readFile(p(f), 'utf8'))),
    ),
  );
  const now = new Date();
  const keyset: Keyset = {
    version: 1,
    issued: isoDate(now),
    expires: isoDate(new Date(now.getTime() + 90 * 86_400_000)),
    reviewers: cards.map(({ type, v, name, kemPublicKey, signPublicKey }) => ({
      type,
      v,
      name,
      kemPublicKey,
      signPublicKey,
    })),
    couriers: [
      { type: courier.type, v: courier.v, name: courier.name, publicKey: courier.publicKey },
    ],
  };
  const { writeFile } = await import('node:fs/promises');
  await writeFile(p('keyset.json'), JSON.stringify(await signKeyset(keyset, org)));
  const db = await testDatabase(t);
  const { app } = await build(t, {
    db,
    env: { SEALBOX_ORG_PUBLIC_KEY: toBase64Url(org.publicKey) },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const server = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const connection = { server, key: p('courier.key') };
  await courierPublishKeyset({ ...connection, keyset: p('keyset.json') }, io);

  const before = testIo();
  t.same(
    (await courierEpochs(connection, before)).map((r) => r.lastEnds),
    [null, null],
  );
  t.match(before.lines.join('\n'), /WARNING: reviewer Ana has no epoch keys/);

  // Ana makes eight weeks of keys, Ben one: both in one outbox, with a statement-free push.
  const outbox = p('outbox.jsonl');
  await reviewerEpochs({ key: p('ana.key'), cases: p('ana-cases'), outbox }, testIo());
  await reviewerEpochs({ key: p('ben.key'), cases: p('ben-cases'), outbox, ahead: 1 }, testIo());
  const pushed = testIo();
  const result = await courierPush({ ...connection, outbox }, pushed);
  t.match(result.epochs, { stored: 9, unchanged: 0 });
  t.same(
    result.epochs?.reviewers.map((r) => [r.name, r.daysLeft]),
    [
      ['Ana', 56],
      ['Ben', 7],
    ],
  );
  const text = pushed.lines.join('\n');
  t.match(text, /reviewer Ana: keys until \S+ \(56 day\(s\) left\)/);
  t.match(text, /WARNING: reviewer Ben: keys until \S+ \(7 day\(s\) left\)/);
  t.match((await courierPush({ ...connection, outbox }, testIo())).epochs, {
    stored: 0,
    unchanged: 9,
  });

  const after = testIo();
  await courierCommand(['epochs', '--server', server, '--key', p('courier.key')], after);
  t.match(after.lines.join('\n'), /reviewer Ana: keys until/);
  t.match(after.lines.join('\n'), /WARNING: reviewer Ben/);

  // What the server now hands a page: one current key per reviewer, sealable.
  const served = await app.inject({ method: 'GET', url: '/v1/epochs' });
  const { epochs } = served.json<{ epochs: unknown[] }>();
  const sealing = await sealingKeys(keyset, epochs);
  t.same(
    sealing.recipients.map((r) => [r.reviewerName, r.epoch]),
    [
      ['Ana', 1],
      ['Ben', 1],
    ],
  );
});

t.test('courier command line', async (t) => {
  const io = testIo();
  await courierCommand(['help'], io);
  t.match(io.lines.join('\n'), /courier pull --server URL/);
  const usage = async (argv: string[]) => {
    try {
      await courierCommand(argv, io);
      return 'ok';
    } catch (error) {
      return isCliError(error) ? error.code : String(error);
    }
  };
  t.equal(await usage(['pull', '--key', 'k', '--out', 'o']), 'USAGE', 'missing --server');
  t.equal(await usage(['pull', 'x', '--server', 's', '--key', 'k', '--out', 'o']), 'USAGE');
  t.equal(
    await usage(['pull', '--server', 's', '--key', 'k', '--out', 'o', '--after', '-1']),
    'USAGE',
  );
  t.equal(await usage(['push', '--server', 's', '--key', 'k']), 'USAGE', 'no outbox named');
  t.equal(await usage(['fly']), 'USAGE');
  t.equal(await usage(['push', 'missing.jsonl', '--server', 's', '--key', 'k']), 'FILE_MISSING');
});
