// What a seizer reads from a write-ahead log: every transaction's commit
// record and its commit time. For PGlite (PostgreSQL 18 in wasm, whose log no
// installed pg_waldump reads) the segments are parsed here; for PostgreSQL,
// Debian's pg_waldump prints the same records.
//
// Layout (PostgreSQL's access/xlog_internal.h, xlogrecord.h, xact.h): 8 KiB
// pages, each opening with a 24-byte header (40 on a segment's first page);
// records 8-byte aligned and running across pages; a record header of 24
// bytes (total length, xid, prev, info, resource manager); for a commit
// (resource manager 1, info & 0x70 = 0) no block references, so the main data
// follows a one-byte length and opens with the commit time: microseconds since
// 2000-01-01 UTC, little-endian int64.
import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const PAGE = 8192;
const SHORT_HEADER = 24;
const LONG_HEADER = 40;
const XLP_FIRST_IS_CONTRECORD = 0x0001;
const XLP_LONG_HEADER = 0x0002;
const RM_XACT = 1;
const EPOCH_2000_MS = Date.UTC(2000, 0, 1);

export interface Commit {
  xid: number;
  /** Milliseconds since 1970, with the microseconds as fraction. */
  time: number;
}

const align8 = (n: number) => (n + 7) & ~7;

/** The commit records in one run of consecutive valid pages, joined as one stream. */
function commitsOfRun(stream: Buffer, skip: number): Commit[] {
  const commits: Commit[] = [];
  for (let at = skip; at + 24 <= stream.length;) {
    const total = stream.readUInt32LE(at);
    if (total < 24 || at + total > stream.length) break;
    const xid = stream.readUInt32LE(at + 4);
    const info = stream.readUInt8(at + 16);
    const rmid = stream.readUInt8(at + 17);
    if (rmid === RM_XACT && (info & 0x70) === 0) {
      // Before the main data's length: a replication origin (2 bytes) or a
      // top-level xid (4), each behind its own block id.
      let h = at + 24;
      if (stream.readUInt8(h) === 253) h += 3;
      if (stream.readUInt8(h) === 252) h += 5;
      const id = stream.readUInt8(h);
      const data = id === 255 ? h + 2 : id === 254 ? h + 5 : undefined;
      if (data !== undefined) {
        const micros = stream.readBigInt64LE(data);
        commits.push({ xid, time: (EPOCH_2000_MS * 1000 + Number(micros)) / 1000 });
      }
    }
    at = align8(at + total);
  }
  return commits;
}

/**
 * The commit records of one segment file. Pages that are not this segment's
 * (never written, or left from an older segment) end a run; the next valid
 * page starts another, after the tail of the record that began before it.
 * Headers are 8-byte multiples, so alignment in a run is alignment in the log.
 */
function commitsOfSegment(file: Buffer, segmentStart: bigint): Commit[] {
  const commits: Commit[] = [];
  let run: Buffer[] = [];
  let skip = 0;
  const flush = () => {
    if (run.length > 0) commits.push(...commitsOfRun(Buffer.concat(run), skip));
    run = [];
  };
  for (let at = 0; at + PAGE <= file.length; at += PAGE) {
    const info = file.readUInt16LE(at + 2);
    const pageaddr = file.readBigUInt64LE(at + 8);
    if (file.readUInt16LE(at) === 0 || pageaddr !== segmentStart + BigInt(at)) {
      flush();
      continue;
    }
    const header = info & XLP_LONG_HEADER ? LONG_HEADER : SHORT_HEADER;
    if (run.length === 0) {
      skip = info & XLP_FIRST_IS_CONTRECORD ? align8(file.readUInt32LE(at + 16)) : 0;
    }
    run.push(file.subarray(at + header, at + PAGE));
  }
  flush();
  return commits;
}

/** Every commit record in a pg_wal directory, oldest segment first. */
export async function readCommits(walDir: string): Promise<Commit[]> {
  const names = (await readdir(walDir)).filter((n) => /^[0-9A-F]{24}$/.test(n)).sort();
  const commits: Commit[] = [];
  for (const name of names) {
    const file = await readFile(join(walDir, name));
    if (file.length < PAGE) continue;
    const segmentSize = BigInt(file.readUInt32LE(32));
    const perLogId = 0x1_0000_0000n / segmentSize;
    const segno = BigInt(`0x${name.slice(8, 16)}`) * perLogId + BigInt(`0x${name.slice(16)}`);
    commits.push(...commitsOfSegment(file, segno * segmentSize));
  }
  return commits;
}

/** The same, as PostgreSQL's own pg_waldump reads them, from `startLsn` on. */
export async function waldumpCommits(
  bin: string,
  walDir: string,
  startLsn: string,
): Promise<Commit[]> {
  const { stdout } = await promisify(execFile)(
    join(bin, 'pg_waldump'),
    ['-p', walDir, '-s', startLsn, '-r', 'Transaction'],
    { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, TZ: 'UTC' } },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' })); // ends at the log's end
  const commits: Commit[] = [];
  for (const line of stdout.split('\n')) {
    const m = /tx:\s+(\d+),.*desc: COMMIT (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\.(\d{6})/.exec(line);
    if (m) {
      const micros = Date.parse(`${m[2]}T${m[3]}Z`) * 1000 + Number(m[4]);
      commits.push({ xid: Number(m[1]), time: micros / 1000 });
    }
  }
  return commits;
}
