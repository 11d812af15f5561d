/** Progress bars for long CLI work, on stderr so that stdout stays parseable (`--json`). */
import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  tick(n?: number, status?: string): void;
  stop(): void;
}

/** A bar with ETA; on a non-TTY stderr (CI, pipes) it prints a line at most every 5 s. */
export function progressBar(label: string, total: number, opts: { quiet?: boolean } = {}): Progress {
  if (opts.quiet || total <= 0) return { tick() {}, stop() {} };
  const bar = new SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {percentage}% | {duration_formatted} elapsed, ETA {eta_formatted} {status}`,
      stream: process.stderr,
      noTTYOutput: !process.stderr.isTTY,
      notTTYSchedule: 5000,
      hideCursor: true,
      etaBuffer: 20,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0, { status: '' });
  return {
    tick(n = 1, status = '') {
      bar.increment(n, { status });
    },
    stop() {
      bar.stop();
    },
  };
}
