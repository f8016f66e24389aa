// Metadata stripping on real encoder output (JPEG and WebP written by Chromium's
// encoders, PNG built here with zlib), with EXIF, GPS, XMP, IPTC and text added the
// way cameras and editors add them. The canary must vanish; the image data must not change.
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import { cleanImage, detectImage } from '../../web/src/metadata/index.ts';
import { stripJpeg } from '../../web/src/metadata/jpeg.ts';
import { stripPng } from '../../web/src/metadata/png.ts';
import { stripWebp } from '../../web/src/metadata/webp.ts';

const CANARY = 'GPS 48.8584N 2.2945E Canon EOS owner Jane Roe';
const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const text = (s: string) => new TextEncoder().encode(s);
const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const contains = (hay: Uint8Array, needle: string) => Buffer.from(hay).includes(needle);

function jpegSegment(marker: number, payload: Uint8Array): Uint8Array {
  const head = new Uint8Array([0xff, marker, 0, 0]);
  new DataView(head.buffer).setUint16(2, payload.length + 2);
  return cat(head, payload);
}

function jpegWithMetadata(): Uint8Array {
  const jpeg = fixture('gradient.jpg');
  // After SOI and the JFIF APP0 (2 + 18 bytes), as cameras write them.
  const app0End = 2 + 2 + ((jpeg[4]! << 8) | jpeg[5]!);
  return cat(
    jpeg.subarray(0, app0End),
    jpegSegment(0xe1, cat(text('Exif\0\0'), text(CANARY))),
    jpegSegment(0xe1, cat(text('http://ns.adobe.com/xap/1.0/\0'), text(`<x:xmpmeta>${CANARY}`))),
    jpegSegment(0xed, cat(text('Photoshop 3.0\0'), text(CANARY))),
    jpegSegment(0xfe, text(CANARY)),
    new Uint8Array([0xff, 0xff]), // fill bytes before the next marker are legal
    jpeg.subarray(app0End + 1),
    text(`trailer ${CANARY}`),
  );
}

void t.test('JPEG: EXIF, XMP, IPTC, comments, ICC and trailers are removed', (t) => {
  const original = fixture('gradient.jpg');
  const dirty = jpegWithMetadata();
  t.ok(contains(dirty, CANARY));
  const clean = stripJpeg(dirty);
  t.notOk(contains(clean, CANARY), 'canary gone');
  t.notOk(contains(clean, 'ICC_PROFILE'), 'ICC profile gone');
  t.ok(contains(clean, 'JFIF'), 'JFIF kept');
  t.same([clean[0], clean[1]], [0xff, 0xd8]);
  t.same([clean.at(-2), clean.at(-1)], [0xff, 0xd9]);
  t.same(clean, stripJpeg(original), 'same bytes as the original without its metadata');
  const sos = Buffer.from(original).indexOf(Buffer.from([0xff, 0xda]));
  t.ok(Buffer.from(clean).includes(Buffer.from(original.subarray(sos))), 'scan data untouched');
  t.same(stripJpeg(clean), clean, 'idempotent');
  t.end();
});

void t.test('JPEG: restart markers and Adobe segment are kept, broken files are refused', (t) => {
  const adobe = jpegSegment(0xee, text('Adobe\0d\0\0\0\0\x01'));
  const scan = cat(
    jpegSegment(0xda, new Uint8Array([1, 1, 0, 0, 0x3f, 0])),
    new Uint8Array([0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56]),
  );
  const file = cat(new Uint8Array([0xff, 0xd8]), adobe, scan, new Uint8Array([0xff, 0xd9]));
  t.same(stripJpeg(file), file);
  t.throws(() => stripJpeg(file.subarray(0, file.length - 2)), /truncated/);
  t.throws(() => stripJpeg(new Uint8Array([0xff, 0xd8, 0xff, 0xe1, 0, 1])), /bad segment/);
  t.throws(() => stripJpeg(new Uint8Array([0xff, 0xd8, 0xff, 0xe1, 0, 40, 1])), /truncated/);
  t.throws(() => stripJpeg(new Uint8Array([0xff, 0xd8, 0xff, 0xd8])), /unexpected/);
  t.throws(() => stripJpeg(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 2, 0x12])), /marker/);
  t.throws(() => stripJpeg(text('GIF89a')), /not a JPEG/);
  t.end();
});

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const head = new Uint8Array(8);
  new DataView(head.buffer).setUint32(0, data.length);
  head.set(text(type), 4);
  const crc = new Uint8Array(4);
  new DataView(crc.buffer).setUint32(0, crc32(cat(text(type), data)));
  return cat(head, data, crc);
}

function pngChunks(bytes: Uint8Array): { type: string; crcOk: boolean }[] {
  const out = [];
  let at = 8;
  while (at < bytes.length) {
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const length = view.getUint32(at);
    const type = Buffer.from(bytes.subarray(at + 4, at + 8)).toString('latin1');
    const crcOk =
      view.getUint32(at + 8 + length) === crc32(bytes.subarray(at + 4, at + 8 + length));
    out.push({ type, crcOk });
    at += 12 + length;
  }
  return out;
}

void t.test('PNG: text, EXIF, time, ICC and private chunks are removed', (t) => {
  const ihdr = new Uint8Array([0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0]);
  const raw = new Uint8Array([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255]);
  const signature = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const essential = [
    pngChunk('IHDR', ihdr),
    pngChunk('sRGB', new Uint8Array([0])),
    pngChunk('IDAT', new Uint8Array(deflateSync(raw))),
    pngChunk('IEND', new Uint8Array()),
  ];
  const dirty = cat(
    signature,
    essential[0]!,
    pngChunk('tEXt', text(`Author\0${CANARY}`)),
    pngChunk('iTXt', text(`Description\0\0\0\0\0${CANARY}`)),
    pngChunk('zTXt', cat(text('Comment\0\0'), new Uint8Array(deflateSync(text(CANARY))))),
    pngChunk('eXIf', cat(text('MM\0*'), text(CANARY))),
    pngChunk('tIME', new Uint8Array([7, 233, 3, 14, 9, 30, 0])),
    pngChunk('iCCP', cat(text('Phone camera\0\0'), new Uint8Array(deflateSync(text(CANARY))))),
    pngChunk('prVt', text(CANARY)),
    essential[1]!,
    essential[2]!,
    essential[3]!,
    text(CANARY),
  );
  t.ok(contains(dirty, CANARY));
  const clean = stripPng(dirty);
  t.same(clean, cat(signature, ...essential));
  t.same(
    pngChunks(clean).map((c) => c.type),
    ['IHDR', 'sRGB', 'IDAT', 'IEND'],
  );
  t.ok(
    pngChunks(clean).every((c) => c.crcOk),
    'kept chunks still carry valid CRCs',
  );
  t.notOk(contains(clean, 'Phone camera'));
  t.throws(() => stripPng(cat(signature, essential[2]!)), /IHDR must come first/);
  t.throws(() => stripPng(cat(signature, essential[0]!)), /truncated/);
  t.throws(() => stripPng(dirty.subarray(0, 40)), /truncated/);
  t.end();
});

type RiffChunk = { fourcc: string; payload: Uint8Array };

function riffChunks(bytes: Uint8Array): RiffChunk[] {
  const out: RiffChunk[] = [];
  let at = 0;
  while (at < bytes.length) {
    const size = new DataView(bytes.buffer, bytes.byteOffset).getUint32(at + 4, true);
    out.push({
      fourcc: Buffer.from(bytes.subarray(at, at + 4)).toString('latin1'),
      payload: bytes.subarray(at + 8, at + 8 + size),
    });
    at += 8 + size + (size & 1);
  }
  return out;
}

function riffChunk(fourcc: string, payload: Uint8Array): Uint8Array {
  const head = new Uint8Array(8);
  head.set(text(fourcc));
  new DataView(head.buffer).setUint32(4, payload.length, true);
  return cat(head, payload, new Uint8Array(payload.length & 1));
}

function webpFile(chunks: Uint8Array[]): Uint8Array {
  const body = cat(...chunks);
  const head = cat(text('RIFF'), new Uint8Array(4), text('WEBP'));
  new DataView(head.buffer).setUint32(4, 4 + body.length, true);
  return cat(head, body);
}

function checkWebp(t: Test, clean: Uint8Array): RiffChunk[] {
  const riffSize = new DataView(clean.buffer, clean.byteOffset).getUint32(4, true);
  t.equal(riffSize, clean.length - 8, 'RIFF size rewritten');
  return riffChunks(clean.subarray(12));
}

for (const name of ['gradient.webp', 'gradient-lossless.webp']) {
  void t.test(`WebP (${name}): EXIF, XMP and ICC chunks removed, flags cleared`, (t) => {
    const original = fixture(name);
    const chunks = riffChunks(original.subarray(12));
    const vp8x = chunks.find((c) => c.fourcc === 'VP8X')!;
    const flags = new Uint8Array(vp8x.payload);
    flags[0] = flags[0]! | 0x08 | 0x04;
    const dirty = webpFile([
      riffChunk('VP8X', flags),
      ...chunks.filter((c) => c.fourcc !== 'VP8X').map((c) => riffChunk(c.fourcc, c.payload)),
      riffChunk('EXIF', cat(text('MM\0*'), text(CANARY))),
      riffChunk('XMP ', text(`<x:xmpmeta>${CANARY}.`)), // odd size: padding byte
      riffChunk('ZZZZ', text(CANARY)),
    ]);
    const clean = stripWebp(dirty);
    t.notOk(contains(clean, CANARY));
    const kept = checkWebp(t, clean);
    t.notOk(kept.some((c) => ['ICCP', 'EXIF', 'XMP ', 'ZZZZ'].includes(c.fourcc)));
    t.equal(kept[0]!.payload[0]! & (0x20 | 0x08 | 0x04), 0, 'ICC, EXIF and XMP flags cleared');
    const image = chunks.find((c) => c.fourcc.startsWith('VP8') && c.fourcc !== 'VP8X')!;
    t.same(
      kept.find((c) => c.fourcc === image.fourcc)!.payload,
      image.payload,
      'image data untouched',
    );
    t.same(stripWebp(clean), clean, 'idempotent');
    t.end();
  });
}

void t.test('WebP: animation frames are filtered, broken files refused', (t) => {
  const frame = fixture('gradient.webp');
  const vp8 = riffChunks(frame.subarray(12)).find((c) => c.fourcc === 'VP8 ')!;
  const anmf = cat(
    new Uint8Array(16),
    riffChunk('VP8 ', vp8.payload),
    riffChunk('EXIF', text(CANARY)),
  );
  const vp8x = new Uint8Array(10);
  vp8x[0] = 0x02 | 0x08;
  const dirty = webpFile([
    riffChunk('VP8X', vp8x),
    riffChunk('ANIM', new Uint8Array(6)),
    riffChunk('ANMF', anmf),
  ]);
  const clean = stripWebp(dirty);
  t.notOk(contains(clean, CANARY));
  const kept = checkWebp(t, clean);
  t.same(
    kept.map((c) => c.fourcc),
    ['VP8X', 'ANIM', 'ANMF'],
  );
  t.equal(kept[0]!.payload[0], 0x02, 'animation flag kept, EXIF flag cleared');
  t.same(
    riffChunks(kept[2]!.payload.subarray(16)).map((c) => c.fourcc),
    ['VP8 '],
  );
  t.throws(() => stripWebp(webpFile([riffChunk('EXIF', text(CANARY))])), /no image data/);
  t.throws(() => stripWebp(webpFile([riffChunk('VP8X', new Uint8Array(4))])), /truncated/);
  t.throws(() => stripWebp(dirty.subarray(0, 30)), /truncated/);
  t.throws(() => stripWebp(text('RIFF....WAVE')), /not a WebP/);
  t.end();
});

void t.test('cleanImage recognises formats by their bytes and never throws', (t) => {
  t.equal(detectImage(fixture('gradient.jpg')), 'jpeg');
  t.equal(detectImage(fixture('gradient.webp')), 'webp');
  t.equal(detectImage(text('%PDF-1.7')), undefined);
  t.same(cleanImage(text('%PDF-1.7 ' + CANARY)), { outcome: 'not-an-image' });
  const cleaned = cleanImage(jpegWithMetadata());
  t.equal(cleaned.outcome, 'cleaned');
  if (cleaned.outcome === 'cleaned') t.ok(cleaned.removed > CANARY.length * 4);
  const broken = cleanImage(fixture('gradient.jpg').subarray(0, 300));
  t.equal(broken.outcome, 'failed');
  const prefixes = [
    [0xff, 0xd8, 0xff],
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    [0x52, 0x49, 0x46, 0x46, 1, 0, 0, 0, 0x57, 0x45, 0x42, 0x50],
  ];
  fc.assert(
    fc.property(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 200 }), (prefix, rest) => {
      const result = cleanImage(cat(Uint8Array.from(prefix), rest));
      return result.outcome === 'cleaned' || result.outcome === 'failed';
    }),
    { numRuns: 2000 },
  );
  t.end();
});
