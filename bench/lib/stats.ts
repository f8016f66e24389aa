// Figures from repeated runs: the median is the figure, the spread says how
// far the repetitions wandered on a shared, noisy machine.
import { cpus, loadavg, totalmem } from 'node:os';

export interface Figure {
  unit: string;
  median: number;
  min: number;
  max: number;
  /** (max − min) / median, in percent. */
  spreadPct: number;
  samples: number[];
}

export function median(values: number[]): number {
  if (values.length === 0) throw new RangeError('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function figure(samples: number[], unit: string): Figure {
  const m = median(samples);
  const min = Math.min(...samples);
  const max = Math.max(...samples);
  return {
    unit,
    median: round(m),
    min: round(min),
    max: round(max),
    spreadPct: m === 0 ? 0 : round(((max - min) / m) * 100, 1),
    samples: samples.map((s) => round(s)),
  };
}

export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const magnitude = Math.abs(value) >= 100 ? 0 : digits;
  const f = 10 ** magnitude;
  return Math.round(value * f) / f;
}

/** How many times faster (or, below 1, slower) the subject is than the baseline. */
export function ratio(subject: Figure, baseline: Figure): number {
  return round(subject.median / baseline.median, 2);
}

export interface Machine {
  date: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  /** 1-minute load average when the benchmark ended: how busy the machine was. */
  load?: number;
}

export function machine(): Machine {
  const list = cpus();
  return {
    date: new Date().toISOString().slice(0, 10),
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    load: round(loadavg()[0]!, 2),
  };
}

export const MiB = 1024 * 1024;

/** Milliseconds taken by `fn`, and what it returned. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}
