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
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit === 'bytes' ? 'MiB' : 'items'} | {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const scale = unit === 'bytes' ? 1 / (1024 * 1024) : 1;
  const round = (n: number): number => Math.round(n * scale * 10) / 10;
  let value = 0;
  bar.start(round(total), 0);
  return {
    advance(by) {
      value += by;
      bar.update(round(value));
    },
    stop() {
      bar.stop();
    },
  };
}
