// Row types of every table the migrations/ create, all listed in `Database`
// below (besides them there is the export_seq sequence, read in db/export.ts,
// and kysely's own migration records). Dates are 'YYYY-MM-DD'
// strings, bytea is Uint8Array and int8 is number on both PostgreSQL and
// PGlite: database.ts normalises the drivers so that callers never have to.
import type { ColumnType, Generated, Selectable } from 'kysely';

type DateText = string;

export interface KeysetTable {
  version: number;
  signed: string;
  stored_on: DateText;
}

export interface SubmissionTable {
  seq: Generated<number>;
  case_id: string;
  lookup_hash: Uint8Array;
  keyset_version: number;
  /** Null once a purge statement has been applied. */
  envelope: Uint8Array | null;
  status: ColumnType<string, string | undefined, string>;
  received: DateText;
  status_on: DateText;
  purged_on: DateText | null;
  /** The effort level its proof of work was paid at; null for cases from before it was kept. */
  effort_level: ColumnType<number | null, number | undefined, never>;
}

export interface FollowupTable {
  seq: Generated<number>;
  id: string;
  submission_seq: number;
  envelope: Uint8Array;
  received: DateText;
}

export interface UploadTable {
  id: string;
  size: number;
  part_size: number;
  part_count: number;
  created: DateText;
  finished: DateText | null;
  digest: Uint8Array | null;
  submission_seq: number | null;
  followup_seq: number | null;
  /** The open case whose lookup token started it (a follow-up's file); null for strangers. */
  case_seq: ColumnType<number | null, number | undefined, never>;
}

export interface UploadPartTable {
  upload_id: string;
  part: number;
  bytes: Uint8Array;
}

export interface StatementTable {
  id: string;
  seq: Generated<number>;
  submission_seq: number;
  kind: string;
  signed: string;
  stated_on: DateText;
}

export interface SpentChallengeTable {
  digest: Uint8Array;
  expires_on: DateText;
}

/** Admissions reserved per day by the daily cap (db/daily-cap.ts): a date and a number. */
export interface SubmissionsPerDayTable {
  day: DateText;
  count: number;
}

/** One instance's raised proof-of-work level (server/load.ts) and its heartbeat. */
export interface EffortLevelTable {
  instance: string;
  level: number;
  heartbeat: number;
}

export interface ExportAckTable {
  courier: string;
  acked_seq: number;
  acked_on: DateText;
}

/** Used courier signatures (db/courier-replays.ts): a digest and a date. */
export interface CourierReplayTable {
  digest: Uint8Array;
  expires_on: DateText;
}

/**
 * Reviewers' signed epoch keys (db/epochs.ts), named by the recipient id of
 * their stanzas; reviewer, epoch and dates copy the verified payload.
 */
export interface EpochKeyTable {
  recipient_id: string;
  reviewer: string;
  epoch: number;
  starts: DateText;
  ends: DateText;
  signed: string;
}

export interface Database {
  keysets: KeysetTable;
  submissions: SubmissionTable;
  followups: FollowupTable;
  uploads: UploadTable;
  upload_parts: UploadPartTable;
  statements: StatementTable;
  spent_challenges: SpentChallengeTable;
  export_acks: ExportAckTable;
  submissions_per_day: SubmissionsPerDayTable;
  effort_levels: EffortLevelTable;
  courier_replays: CourierReplayTable;
  epoch_keys: EpochKeyTable;
}

export type Submission = Selectable<SubmissionTable>;
export type Upload = Selectable<UploadTable>;
export type Followup = Selectable<FollowupTable>;
export type StoredEpochKey = Selectable<EpochKeyTable>;
