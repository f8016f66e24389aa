// CPU time of a process (user + system), what an operator pays for: far
// steadier than throughput where the load generator, the server and the
// database share two cores.
import { readFile } from 'node:fs/promises';

/** CPU seconds a process has used, user + system, from Linux /proc (clock ticks of 1/100 s). */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Runs `work` and returns its result with the CPU milliseconds the processes used per request. */
export async function cpuPerRequest<T extends { ok: number }>(
  pids: number[],
  work: () => Promise<T>,
): Promise<{ result: T; cpuMs: number }> {
  const before = await Promise.all(pids.map(cpuSeconds));
  const result = await work();
  const after = await Promise.all(pids.map(cpuSeconds));
  const used = after.reduce((sum, s, i) => sum + s - before[i]!, 0);
  return { result, cpuMs: result.ok > 0 ? (used * 1000) / result.ok : NaN };
}
