// The shape every benchmark returns and prints as JSON: per figure, its
// median and spread, the baseline from the same run, the ratio and the target.
import type { Figure, Machine } from './stats.ts';

export interface Check {
  /** What is compared, in a few words. */
  what: string;
  subject: Figure;
  baseline?: Figure | undefined;
  /** subject / baseline for rates (higher is better); baseline / subject for times. */
  ratio?: number | undefined;
  target: string;
  /** true / false, or null when the figure is reported without a target. */
  met: boolean | null;
  notes?: string[];
}

export interface BenchResult {
  name: string;
  title: string;
  machine: Machine;
  smoke: boolean;
  seconds: number;
  checks: Check[];
  /** Other measured values worth keeping (curves, set-up facts). */
  extra?: Record<string, unknown>;
  notes: string[];
}

export interface BenchOptions {
  smoke: boolean;
  /** PostgreSQL admin URL for benchmarks that make a fresh database; unset → skip those parts. */
  postgresUrl: string | undefined;
  log: (line: string) => void;
}

export interface Benchmark {
  name: string;
  title: string;
  run(
    options: BenchOptions,
  ): Promise<Omit<BenchResult, 'name' | 'title' | 'machine' | 'smoke' | 'seconds'>>;
}
