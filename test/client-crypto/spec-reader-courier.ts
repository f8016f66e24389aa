// Bundles and courier request signatures, read from docs/protocol-courier.md
// alone (record framing, checksums, meta rules and the end record by hand, the
// RFC 9421 signature base written out), for vectors.test.ts.
import sumo from 'libsodium-wrappers-sumo';
import { fromBase64Url as b64, toBase64Url } from '../../client-crypto/index.ts';
import type { BundleVectorItem, CourierSignatureVector } from '../vectors/load.ts';
import { specJson, strictUtf8, te } from './spec-reader.ts';

// ---------------------------------------------------------------------------
// Bundles and courier signatures read from docs/protocol-courier.md alone:
// record framing, checksums, meta rules and the end record by hand, and the
// RFC 9421 signature base written out.
// ---------------------------------------------------------------------------

const RECORD_NAMES = ['', 'start', 'submission', 'attachment', 'followup', 'end'];
const META_FIELDS: Record<string, Record<string, string>> = {
  start: { format: 'text', keysetVersion: 'int', after: 'int', created: 'date' },
  submission: { id: 'id', seq: 'int', received: 'date', keysetVersion: 'int', uploads: 'uploads' },
  attachment: {
    submissionId: 'id',
    followupId: 'id?',
    uploadId: 'id',
    size: 'int',
    digest: 'digest',
  },
  followup: { id: 'id', submissionId: 'id', seq: 'int', received: 'date', uploads: 'uploads' },
  end: { cursor: 'int', count: 'int', digest: 'digest' },
};
const FIELD_RULES: Record<string, (x: unknown) => boolean> = {
  text: (x) => typeof x === 'string',
  int: (x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0,
  date: (x) => typeof x === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(x),
  id: (x) => typeof x === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(x),
  'id?': (x) => x === undefined || FIELD_RULES.id!(x),
  digest: (x) => typeof x === 'string' && /^[A-Za-z0-9_-]{43}$/.test(x),
  uploads: (x) =>
    Array.isArray(x) &&
    x.every(
      (u: Record<string, unknown>) =>
        typeof u === 'object' &&
        u !== null &&
        Object.keys(u).every((k) => ['id', 'size', 'digest'].includes(k)) &&
        FIELD_RULES.id!(u.id) &&
        FIELD_RULES.int!(u.size) &&
        FIELD_RULES.digest!(u.digest),
    ),
};

type SpecMeta = Record<string, unknown> & { uploads?: { id: string; size: number }[] };

/** The meta of a record, or the code of what is wrong with it. */
export function specBundleMeta(name: string | undefined, bytes: Uint8Array): SpecMeta | string {
  if (name === undefined) return 'FORMAT_INVALID';
  const m = specJson(bytes);
  if (m === 'ENCODING') return 'ENCODING_INVALID';
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'FORMAT_INVALID';
  const fields = META_FIELDS[name]!;
  const meta = m as SpecMeta;
  if (Object.keys(meta).some((k) => !(k in fields))) return 'FORMAT_INVALID';
  if (Object.entries(fields).some(([k, rule]) => !FIELD_RULES[rule]!(meta[k])))
    return 'FORMAT_INVALID';
  if (name === 'start' && meta.format !== 'sealbox-bundle-v1') return 'VERSION_UNSUPPORTED';
  return meta;
}

export function specReadBundle(bytes: Uint8Array): { items: BundleVectorItem[]; code?: string } {
  const items: BundleVectorItem[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  let at = 0;
  let cursor = 0;
  let count = 0;
  let expected: { id: string; size: number }[] | null = [];
  let expectedFor = '';
  let expectedAt = { index: 0, recordType: 0 };
  const damaged = (index: number, recordType: number, code: string, id?: string) =>
    items.push({ type: 'damaged', index, recordType, ...(id ? { id } : {}), code });
  for (let index = 0; ; index += 1) {
    if (at === bytes.length) return { items, code: 'STREAM_TRUNCATED' };
    if (at + 5 > bytes.length) return { items, code: 'STREAM_TRUNCATED' };
    const type = bytes[at]!;
    const metaLength = view.getUint32(at + 1);
    if (metaLength > 1 << 20) return { items, code: 'FORMAT_INVALID' };
    if (at + 13 + metaLength > bytes.length) return { items, code: 'STREAM_TRUNCATED' };
    const metaBytes = bytes.subarray(at + 5, at + 5 + metaLength);
    const high = view.getUint32(at + 5 + metaLength);
    if (high >= 2 ** 21) return { items, code: 'FORMAT_INVALID' };
    const bodyLength = high * 2 ** 32 + view.getUint32(at + 9 + metaLength);
    const bodyEnd = at + 13 + metaLength + bodyLength;
    if (bodyEnd + 32 > bytes.length) return { items, code: 'STREAM_TRUNCATED' };
    const body = bytes.subarray(at + 13 + metaLength, bodyEnd);
    const checksumOk = sumo.memcmp(
      sumo.crypto_generichash(32, bytes.subarray(at, bodyEnd), null),
      bytes.subarray(bodyEnd, bodyEnd + 32),
    );
    const before = bytes.subarray(0, at);
    at = bodyEnd + 32;
    const name = RECORD_NAMES[type];
    const meta = specBundleMeta(name, metaBytes);
    if (index === 0 || name === 'start') {
      if (typeof meta === 'string') return { items, code: meta };
      if (index !== 0 || name !== 'start') return { items, code: 'FORMAT_INVALID' };
      if (!checksumOk) return { items, code: 'STREAM_TAMPERED' };
      if (bodyLength !== 0) return { items, code: 'FORMAT_INVALID' };
      cursor = meta.after as number;
      items.push({ type: 'start', meta });
      continue;
    }
    if (name === 'end') {
      if (typeof meta === 'string') return { items, code: meta };
      if (!checksumOk) return { items, code: 'STREAM_TAMPERED' };
      const exact = JSON.stringify({ cursor: meta.cursor, count: meta.count, digest: meta.digest });
      if (bodyLength !== 0 || strictUtf8.decode(metaBytes) !== exact)
        return { items, code: 'FORMAT_INVALID' };
      const digest = toBase64Url(sumo.crypto_generichash(32, before, null));
      if (
        meta.digest !== digest ||
        meta.count !== count ||
        meta.cursor !== cursor ||
        (expected?.length ?? 0) > 0
      )
        return { items, code: 'STREAM_TAMPERED' };
      if (at !== bytes.length) return { items, code: 'FORMAT_INVALID' };
      items.push({ type: 'end', meta });
      return { items };
    }
    count += 1;
    if (typeof meta === 'string') {
      if (name === 'submission' || name === 'followup') expected = null;
      damaged(index, type, meta);
      continue;
    }
    if (name === 'attachment') {
      const next = expected?.[0];
      const owner = (meta.followupId ?? meta.submissionId) as string;
      const inPlace =
        expected === null ||
        (next?.id === meta.uploadId && expectedFor === owner && next?.size === meta.size);
      expected?.shift();
      if (!inPlace || bodyLength !== meta.size)
        damaged(index, type, 'FORMAT_INVALID', meta.uploadId as string);
      else if (!checksumOk) damaged(index, type, 'STREAM_TAMPERED', meta.uploadId as string);
      else items.push({ type: 'attachment', meta, body: toBase64Url(body) });
      continue;
    }
    // a submission or follow-up
    if (expected !== null && expected.length > 0)
      damaged(expectedAt.index, expectedAt.recordType, 'FORMAT_INVALID', expectedFor);
    expected = null;
    const id = meta.id as string;
    if (!((meta.seq as number) > cursor)) {
      damaged(index, type, 'FORMAT_INVALID', id);
      continue;
    }
    cursor = meta.seq as number;
    if (!checksumOk) {
      damaged(index, type, 'STREAM_TAMPERED', id);
      continue;
    }
    expected = [...meta.uploads!];
    expectedFor = id;
    expectedAt = { index, recordType: type };
    items.push({ type: name as 'submission' | 'followup', meta, envelope: toBase64Url(body) });
  }
}

/** RFC 9421 §2.5 for the courier's components, then Ed25519 over it. */
export function specCourierSignature(v: CourierSignatureVector): { base: string; ok: boolean } {
  const { method, url, headers, body } = v.request;
  const input = /^sig=(\(.*\));(.*)$/.exec(headers['signature-input']!)!;
  const components = input[1]!.slice(1, -1).split(' ');
  const target = new URL(url);
  const values: Record<string, string> = {
    '"@method"': method.toUpperCase(),
    '"@path"': target.pathname,
    '"@query"': target.search === '' ? '?' : target.search,
    '"content-digest"': headers['content-digest'] ?? '',
  };
  const base = [
    ...components.map((c) => `${c}: ${values[c]}`),
    `"@signature-params": ${input[1]};${input[2]}`,
  ].join('\n');
  const signature = Buffer.from(headers.signature!.slice('sig=:'.length, -1), 'base64');
  const digestOk =
    body === undefined ||
    headers['content-digest'] ===
      `sha-256=:${Buffer.from(sumo.crypto_hash_sha256(te.encode(body))).toString('base64')}:`;
  const ok =
    digestOk && sumo.crypto_sign_verify_detached(signature, te.encode(base), b64(v.publicKey));
  return { base, ok };
}
