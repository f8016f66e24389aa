// The bundle codec (client-crypto/bundle-*.ts): round trips, streaming, every
// truncation and flipped byte, damaged and removed records, resuming. (One file
// for the four modules: the scenarios share the sample bundle built at the top.)
import t from 'tap';
import {
  BUNDLE_RECORD_TYPES,
  BundleEncoder,
  concatBytes,
  getSodium,
  isSealboxError,
  readBundle,
  scanBundle,
  toBase64Url,
  type BundleItem,
  type BundleStart,
  type SealboxErrorCode,
} from '../../client-crypto/index.ts';

type Tap = Pick<typeof t, 'ok'>;

const sodium = await getSodium();
const digestOf = (bytes: Uint8Array): string =>
  toBase64Url(sodium.crypto_generichash(32, bytes, null));
// Random contents, so that each one is found in the bundle exactly once.
const bytes = (n: number, _seed: number): Uint8Array => sodium.randombytes_buf(n);

const start: BundleStart = {
  format: 'sealbox-bundle-v1',
  keysetVersion: 3,
  after: 4,
  created: '2025-01-02',
};
const fileA = bytes(300, 1);
const fileB = bytes(2000, 2);
const fileC = bytes(100, 6);
const envelope1 = bytes(120, 3);
const envelope2 = bytes(90, 4);
const envelope3 = bytes(60, 5);

// The items of a bundle in writing order, after the start record.
type Item =
  | { type: 'submission'; seq: number; id: string; envelope: Uint8Array; files: Uint8Array[] }
  | { type: 'followup'; seq: number; id: string; envelope: Uint8Array; files: Uint8Array[] };
const items: Item[] = [
  { type: 'submission', seq: 5, id: 'sub-one', envelope: envelope1, files: [fileA, fileB] },
  { type: 'followup', seq: 7, id: 'fu-one', envelope: envelope3, files: [fileC] },
  { type: 'submission', seq: 9, id: 'sub-two', envelope: envelope2, files: [] },
];

async function* once(chunk: Uint8Array): AsyncGenerator<Uint8Array> {
  yield await Promise.resolve(chunk);
}

async function writeItem(encoder: BundleEncoder, item: Item, out: Uint8Array[]): Promise<void> {
  const uploads = item.files.map((f, i) => ({
    id: `${item.id}-u${i}`,
    size: f.length,
    digest: digestOf(f),
  }));
  const caseId = item.type === 'followup' ? 'sub-one' : item.id;
  if (item.type === 'followup') {
    const meta = {
      id: item.id,
      submissionId: caseId,
      seq: item.seq,
      received: '2025-01-02',
      uploads,
    };
    out.push(encoder.followup(meta, item.envelope));
  } else {
    const meta = { id: item.id, seq: item.seq, received: '2025-01-01', keysetVersion: 3, uploads };
    out.push(encoder.submission(meta, item.envelope));
  }
  for (const [i, file] of item.files.entries()) {
    const upload = uploads[i]!;
    const attachment = {
      submissionId: caseId,
      ...(item.type === 'followup' ? { followupId: item.id } : {}),
      uploadId: upload.id,
      size: upload.size,
      digest: upload.digest,
    };
    for await (const chunk of encoder.attachment(attachment, once(file))) out.push(chunk);
  }
}

async function buildBundle(): Promise<Uint8Array> {
  const encoder = await BundleEncoder.create();
  const out = [encoder.start(start)];
  for (const item of items) await writeItem(encoder, item, out);
  out.push(encoder.end());
  return concatBytes(...out);
}

// Feeds the bytes in uneven pieces so that record borders fall inside chunks.
async function* pieces(data: Uint8Array, size = 777): AsyncGenerator<Uint8Array> {
  for (let o = 0; o < data.length; o += size) yield await Promise.resolve(data.slice(o, o + size));
}

interface ReadResult {
  items: (BundleItem & { data?: Uint8Array; bodyError?: unknown })[];
  error?: unknown;
  largestChunk: number;
}

async function readAll(data: Uint8Array, size?: number): Promise<ReadResult> {
  const result: ReadResult = { items: [], largestChunk: 0 };
  try {
    for await (const item of readBundle(pieces(data, size))) {
      if (item.type !== 'attachment') {
        result.items.push(item);
        continue;
      }
      const parts: Uint8Array[] = [];
      try {
        for await (const chunk of item.body) {
          result.largestChunk = Math.max(result.largestChunk, chunk.length);
          parts.push(chunk.slice());
        }
        result.items.push({ ...item, data: concatBytes(...parts) });
      } catch (bodyError) {
        result.items.push({ ...item, bodyError });
      }
    }
  } catch (error) {
    result.error = error;
  }
  return result;
}

const bundle = await buildBundle();

t.test('round trip: every record comes back as written', async (t) => {
  const result = await readAll(bundle, 4096);
  t.equal(result.error, undefined);
  t.same(
    result.items.map((i) => i.type),
    [
      'start',
      'submission',
      'attachment',
      'attachment',
      'followup',
      'attachment',
      'submission',
      'end',
    ],
  );
  t.same(result.items[0], { type: 'start', meta: start });
  const [, sub, a, b, fu, c, sub2, end] = result.items;
  t.same(sub?.type === 'submission' && sub.envelope, envelope1);
  t.same(a?.data, fileA);
  t.same(b?.data, fileB);
  t.same(fu?.type === 'followup' && fu.envelope, envelope3);
  t.same(c?.type === 'attachment' && c.meta.followupId, 'fu-one');
  t.same(c?.data, fileC);
  t.same(sub2?.type === 'submission' && sub2.meta.uploads, []);
  t.same(end?.type === 'end' && { cursor: end.meta.cursor, count: end.meta.count }, {
    cursor: 9,
    count: 6,
  });
});

t.test('a large attachment is streamed, never held whole', async (t) => {
  const size = 5 * 1024 * 1024 + 3;
  const encoder = await BundleEncoder.create();
  const upload = { id: 'big', size, digest: digestOf(fileA) };
  const meta = { id: 's', seq: 1, received: '2025-01-01', keysetVersion: 3, uploads: [upload] };
  async function* source(): AsyncGenerator<Uint8Array> {
    yield encoder.start({ ...start, after: 0 });
    yield encoder.submission(meta, envelope1);
    async function* zeros(): AsyncGenerator<Uint8Array> {
      for (let left = size; left > 0; left -= 1 << 20) {
        yield await Promise.resolve(new Uint8Array(Math.min(left, 1 << 20)));
      }
    }
    yield* encoder.attachment(
      { submissionId: 's', uploadId: 'big', size, digest: upload.digest },
      zeros(),
    );
    yield encoder.end();
  }
  let largest = 0;
  let total = 0;
  let ended = false;
  for await (const item of readBundle(source())) {
    if (item.type === 'attachment') {
      for await (const chunk of item.body) {
        largest = Math.max(largest, chunk.length);
        total += chunk.length;
      }
    }
    ended ||= item.type === 'end';
  }
  t.equal(total, size);
  t.ok(largest <= 64 * 1024, `chunks of at most ${largest} bytes`);
  t.ok(ended);
});

t.test('the encoding is deterministic', async (t) => {
  t.same(await buildBundle(), bundle);
});

t.test('every truncation point is detected', async (t) => {
  let checked = 0;
  // Every byte where the framing is dense (the first and last records), every 5th in between.
  const dense = (p: number): boolean => p < 700 || p > bundle.length - 700;
  for (let length = 0; length < bundle.length; length += dense(length) ? 1 : 5) {
    const result = await readAll(bundle.subarray(0, length), 512);
    if (!isSealboxError(result.error, 'STREAM_TRUNCATED')) {
      t.fail(`truncated at ${length}: ${String(result.error)}`);
      return;
    }
    checked += 1;
  }
  t.ok(checked > 1500, `${checked} truncation points`);
});

t.test('every flipped byte is detected', async (t) => {
  const positions: number[] = [];
  for (let p = 0; p < bundle.length; p += p < 1200 || p > bundle.length - 800 ? 1 : 211)
    positions.push(p);
  for (const position of positions) {
    const copy = bundle.slice();
    copy[position]! ^= 0x20;
    const result = await readAll(copy, 1000);
    const noticed =
      result.error !== undefined ||
      result.items.some((i) => i.type === 'damaged' || i.bodyError !== undefined);
    if (!noticed || result.items.some((i) => i.type === 'end')) {
      t.fail(`flip at ${position} went unnoticed`);
      return;
    }
  }
  t.pass(`${positions.length} positions`);
});

t.test('one damaged item is reported and the rest still read', async (t) => {
  const copy = bundle.slice();
  const at = indexOf(copy, envelope3); // inside the follow-up's envelope
  copy[at + 10]! ^= 0xff;
  const result = await readAll(copy);
  t.same(
    result.items.map((i) => i.type),
    ['start', 'submission', 'attachment', 'attachment', 'damaged', 'attachment', 'submission'],
  );
  const damaged = result.items[4];
  t.equal(damaged?.type === 'damaged' && damaged.id, 'fu-one');
  t.equal(damaged?.type === 'damaged' && damaged.error.code, 'STREAM_TAMPERED');
  t.ok(
    isSealboxError(result.error, 'STREAM_TAMPERED'),
    'and the whole bundle is reported tampered',
  );
});

t.test('a damaged attachment fails its body, not the reading', async (t) => {
  const copy = bundle.slice();
  copy[indexOf(copy, fileB) + 1500]! ^= 1;
  const result = await readAll(copy);
  const attachment = result.items[3];
  t.ok(isSealboxError(attachment?.bodyError, 'STREAM_TAMPERED'));
  t.equal(result.items[4]?.type, 'followup');
  t.ok(isSealboxError(result.error, 'STREAM_TAMPERED'));
});

t.test('an attachment the reader skips is drained and still checked', async (t) => {
  const copy = bundle.slice();
  copy[indexOf(copy, fileA) + 5]! ^= 1;
  const seen: string[] = [];
  let error: unknown;
  try {
    for await (const item of readBundle(pieces(copy))) seen.push(item.type);
  } catch (e) {
    error = e;
  }
  t.same(seen, [
    'start',
    'submission',
    'attachment',
    'damaged',
    'attachment',
    'followup',
    'attachment',
    'submission',
  ]);
  t.ok(isSealboxError(error, 'STREAM_TAMPERED'));
  const clean: string[] = [];
  for await (const item of readBundle(pieces(bundle))) clean.push(item.type);
  t.equal(clean.at(-1), 'end');
});

t.test('removed records are detected by the end record', async (t) => {
  // Cut the follow-up record out entirely: every remaining record is intact.
  const encoder = await BundleEncoder.create();
  const parts = [encoder.start(start)];
  await writeItem(encoder, items[0]!, parts);
  const before = concatBytes(...parts).length;
  await writeItem(encoder, items[1]!, parts);
  const after = concatBytes(...parts).length;
  await writeItem(encoder, items[2]!, parts);
  parts.push(encoder.end());
  const whole = concatBytes(...parts);
  const cut = concatBytes(whole.subarray(0, before), whole.subarray(after));
  const result = await readAll(cut);
  t.ok(isSealboxError(result.error, 'STREAM_TAMPERED'));
  t.notOk(result.items.some((i) => i.type === 'end'));
});

function frame(type: number, meta: string, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  const metaBytes = new TextEncoder().encode(meta);
  const header = new Uint8Array(13 + metaBytes.length);
  const view = new DataView(header.buffer);
  header[0] = type;
  view.setUint32(1, metaBytes.length);
  header.set(metaBytes, 5);
  view.setUint32(9 + metaBytes.length, body.length);
  const record = concatBytes(header, body);
  return concatBytes(record, sodium.crypto_generichash(32, record, null));
}

async function expectCode(t: Tap, data: Uint8Array, code: SealboxErrorCode): Promise<ReadResult> {
  const result = await readAll(data);
  t.ok(isSealboxError(result.error, code), `${code}: got ${String(result.error)}`);
  return result;
}

t.test('malformed records', async (t) => {
  const startRecord = frame(BUNDLE_RECORD_TYPES.start, JSON.stringify(start));
  await expectCode(t, frame(2, '{}'), 'FORMAT_INVALID');
  await expectCode(
    t,
    frame(1, JSON.stringify({ ...start, format: 'other' })),
    'VERSION_UNSUPPORTED',
  );
  await expectCode(t, frame(1, 'not json'), 'FORMAT_INVALID');
  await expectCode(t, concatBytes(startRecord, startRecord), 'FORMAT_INVALID');
  const huge = new Uint8Array(13);
  huge[0] = 2;
  new DataView(huge.buffer).setUint32(1, 2 ** 31);
  await expectCode(t, concatBytes(startRecord, huge), 'FORMAT_INVALID');

  // An unknown record type and unreadable metadata are reported and skipped.
  const result = await expectCode(
    t,
    concatBytes(startRecord, frame(9, '{}', bytes(10, 1)), frame(4, '{"id":1}'), frame(2, '[')),
    'STREAM_TRUNCATED',
  );
  t.same(
    result.items.map((i) => i.type),
    ['start', 'damaged', 'damaged', 'damaged'],
  );

  // Bytes after the end record.
  await expectCode(t, concatBytes(bundle, new Uint8Array(1)), 'FORMAT_INVALID');
});

t.test('the bounds of a record: 1 MiB of metadata, a body under 2^53 bytes', async (t) => {
  // A start record whose JSON is padded with spaces to the largest metadata,
  // then nothing: read, and the bundle is only cut short. One byte more is
  // refused before it is read.
  const json = JSON.stringify(start);
  const largest = frame(1, json.padEnd(1 << 20));
  const result = await expectCode(t, largest, 'STREAM_TRUNCATED');
  t.same(
    result.items.map((i) => i.type),
    ['start'],
  );
  await expectCode(t, frame(1, json.padEnd((1 << 20) + 1)), 'FORMAT_INVALID');
  // The upper half of the body length: below 2^21 the body is waited for (and
  // the bundle ends first); at 2^21 the length passes 2^53 and is refused.
  const withBodyLength = (high: number): Uint8Array => {
    const record = frame(1, json).slice(0, 13 + json.length);
    new DataView(record.buffer).setUint32(5 + json.length, high);
    return record;
  };
  await expectCode(t, withBodyLength(2 ** 21 - 1), 'STREAM_TRUNCATED');
  await expectCode(t, withBodyLength(2 ** 21), 'FORMAT_INVALID');
});

t.test('the encoder refuses out-of-order writing', async (t) => {
  const encoder = await BundleEncoder.create();
  const sub = { id: 's', seq: 1, received: '2025-01-01', keysetVersion: 1, uploads: [] };
  t.throws(() => encoder.submission(sub, envelope1), { code: 'FORMAT_INVALID' });
  encoder.start({ ...start, after: 0 });
  t.throws(() => encoder.start(start), { code: 'FORMAT_INVALID' });
  encoder.submission(
    { ...sub, uploads: [{ id: 'u', size: 3, digest: digestOf(fileA) }] },
    envelope1,
  );
  t.throws(() => encoder.end(), { code: 'FORMAT_INVALID' }, 'missing attachment');
  const wrong = { submissionId: 's', uploadId: 'v', size: 3, digest: digestOf(fileA) };
  await t.rejects(encoder.attachment(wrong, once(fileA)).next(), { code: 'FORMAT_INVALID' });
  const short = encoder.attachment({ ...wrong, uploadId: 'u' }, once(new Uint8Array(2)));
  await t.rejects(
    async () => {
      for await (const _ of short);
    },
    { code: 'STREAM_TRUNCATED' },
  );
  t.throws(
    () =>
      encoder.followup(
        { id: 'f', submissionId: 's', seq: 1, received: '2025-01-01', uploads: [] },
        envelope2,
      ),
    {
      code: 'FORMAT_INVALID',
    },
  );
  t.throws(() => encoder.start({ ...start, created: 'yesterday' }), { code: 'FORMAT_INVALID' });
});

t.test('scan and resume continue an interrupted bundle to the same bytes', async (t) => {
  for (let length = 0; length <= bundle.length; length += length < bundle.length - 10 ? 9 : 1) {
    const scan = await scanBundle(pieces(bundle.subarray(0, length)));
    t.ok(scan.boundary <= length);
    if (length === bundle.length) {
      t.ok(scan.complete);
      continue;
    }
    t.notOk(scan.complete);
    if (scan.start === undefined) {
      t.equal(scan.boundary, 0);
      continue;
    }
    const encoder = await BundleEncoder.resume(pieces(bundle.subarray(0, scan.boundary)));
    const rest: Uint8Array[] = [];
    for (const item of items.filter((i) => i.seq > scan.cursor))
      await writeItem(encoder, item, rest);
    rest.push(encoder.end());
    const resumed = concatBytes(bundle.subarray(0, scan.boundary), ...rest);
    if (resumed.length !== bundle.length || indexOf(resumed, bundle) !== 0) {
      t.fail(`resume from ${length} (boundary ${scan.boundary}) differs`);
      return;
    }
  }
  await t.rejects(BundleEncoder.resume(pieces(bundle.subarray(0, 200))), {
    code: 'STREAM_TRUNCATED',
  });
  // A submission whose attachments have not been written yet is not a whole item.
  const withUploads = await BundleEncoder.create();
  const parts = [withUploads.start(start)];
  parts.push(
    withUploads.submission(
      {
        id: 'x',
        seq: 5,
        received: '2025-01-01',
        keysetVersion: 3,
        uploads: [{ id: 'u', size: 1, digest: digestOf(fileA) }],
      },
      envelope1,
    ),
  );
  await t.rejects(BundleEncoder.resume(pieces(concatBytes(...parts))), { code: 'FORMAT_INVALID' });
  await t.rejects(BundleEncoder.resume(pieces(new Uint8Array(0))), { code: 'FORMAT_INVALID' });
});

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

t.test('a submission may carry the effort level it was paid at, or not', async (t) => {
  const sub = { id: 's', seq: 5, received: '2025-01-01', keysetVersion: 3, uploads: [] };
  const write = async (meta: object) => {
    const encoder = await BundleEncoder.create();
    const out = [encoder.start(start), encoder.submission(meta as typeof sub, envelope1)];
    out.push(encoder.end());
    return concatBytes(...out);
  };
  const read = async (bundle: Uint8Array) => {
    const got: BundleItem[] = [];
    for await (const item of readBundle([bundle])) got.push(item);
    return got.find((i) => i.type === 'submission');
  };
  const without = await read(await write(sub));
  t.same(without?.type === 'submission' && without.meta, sub, 'without: read as before');
  const withLevel = await read(await write({ ...sub, effort: 4 }));
  t.same(withLevel?.type === 'submission' && withLevel.meta, { ...sub, effort: 4 });
  for (const effort of [-1, 65, 1.5, '3']) {
    await t.rejects(write({ ...sub, effort }), { code: 'FORMAT_INVALID' }, `effort ${effort}`);
  }
});
