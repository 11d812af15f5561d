/**
 * Live training curves: one notebook output entry that is redrawn as points arrive.
 *
 *   const plot = viz.liveLinePlot('Loss', ['train', 'val'], { xLabel: 'step', logY: true });
 *   for (...) { ...; plot.push(step, [trainLoss, valLoss]); }   // or plot.push(step, {val: 0.3})
 *   plot.close();                                                  // final redraw; always call it
 *
 * Redraws are throttled (default at most one per second; `close()` always draws the final state)
 * and long series are thinned to `maxPoints` for display (all points are kept: `figure()`).
 * Outside a notebook nothing is drawn; `close()` prints a one-line summary.
 */
import { randomBytes } from 'node:crypto';
import { Figure, lineFigure, LineSeries } from './figure';
import { DisplayLike, displayProvider, figureBundle, textFallback } from './show';

export interface LivePlotOptions {
  xLabel?: string;
  yLabel?: string;
  logY?: boolean;
  height?: number;
  /** Minimum milliseconds between redraws (default 1000; 0 = redraw on every push). */
  throttleMs?: number;
  /** Points per series actually drawn (default 2000; evenly thinned, last point kept). */
  maxPoints?: number;
}

export interface LivePlot {
  /** Add one point per series at x = step: values in `seriesNames` order, or `{name: value}` (missing names skipped). */
  push(step: number, values: number | ArrayLike<number> | Record<string, number>): void;
  /** Draw the final state and stop (further pushes throw). Idempotent. */
  close(): void;
  /** The full-resolution figure (e.g. for `exportFigure`). */
  figure(): Figure;
  /** Number of `push` calls so far. */
  readonly pushes: number;
}

function thin(xs: number[], ys: number[], max: number): [number[], number[]] {
  if (xs.length <= max) return [xs, ys];
  const stride = Math.ceil(xs.length / max);
  const ox: number[] = [];
  const oy: number[] = [];
  for (let i = 0; i < xs.length; i += stride) {
    ox.push(xs[i]);
    oy.push(ys[i]);
  }
  if (ox[ox.length - 1] !== xs[xs.length - 1]) {
    ox.push(xs[xs.length - 1]);
    oy.push(ys[ys.length - 1]);
  }
  return [ox, oy];
}

/** Start a live line plot with one line per name in `seriesNames`. */
export function liveLinePlot(title: string, seriesNames: readonly string[], opts: LivePlotOptions = {}): LivePlot {
  if (!Array.isArray(seriesNames) || seriesNames.length === 0) throw new RangeError('liveLinePlot needs at least one series name');
  if (new Set(seriesNames).size !== seriesNames.length) throw new RangeError('liveLinePlot series names must be distinct');
  const names = [...seriesNames];
  const throttleMs = Math.max(0, opts.throttleMs ?? 1000);
  const maxPoints = Math.max(2, Math.floor(opts.maxPoints ?? 2000));
  const xs: number[][] = names.map(() => []);
  const ys: number[][] = names.map(() => []);
  const provider = displayProvider();
  const divId = `cmrp-live-${randomBytes(6).toString('hex')}`;
  let display: DisplayLike | null = null;
  let lastDraw = -Infinity;
  let dirty = false;
  let closed = false;
  let pushes = 0;

  const build = (max: number): Figure => {
    const series: LineSeries[] = names.map((name, i) => {
      const [x, y] = thin(xs[i], ys[i], max);
      return { name, x, y };
    });
    return lineFigure(series, { title, xLabel: opts.xLabel, yLabel: opts.yLabel, logY: opts.logY, height: opts.height, showLegend: names.length > 1 });
  };

  const draw = (): void => {
    dirty = false;
    lastDraw = Date.now();
    if (!provider) return;
    if (!display) display = provider.newDisplay();
    // same element id on every redraw: the output entry (and its div) is replaced as a whole
    display.bundle(figureBundle(build(maxPoints), { id: divId }));
  };

  return {
    push(step, values) {
      if (closed) throw new Error(`live plot "${title}" is closed`);
      if (typeof step !== 'number' || Number.isNaN(step)) throw new TypeError(`live plot step must be a number, got ${step}`);
      if (typeof values === 'number') {
        if (names.length !== 1) throw new RangeError(`live plot "${title}" has ${names.length} series: push an array or {name: value}`);
        values = [values];
      }
      if (typeof (values as ArrayLike<number>).length === 'number') {
        const arr = values as ArrayLike<number>;
        if (arr.length !== names.length) throw new RangeError(`live plot "${title}": got ${arr.length} values for ${names.length} series`);
        for (let i = 0; i < names.length; i++) {
          xs[i].push(step);
          ys[i].push(arr[i]);
        }
      } else {
        const rec = values as Record<string, number>;
        for (const k of Object.keys(rec)) {
          const i = names.indexOf(k);
          if (i < 0) throw new RangeError(`live plot "${title}" has no series ${JSON.stringify(k)} (has ${names.join(', ')})`);
          xs[i].push(step);
          ys[i].push(rec[k]);
        }
      }
      pushes++;
      dirty = true;
      if (Date.now() - lastDraw >= throttleMs) draw();
    },
    close() {
      if (closed) return;
      closed = true;
      if (provider) {
        if (dirty || !display) draw();
        return;
      }
      const last = names
        .map((n, i) => (ys[i].length ? `${n}=${formatLast(ys[i][ys[i].length - 1])}` : null))
        .filter((s): s is string => s !== null);
      textFallback(`[live plot] "${title}": ${pushes} updates${last.length ? `; last ${last.join(' ')}` : ''}`);
    },
    figure() {
      return build(Infinity);
    },
    get pushes() {
      return pushes;
    },
  };
}

function formatLast(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6 ? v.toPrecision(4) : v.toExponential(3);
}
