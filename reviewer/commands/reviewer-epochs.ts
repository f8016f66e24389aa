// `sealbox reviewer epochs`, run on the offline computer once a week or a
// month: makes the epoch keys that submissions will be sealed to in the
// coming weeks, keeps their seeds in the key file, puts their signed public
// halves in the outbox for the courier, and erases the seeds that are due
// (reviewer/epochs/erasure.ts). The key file is written once, crash-safely
// (reviewer/key-rewrite.ts).
import {
  DEFAULT_EPOCH_DAYS,
  EPOCH_ACCEPT_DAYS,
  MAX_EPOCH_DAYS,
  addDays,
  isoDate,
} from '../../client-crypto/index.ts';
import { CaseFolder } from '../cases/case-folder.ts';
import type { ErasedKey } from '../cases/records.ts';
import { commitKeyChange, planErasure } from '../epochs/erase.ts';
import { DEFAULT_GRACE_DAYS, type ErasureStanding } from '../epochs/erasure.ts';
import { makeEpochs, signedEpochKey } from '../epochs/plan.ts';
import { usage } from '../errors.ts';
import { type CommandIo, keyOptions } from '../io.ts';
import type { RewriteStep } from '../key-rewrite.ts';
import { loadReviewerKey } from '../keys.ts';
import { appendToOutbox, defaultOutbox, readOutboxIfAny } from '../outbox.ts';
import { describeErasure } from './erasure-report.ts';

export const DEFAULT_AHEAD = 8;
const MAX_AHEAD = 104;
const MAX_GRACE_DAYS = 3650;

export interface EpochsOptions {
  key: string;
  cases: string;
  outbox?: string | undefined;
  ahead?: number | undefined;
  days?: number | undefined;
  grace?: number | undefined;
  passphraseFile?: string | undefined;
  now?: Date;
  /** For tests that stop the process between the steps of the key file's rewrite. */
  onStep?: (step: RewriteStep) => void;
}

export interface EpochsReport {
  made: number[];
  /** Signed public halves appended to the outbox. */
  published: number;
  /** The day after the last epoch key held: submissions can be sealed to the reviewer until then. */
  reachesUntil: string | null;
  erased: ErasedKey[];
  kept: ErasureStanding[];
  outbox: string;
}

function whole(
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
  name: string,
) {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw usage(`--${name} must be a whole number from ${min} to ${max}.`);
  }
  return n;
}

export async function reviewerEpochs(options: EpochsOptions, io: CommandIo): Promise<EpochsReport> {
  const ahead = whole(options.ahead, DEFAULT_AHEAD, 1, MAX_AHEAD, 'ahead');
  const days = whole(options.days, DEFAULT_EPOCH_DAYS, 1, MAX_EPOCH_DAYS, 'days');
  const folder = await CaseFolder.open(options.cases, { create: true });
  if (options.grace !== undefined) {
    folder.state.graceDays = whole(options.grace, 0, EPOCH_ACCEPT_DAYS, MAX_GRACE_DAYS, 'grace');
  }
  const grace = folder.state.graceDays ?? DEFAULT_GRACE_DAYS;
  const key = await loadReviewerKey(options.key, keyOptions(io, options.passphraseFile));
  const today = isoDate(options.now ?? new Date());
  const lastNumber = Math.max(0, ...(folder.state.erased ?? []).map((e) => e.epoch));
  const made = await makeEpochs(key.secrets, { today, ahead, days, lastNumber });
  const plan = await planErasure(
    { ...key.secrets, epochs: [...key.secrets.epochs, ...made] },
    folder,
    today,
    grace,
  );
  if (made.length > 0 || plan.erased.length > 0) {
    await commitKeyChange(key, folder, plan.secrets, plan.erased, options.onStep);
  }
  if (options.grace !== undefined) await folder.saveState();

  // Every live key's public half goes out, unless this outbox holds it
  // already: after a crash between the key file and the outbox, or once the
  // outbox was carried away and emptied, the keys are published again (the
  // server stores each once).
  const outbox = options.outbox ?? defaultOutbox(options.cases);
  const present = new Set((await readOutboxIfAny(outbox)).map((line) => JSON.stringify(line)));
  const lines = [];
  for (const e of plan.secrets.epochs.filter((e) => e.ends > today)) {
    const signed = await signedEpochKey(plan.secrets, e);
    if (!present.has(JSON.stringify(signed))) lines.push(signed);
  }
  await appendToOutbox(outbox, ...lines);

  const ends = plan.secrets.epochs.map((e) => e.ends).sort();
  const report: EpochsReport = {
    made: made.map((e) => e.epoch),
    published: lines.length,
    reachesUntil: ends.at(-1) ?? null,
    erased: plan.erased,
    kept: plan.standings.filter((s) => !s.due),
    outbox,
  };
  printReport(report, made, today, io);
  return report;
}

function printReport(
  report: EpochsReport,
  made: { epoch: number; starts: string }[],
  today: string,
  io: CommandIo,
): void {
  if (report.reachesUntil) {
    const weeks = Math.floor((Date.parse(report.reachesUntil) - Date.parse(today)) / 604_800_000);
    io.print(
      `Your keys now reach until ${report.reachesUntil} (${weeks} week(s) from today): until then, reports can be sealed to you.`,
    );
  }
  if (made.length > 0) {
    io.print(
      `Made ${made.length} new key(s), numbers ${made[0]!.epoch} to ${made.at(-1)!.epoch}, the first from ${made[0]!.starts}.`,
    );
  }
  if (report.published > 0) {
    io.print(
      `Their public halves are in ${report.outbox}: carry it to the courier computer soon, so that the server can use them.`,
    );
  } else {
    io.print(`Nothing new for the outbox: its keys are in ${report.outbox} already.`);
  }
  for (const line of describeErasure(report.erased, report.kept)) io.print(line);
  if (report.reachesUntil) {
    io.print(
      `Run this command again before ${addDays(report.reachesUntil, -14)}, so that your keys never run out.`,
    );
  }
}
