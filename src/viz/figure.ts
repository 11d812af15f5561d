/**
 * Plotly figure specs and one-line builders with a clean, publication-like default look.
 *
 * A `Figure` is plain data (`{data, layout, config}`), exactly what `Plotly.newPlot` takes, so any
 * Plotly attribute can be added by hand; the builders only fill in sensible defaults:
 *
 *   viz.showFigure(viz.lineFigure({ train: trainLoss, val: valLoss }, { title: 'Loss', xLabel: 'step' }))
 *   viz.showFigure(viz.barFigure(['A', 'B'], [{ name: 'acc', values: [0.8, 0.7], errors: [0.02, 0.03] }]))
 *
 * Typed arrays (e.g. from `tensor.dataSync()`) are accepted wherever numbers are; they are
 * serialised as plain arrays when the figure is turned into HTML.
 */

/** One Plotly trace (`{type: 'scatter', x, y, ...}`); deliberately untyped beyond `type`/`name`. */
export type PlotlyTrace = { type?: string; name?: string } & Record<string, unknown>;
export type PlotlyLayout = Record<string, unknown>;
export type PlotlyConfig = Record<string, unknown>;

export interface Figure {
  data: PlotlyTrace[];
  layout?: PlotlyLayout;
  config?: PlotlyConfig;
}

/** Numbers as a plain array or any typed array. */
export type NumberLike = ArrayLike<number>;
/** Axis values: numbers or category labels. */
export type AxisValues = ArrayLike<number> | ArrayLike<string>;

/**
 * Okabe–Ito colour-blind-safe palette (Okabe & Ito 2008), ordered for contrast on white;
 * used as the layout `colorway`, so trace N gets PALETTE[N % PALETTE.length].
 */
export const PALETTE: readonly string[] = Object.freeze([
  '#0072B2', // blue
  '#E69F00', // orange
  '#009E73', // bluish green
  '#D55E00', // vermillion
  '#CC79A7', // reddish purple
  '#56B4E9', // sky blue
  '#000000', // black
  '#F0E442', // yellow (last: weak on white)
]);

/** Sequential colour scale for heatmaps (perceptually uniform, colour-blind safe). */
export const HEATMAP_COLORSCALE = 'Viridis';

export const FONT_FAMILY = '"Helvetica Neue", Helvetica, Arial, "DejaVu Sans", sans-serif';

/** Options every builder takes. */
export interface FigureOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Pixel size; by default the width follows the notebook cell and the height is 420. */
  width?: number;
  height?: number;
  showLegend?: boolean;
  logX?: boolean;
  logY?: boolean;
  /** Extra layout, deep-merged over the defaults (arrays replace, objects merge). */
  layout?: PlotlyLayout;
  /** Extra Plotly config, merged over the defaults. */
  config?: PlotlyConfig;
}

export const DEFAULT_HEIGHT = 420;

function axis(label: string | undefined, log: boolean | undefined): Record<string, unknown> {
  const a: Record<string, unknown> = {
    showline: true,
    linecolor: '#444',
    linewidth: 1,
    ticks: 'outside',
    tickcolor: '#444',
    ticklen: 4,
    showgrid: true,
    gridcolor: '#ececec',
    zeroline: false,
    automargin: true,
    title: { text: label ?? '', standoff: 8 },
  };
  if (log) a.type = 'log';
  return a;
}

/** The default ("template") layout: white background, readable fonts, the palette, light grid. */
export function baseLayout(opts: FigureOptions = {}): PlotlyLayout {
  const layout: PlotlyLayout = {
    paper_bgcolor: '#ffffff',
    plot_bgcolor: '#ffffff',
    colorway: [...PALETTE],
    font: { family: FONT_FAMILY, size: 13, color: '#222222' },
    title: { text: opts.title ?? '', x: 0.02, xanchor: 'left', font: { size: 16 } },
    margin: { l: 64, r: 24, t: opts.title ? 52 : 24, b: 56 },
    xaxis: axis(opts.xLabel, opts.logX),
    yaxis: axis(opts.yLabel, opts.logY),
    legend: { bgcolor: 'rgba(255,255,255,0.8)', bordercolor: '#dddddd', borderwidth: 1 },
    hoverlabel: { font: { family: FONT_FAMILY } },
    height: opts.height ?? DEFAULT_HEIGHT,
  };
  if (opts.width !== undefined) layout.width = opts.width;
  if (opts.showLegend !== undefined) layout.showlegend = opts.showLegend;
  return opts.layout ? mergeDeep(layout, opts.layout) : layout;
}

/** Default Plotly config: responsive, no logo, the camera button saves an SVG. */
export function baseConfig(extra?: PlotlyConfig): PlotlyConfig {
  const config: PlotlyConfig = {
    responsive: true,
    displaylogo: false,
    toImageButtonOptions: { format: 'svg', scale: 1 },
  };
  return extra ? mergeDeep(config, extra) : config;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Deep merge of plain objects (returns a new object; arrays and other values from `over` replace). */
export function mergeDeep<T extends Record<string, unknown>>(base: T, over: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? mergeDeep(b, v) : v;
  }
  return out as T;
}

/** Return a copy of `fig` with `layout` deep-merged over its layout. */
export function withLayout(fig: Figure, layout: PlotlyLayout): Figure {
  return { ...fig, layout: mergeDeep(fig.layout ?? {}, layout) };
}

function make(data: PlotlyTrace[], opts: FigureOptions, layoutExtra?: PlotlyLayout): Figure {
  let layout = baseLayout(opts);
  // builder-specific defaults go under the user's own overrides
  if (layoutExtra) layout = mergeDeep(mergeDeep(layout, layoutExtra), opts.layout ?? {});
  return { data, layout, config: baseConfig(opts.config) };
}

function toArray<T>(a: ArrayLike<T>): T[] {
  return Array.from(a);
}

function cleanNumbers(a: NumberLike): (number | null)[] {
  // NaN/±Infinity would become gaps anyway in JSON; make it explicit
  return Array.from(a, (v) => (Number.isFinite(v) ? v : null));
}

function checkLength(what: string, a: ArrayLike<unknown>, n: number): void {
  if (a.length !== n) throw new RangeError(`${what} has ${a.length} values, expected ${n}`);
}

// ---------------------------------------------------------------------------------------------
// line

export interface LineSeries {
  name?: string;
  /** Defaults to 0..n-1. */
  x?: AxisValues;
  y: NumberLike;
  /** Plotly dash style: 'solid' | 'dash' | 'dot' | 'dashdot'. */
  dash?: string;
  /** Show point markers as well as the line. */
  markers?: boolean;
  /** Symmetric error band (±band[i]) drawn as a translucent fill around the line. */
  band?: NumberLike;
}

export interface LineOptions extends FigureOptions {
  /** Show point markers on every series. */
  markers?: boolean;
}

/** Series given either as a list, or as `{name: yValues}`. */
export type LineInput = LineSeries[] | LineSeries | Record<string, NumberLike>;

function isLineSeries(v: unknown): v is LineSeries {
  return isPlainObject(v) && 'y' in v && typeof (v as { y: unknown }).y === 'object' && !('length' in v);
}

function normalizeLines(input: LineInput): LineSeries[] {
  if (Array.isArray(input)) return input;
  if (isLineSeries(input)) return [input];
  return Object.entries(input as Record<string, NumberLike>).map(([name, y]) => ({ name, y }));
}

function hexToRgba(hex: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return hex;
  return `rgba(${parseInt(m[1], 16)},${parseInt(m[2], 16)},${parseInt(m[3], 16)},${alpha})`;
}

/** Line chart: `lineFigure({train: loss, val: valLoss}, {title: 'Loss', xLabel: 'step', logY: true})`. */
export function lineFigure(series: LineInput, opts: LineOptions = {}): Figure {
  const list = normalizeLines(series);
  const data: PlotlyTrace[] = [];
  list.forEach((s, i) => {
    const n = s.y.length;
    const x = s.x ? toArray<number | string>(s.x) : Array.from({ length: n }, (_, j) => j);
    checkLength(`series ${s.name ?? i} x`, x, n);
    const color = PALETTE[i % PALETTE.length];
    const y = cleanNumbers(s.y);
    if (s.band) {
      checkLength(`series ${s.name ?? i} band`, s.band, n);
      const band = cleanNumbers(s.band);
      const upper = y.map((v, j) => (v === null || band[j] === null ? null : v + (band[j] as number)));
      const lower = y.map((v, j) => (v === null || band[j] === null ? null : v - (band[j] as number)));
      data.push({ type: 'scatter', mode: 'lines', x, y: lower, line: { width: 0 }, hoverinfo: 'skip', showlegend: false, legendgroup: `g${i}` });
      data.push({
        type: 'scatter', mode: 'lines', x, y: upper, line: { width: 0 }, fill: 'tonexty',
        fillcolor: hexToRgba(color, 0.2), hoverinfo: 'skip', showlegend: false, legendgroup: `g${i}`,
      });
    }
    const markers = s.markers ?? opts.markers ?? false;
    data.push({
      type: 'scatter',
      mode: markers ? 'lines+markers' : 'lines',
      name: s.name ?? `series ${i}`,
      x,
      y,
      line: { color, width: 2, dash: s.dash ?? 'solid' },
      marker: { color, size: 6 },
      legendgroup: `g${i}`,
    });
  });
  const showLegend = opts.showLegend ?? list.length > 1;
  return make(data, { ...opts, showLegend });
}

// ---------------------------------------------------------------------------------------------
// bar

export interface BarSeries {
  name?: string;
  values: NumberLike;
  /** Error bars (e.g. std), one per category: symmetric, or the upper side when `errorsMinus` is given. */
  errors?: NumberLike;
  /** The lower side of asymmetric error bars (e.g. a bootstrap interval: mean - lo, with errors = hi - mean). */
  errorsMinus?: NumberLike;
}

export interface BarOptions extends FigureOptions {
  /** Error bars for the single-series form `barFigure(categories, values, {errors})`. */
  errors?: NumberLike;
  /** Horizontal bars (categories on the y axis). */
  horizontal?: boolean;
  /** 'group' (side by side, default) or 'stack'. */
  barmode?: 'group' | 'stack' | 'overlay' | 'relative';
  /** Print each bar's value on it, with this many decimals. */
  valueDigits?: number;
}

export type BarInput = NumberLike | BarSeries[] | Record<string, NumberLike>;

/**
 * Bar chart over categories, optionally with error bars:
 *   barFigure(['a','b'], [0.3, 0.5], {errors: [0.01, 0.02]})
 *   barFigure(['a','b'], {baseline: [..], ours: [..]})
 *   barFigure(['a','b'], [{name: 'ours', values: [..], errors: [..]}])
 */
export function barFigure(categories: AxisValues, values: BarInput, opts: BarOptions = {}): Figure {
  const cats = toArray<number | string>(categories);
  let list: BarSeries[];
  if (Array.isArray(values) && values.length > 0 && isPlainObject(values[0])) list = values as BarSeries[];
  else if (Array.isArray(values) || ArrayBuffer.isView(values)) list = [{ values: values as NumberLike, errors: opts.errors }];
  else list = Object.entries(values as Record<string, NumberLike>).map(([name, v]) => ({ name, values: v }));
  if (opts.errors && list.length !== 1) throw new RangeError('opts.errors is for a single series; give each BarSeries its own errors');
  const horizontal = opts.horizontal ?? false;
  const data: PlotlyTrace[] = list.map((s, i) => {
    checkLength(`bar series ${s.name ?? i}`, s.values, cats.length);
    const vals = cleanNumbers(s.values);
    const color = PALETTE[i % PALETTE.length];
    const t: PlotlyTrace = {
      type: 'bar',
      name: s.name ?? `series ${i}`,
      orientation: horizontal ? 'h' : 'v',
      [horizontal ? 'y' : 'x']: cats,
      [horizontal ? 'x' : 'y']: vals,
      marker: { color, line: { width: 0 } },
    };
    if (s.errors) {
      checkLength(`bar series ${s.name ?? i} errors`, s.errors, cats.length);
      if (s.errorsMinus) checkLength(`bar series ${s.name ?? i} errorsMinus`, s.errorsMinus, cats.length);
      const minus = s.errorsMinus ? { symmetric: false, arrayminus: cleanNumbers(s.errorsMinus) } : {};
      t[horizontal ? 'error_x' : 'error_y'] = {
        type: 'data', array: cleanNumbers(s.errors), ...minus, visible: true, color: '#333333', thickness: 1.2, width: 4,
      };
    }
    if (opts.valueDigits !== undefined) {
      const d = opts.valueDigits;
      t.text = vals.map((v) => (v === null ? '' : v.toFixed(d)));
      t.textposition = 'outside';
      t.cliponaxis = false;
    }
    return t;
  });
  const showLegend = opts.showLegend ?? list.length > 1;
  const catAxis = { showgrid: false, type: 'category' };
  return make(data, { ...opts, showLegend }, {
    barmode: opts.barmode ?? 'group',
    bargap: 0.25,
    bargroupgap: 0.05,
    [horizontal ? 'yaxis' : 'xaxis']: horizontal ? { ...catAxis, autorange: 'reversed' } : catAxis,
  });
}

// ---------------------------------------------------------------------------------------------
// histogram

export interface HistogramOptions extends FigureOptions {
  /** Approximate number of bins (Plotly `nbinsx`); default: Plotly's automatic choice. */
  bins?: number;
  /** '' (counts, default), 'percent', 'probability', 'density', 'probability density'. */
  normalize?: '' | 'percent' | 'probability' | 'density' | 'probability density';
  /** Several series: 'overlay' (default, translucent) or 'stack' / 'group'. */
  barmode?: 'overlay' | 'stack' | 'group';
}

/** Histogram of one sample or several named samples: `histogramFigure({real: a, fake: b}, {bins: 40})`. */
export function histogramFigure(values: NumberLike | Record<string, NumberLike>, opts: HistogramOptions = {}): Figure {
  const named: [string | undefined, NumberLike][] =
    Array.isArray(values) || ArrayBuffer.isView(values) ? [[undefined, values as NumberLike]] : Object.entries(values as Record<string, NumberLike>);
  const many = named.length > 1;
  const data: PlotlyTrace[] = named.map(([name, v], i) => {
    const t: PlotlyTrace = {
      type: 'histogram',
      name: name ?? 'values',
      x: Array.from(v).filter((n) => Number.isFinite(n)),
      marker: { color: PALETTE[i % PALETTE.length], line: { color: '#ffffff', width: 0.5 } },
      opacity: many && (opts.barmode ?? 'overlay') === 'overlay' ? 0.6 : 1,
    };
    if (opts.bins !== undefined) t.nbinsx = opts.bins;
    if (opts.normalize) t.histnorm = opts.normalize;
    return t;
  });
  const yLabel = opts.yLabel ?? (opts.normalize ? opts.normalize : 'count');
  return make(data, { ...opts, yLabel, showLegend: opts.showLegend ?? many }, { barmode: opts.barmode ?? 'overlay', bargap: 0.02 });
}

// ---------------------------------------------------------------------------------------------
// heatmap

export interface HeatmapOptions extends FigureOptions {
  /** Column labels (x) and row labels (y). */
  x?: AxisValues;
  y?: AxisValues;
  /** Plotly colorscale name or [[0,'#fff'],[1,'#000']]; default Viridis. */
  colorscale?: string | [number, string][];
  zmin?: number;
  zmax?: number;
  /** Write each cell's value in it (confusion matrices), with `digits` decimals (default 2). */
  showValues?: boolean;
  digits?: number;
  /** Row 0 at the top like a matrix (default) or at the bottom like a plot. */
  origin?: 'top' | 'bottom';
  /** Colour-bar title. */
  zLabel?: string;
}

/** Heatmap of a matrix (rows of numbers), e.g. a confusion or attention matrix. */
export function heatmapFigure(z: ArrayLike<NumberLike>, opts: HeatmapOptions = {}): Figure {
  const rows = Array.from(z, (r) => cleanNumbers(r));
  const nCols = rows.reduce((m, r) => Math.max(m, r.length), 0);
  const t: PlotlyTrace = {
    type: 'heatmap',
    z: rows,
    colorscale: opts.colorscale ?? HEATMAP_COLORSCALE,
    colorbar: { title: { text: opts.zLabel ?? '' }, outlinewidth: 0, thickness: 14 },
    hoverongaps: false,
  };
  if (opts.x) {
    checkLength('heatmap x labels', opts.x, nCols);
    t.x = toArray<number | string>(opts.x);
  }
  if (opts.y) {
    checkLength('heatmap y labels', opts.y, rows.length);
    t.y = toArray<number | string>(opts.y);
  }
  if (opts.zmin !== undefined) t.zmin = opts.zmin;
  if (opts.zmax !== undefined) t.zmax = opts.zmax;
  if (opts.showValues) {
    const d = opts.digits ?? 2;
    t.text = rows.map((r) => r.map((v) => (v === null ? '' : Number.isInteger(v) ? String(v) : v.toFixed(d))));
    t.texttemplate = '%{text}';
    t.textfont = { size: 11 };
  }
  const gridOff = { showgrid: false, showline: false, ticks: '' };
  return make([t], opts, {
    xaxis: { ...gridOff, ...(opts.x ? { type: 'category' } : {}) },
    yaxis: { ...gridOff, autorange: (opts.origin ?? 'top') === 'top' ? 'reversed' : true, ...(opts.y ? { type: 'category' } : {}) },
  });
}

// ---------------------------------------------------------------------------------------------
// scatter

export interface ScatterSeries {
  name?: string;
  x: AxisValues;
  y: NumberLike;
  /** Hover text per point. */
  text?: ArrayLike<string>;
  /** Marker size per point, or one size. */
  size?: number | NumberLike;
}

export interface ScatterOptions extends FigureOptions {
  /** Marker size (default 7). */
  markerSize?: number;
  /** Draw the y = x diagonal (for predicted-vs-true plots). */
  diagonal?: boolean;
}

/** Scatter plot of one or several point sets. */
export function scatterFigure(series: ScatterSeries | ScatterSeries[], opts: ScatterOptions = {}): Figure {
  const list = Array.isArray(series) ? series : [series];
  const data: PlotlyTrace[] = list.map((s, i) => {
    checkLength(`scatter series ${s.name ?? i} x`, s.x, s.y.length);
    const size = s.size === undefined ? opts.markerSize ?? 7 : typeof s.size === 'number' ? s.size : cleanNumbers(s.size);
    const t: PlotlyTrace = {
      type: 'scatter',
      mode: 'markers',
      name: s.name ?? `series ${i}`,
      x: toArray<number | string>(s.x),
      y: cleanNumbers(s.y),
      marker: { color: PALETTE[i % PALETTE.length], size, opacity: 0.85, line: { color: '#ffffff', width: 0.5 } },
    };
    if (s.text) {
      checkLength(`scatter series ${s.name ?? i} text`, s.text, s.y.length);
      t.text = toArray(s.text);
    }
    return t;
  });
  const layoutExtra: PlotlyLayout = {};
  if (opts.diagonal) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of list) {
      for (const arr of [s.x, s.y] as ArrayLike<unknown>[]) {
        for (let j = 0; j < arr.length; j++) {
          const v = arr[j];
          if (typeof v === 'number' && Number.isFinite(v)) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
          }
        }
      }
    }
    if (lo <= hi) {
      layoutExtra.shapes = [{
        type: 'line', xref: 'x', yref: 'y', x0: lo, y0: lo, x1: hi, y1: hi, layer: 'below',
        line: { color: '#888888', width: 1, dash: 'dash' },
      }];
    }
  }
  return make(data, { ...opts, showLegend: opts.showLegend ?? list.length > 1 }, layoutExtra);
}

/** A short human description ("line figure 'Loss', 2 traces") for text fallbacks. */
export function describeFigure(fig: Figure): string {
  const layout = fig.layout ?? {};
  const title = layout.title;
  const text = typeof title === 'string' ? title : isPlainObject(title) && typeof title.text === 'string' ? title.text : '';
  const kind = (t: PlotlyTrace): string => {
    const type = t.type ?? 'scatter';
    return type === 'scatter' && typeof t.mode === 'string' && t.mode.includes('lines') ? 'line' : type;
  };
  const types = [...new Set(fig.data.filter((t) => t.showlegend !== false).map(kind))].join('/') || 'empty';
  const visible = fig.data.filter((t) => t.showlegend !== false).length;
  return `${types} figure${text ? ` "${text}"` : ''}, ${visible} trace${visible === 1 ? '' : 's'}`;
}
