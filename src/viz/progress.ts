/**
 * A progress bar under a notebook cell: label, steps done of the total, rate, elapsed and time left,
 * redrawn in place (one output entry) as steps finish.
 *
 *   const bar = viz.progressBar('Unified-SFT on Calmaric', config.train.steps - run.trainer.step);
 *   await run.trainer.run(undefined, (row) => { live.push(...); bar.tick(1, `loss ${row.loss.toFixed(3)}`); });
 *   bar.close();
 *
 * The rate and the time left come from the last `window` steps (default 20), so a slow first step
 * (compilation, caches) stops counting soon. Redraws are throttled (default at most one per 500 ms;
 * `close()` always draws the final state). Outside a notebook nothing is drawn while it runs and
 * `close()` prints one line (`progressSummary`).
 */
import { escapeHtml } from './plotly-html';
import { DisplayLike, displayProvider, textFallback } from './show';
import { FONT_FAMILY } from './figure';

export interface ProgressState {
  label: string;
  done: number;
  total: number;
  /** Milliseconds since the bar started. */
  elapsedMs: number;
  /** Steps per second over the recent window, null before a step finished. */
  rate: number | null;
  /** Milliseconds left at that rate, null when unknown. */
  leftMs: number | null;
  /** The last status text given to `tick` (e.g. the loss). */
  status: string;
  closed: boolean;
}

export interface NotebookProgress {
  /** `n` more steps done (default 1), with an optional status text shown after the numbers. */
  tick(n?: number, status?: string): void;
  /** Draw the final state; idempotent. */
  close(): void;
  /** The numbers as drawn now. */
  state(): ProgressState;
}

export interface ProgressOptions {
  /** Minimum milliseconds between redraws (default 500; 0 = on every tick). */
  throttleMs?: number;
  /** Steps the rate is measured over (default 20). */
  window?: number;
  /** A clock for tests (default `Date.now`). */
  now?: () => number;
}

/** `1 h 02 min`, `3 min 05 s`, `12 s`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** `Unified-SFT: 12/150 steps (8%), 1.25 steps/s, 9 s elapsed, 1 min 50 s left · loss 2.31`. */
export function progressSummary(p: ProgressState): string {
  const pct = p.total > 0 ? Math.floor((100 * p.done) / p.total) : 100;
  const rate = p.rate === null ? '' : p.rate >= 1 ? `, ${p.rate.toFixed(2)} steps/s` : `, ${(1 / p.rate).toFixed(1)} s/step`;
  const left = p.closed || p.done >= p.total ? '' : p.leftMs === null ? ', time left unknown' : `, ${formatDuration(p.leftMs)} left`;
  return `${p.label}: ${p.done}/${p.total} steps (${pct}%)${rate}, ${formatDuration(p.elapsedMs)} elapsed${left}${p.status ? ` · ${p.status}` : ''}`;
}

/** The bar's HTML (escaped): a filled track and the summary line. */
export function progressHtml(p: ProgressState): string {
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
  const colour = p.closed && p.done < p.total ? '#c0504d' : '#4c72b0';
  return `<div class="cmrp-progress" style="font-family:${escapeHtml(FONT_FAMILY)};font-size:13px;color:#222;margin:4px 0;">` +
    `<div style="width:420px;max-width:100%;height:10px;background:#e6e6e6;border-radius:5px;overflow:hidden;">` +
    `<div style="width:${(100 * frac).toFixed(1)}%;height:100%;background:${colour};"></div></div>` +
    `<div style="margin-top:3px;font-variant-numeric:tabular-nums;">${escapeHtml(progressSummary(p))}</div></div>`;
}

/** Start a progress bar of `total` steps under the running cell. */
export function progressBar(label: string, total: number, opts: ProgressOptions = {}): NotebookProgress {
  if (!Number.isFinite(total) || total < 0) throw new RangeError(`progressBar: total must be a number >= 0, got ${total}`);
  const now = opts.now ?? Date.now;
  const throttleMs = Math.max(0, opts.throttleMs ?? 500);
  const window = Math.max(1, Math.floor(opts.window ?? 20));
  const provider = displayProvider();
  const start = now();
  const marks: [number, number][] = [[start, 0]]; // (time, done) of the recent ticks
  let display: DisplayLike | null = null;
  let done = 0;
  let status = '';
  let closed = false;
  let lastDraw = -Infinity;

  const state = (): ProgressState => {
    const t = now();
    const [t0, d0] = marks[0];
    const rate = done > d0 && t > t0 ? ((done - d0) * 1000) / (t - t0) : null;
    return { label, done, total, elapsedMs: t - start, rate, leftMs: rate ? ((total - done) / rate) * 1000 : null, status, closed };
  };
  const draw = (): void => {
    lastDraw = now();
    if (!provider) return;
    display ??= provider.newDisplay();
    display.html(progressHtml(state()));
  };
  draw();

  return {
    tick(n = 1, s) {
      if (closed) throw new Error(`progress bar "${label}" is closed`);
      done = Math.min(total, done + n);
      if (s !== undefined) status = s;
      marks.push([now(), done]);
      if (marks.length > window + 1) marks.shift();
      if (now() - lastDraw >= throttleMs || done >= total) draw();
    },
    close() {
      if (closed) return;
      closed = true;
      if (provider) draw();
      else textFallback(`[progress] ${progressSummary(state())}`);
    },
    state,
  };
}

/**
 * A bar for work whose total is known only once it starts (the experiment runner's `onCell(done,
 * total, cell)`): `const p = viz.cellProgress('baselines'); await runExperiment({ ..., onCell: p.onCell }); p.close();`
 */
export function cellProgress(label: string, opts: ProgressOptions = {}): {
  onCell: (done: number, total: number, cell?: { character?: string; method?: string; cached?: boolean }) => void;
  close: () => void;
} {
  let bar: NotebookProgress | null = null;
  return {
    onCell(done, total, cell) {
      bar ??= progressBar(label, total, opts);
      const status = cell ? `${cell.character ?? ''} ${cell.method ?? ''}${cell.cached ? ' (cached)' : ''}`.trim() : undefined;
      bar.tick(Math.max(0, done - bar.state().done), status);
    },
    close() {
      bar?.close();
    },
  };
}
