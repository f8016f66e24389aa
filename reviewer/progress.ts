// Progress bars on stderr (never mixed into results on stdout), drawn only when
// stderr is a terminal so that logs and tests stay clean.
import cliProgress from 'cli-progress';

export interface Progress {
  advance(by: number): void;
  stop(): void;
}

export function progressBar(
  stream: NodeJS.WritableStream,
  label: string,
  total: number,
  unit: 'bytes' | 'items',
): Progress {
  if (!(stream as NodeJS.WriteStream).isTTY || total <= 0) {
    return { advance: () => undefined, stop: () => undefined };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: stream,
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit === 'bytes' ? 'MiB' : 'items'} | {left}`,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const scale = unit === 'bytes' ? 1 / (1024 * 1024) : 1;
  const round = (n: number): number => Math.round(n * scale * 10) / 10;
  const started = Date.now();
  let value = 0;
  bar.start(round(total), 0, { left: timeLeft(0, total, 0) });
  return {
    advance(by) {
      value += by;
      bar.update(round(value), { left: timeLeft(value, total, Date.now() - started) });
    },
    stop() {
      bar.stop();
    },
  };
}

/**
 * What is left, in words a person can read: an estimate only once there is
 * something to estimate from (cli-progress's own shows "NULL" and "INF" cut
 * to a few letters before that).
 */
export function timeLeft(done: number, total: number, elapsedMs: number): string {
  if (done >= total) return 'done';
  if (done <= 0 || elapsedMs < 2000 || done / total < 0.01) return 'estimating time left';
  const seconds = Math.ceil(((total - done) * elapsedMs) / done / 1000);
  if (!Number.isFinite(seconds)) return 'estimating time left';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const clock =
    h > 0
      ? `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`
      : `${m}:${String(s).padStart(2, '0')}`;
  return `about ${clock} left`;
}
