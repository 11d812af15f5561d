/**
 * Tables: `showTable(rows, {caption, digits})` renders an array of row objects (or a danfo.js
 * DataFrame/Series) as an escaped HTML table in the notebook and returns the HTML;
 * `toDataFrame(rows)` makes a danfo DataFrame (loading danfojs-node only then).
 */
import type { DataFrame, Series } from 'danfojs-node';
import { escapeHtml } from './plotly-html';
import { displayProvider, textFallback } from './show';
import { FONT_FAMILY } from './figure';

export type Row = Record<string, unknown>;

/** What `showTable` accepts: row objects, or anything shaped like a danfo DataFrame/Series. */
// `object` rather than Row so that interfaces (which have no index signature) are accepted as rows
export type TableInput = readonly object[] | DataFrame | Series | DataFrameLike;

/** The duck type used to recognise danfo frames without loading danfo. */
export interface DataFrameLike {
  columns: string[];
  values: unknown[];
  index?: unknown[];
}

export interface TableOptions {
  caption?: string;
  /** Decimals for non-integer numbers (default 4); tiny/huge values switch to exponent form. */
  digits?: number;
  /** Show at most this many rows (default 100), then a "… N more rows" line. */
  maxRows?: number;
  /** Which columns, in which order (default: all, in order of first appearance). */
  columns?: string[];
  /** Show the row index as a first column (default: for DataFrames with a non-default index). */
  index?: boolean;
}

function isDataFrameLike(x: unknown): x is DataFrameLike {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return false;
  const o = x as Record<string, unknown>;
  return Array.isArray(o.columns) && Array.isArray(o.values);
}

interface Tabular {
  columns: string[];
  rows: unknown[][];
  index: unknown[] | null;
  showIndexByDefault: boolean;
}

function tabulate(data: TableInput): Tabular {
  if (Array.isArray(data)) {
    const rows = data as readonly Row[];
    const cols: string[] = [];
    const seen = new Set<string>();
    for (const r of rows) {
      if (r === null || typeof r !== 'object') throw new TypeError('showTable rows must be objects ({column: value})');
      for (const k of Object.keys(r)) {
        if (!seen.has(k)) {
          seen.add(k);
          cols.push(k);
        }
      }
    }
    return { columns: cols, rows: rows.map((r) => cols.map((c) => r[c])), index: null, showIndexByDefault: false };
  }
  if (isDataFrameLike(data)) {
    const isSeries = (data as unknown as { $isSeries?: boolean }).$isSeries === true;
    const values = data.values;
    const rows = isSeries ? values.map((v) => [v]) : values.map((r) => (Array.isArray(r) ? r : [r]));
    const columns = isSeries ? [String(data.columns[0] ?? 'value')] : data.columns.map(String);
    const index = Array.isArray(data.index) ? data.index : null;
    const defaultIndex = index === null || index.every((v, i) => v === i);
    return { columns, rows, index, showIndexByDefault: !defaultIndex };
  }
  throw new TypeError('showTable expects an array of row objects or a danfo DataFrame/Series');
}

/** Format one cell as text; `numeric` cells are right-aligned. */
export function formatCell(v: unknown, digits = 4): { text: string; numeric: boolean } {
  if (v === null || v === undefined) return { text: '', numeric: false };
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return { text: 'NaN', numeric: true };
    if (!Number.isFinite(v)) return { text: v > 0 ? '∞' : '-∞', numeric: true };
    if (Number.isInteger(v) && Math.abs(v) < 1e15) return { text: String(v), numeric: true };
    const a = Math.abs(v);
    const fixed = a >= 10 ** -digits && a < 1e9;
    return { text: fixed ? v.toFixed(digits) : v.toExponential(Math.max(1, digits - 1)), numeric: true };
  }
  if (typeof v === 'bigint') return { text: v.toString(), numeric: true };
  if (typeof v === 'boolean') return { text: String(v), numeric: false };
  if (typeof v === 'string') return { text: v, numeric: false };
  if (v instanceof Date) return { text: Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString(), numeric: false };
  if (ArrayBuffer.isView(v)) {
    const name = v.constructor?.name ?? 'TypedArray';
    return { text: `${name}(${(v as unknown as ArrayLike<unknown>).length ?? v.byteLength})`, numeric: false };
  }
  if (Array.isArray(v)) {
    const parts = v.slice(0, 8).map((x) => formatCell(x, digits).text);
    return { text: `[${parts.join(', ')}${v.length > 8 ? `, … (${v.length})` : ''}]`, numeric: false };
  }
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return { text: s.length > 80 ? `${s.slice(0, 79)}…` : s, numeric: false };
}

const TH = 'padding:4px 10px;border-bottom:1px solid #444;font-weight:600;background:#fff;';
const TD = 'padding:3px 10px;border:none;';

/** The HTML of a table (everything escaped); what `showTable` displays. */
export function tableHtml(data: TableInput, opts: TableOptions = {}): string {
  const digits = opts.digits ?? 4;
  const maxRows = Math.max(0, opts.maxRows ?? 100);
  const t = tabulate(data);
  let colIdx = t.columns.map((_, i) => i);
  let colNames = t.columns;
  if (opts.columns) {
    const missing = opts.columns.filter((c) => !t.columns.includes(c));
    if (missing.length) throw new RangeError(`showTable: no column(s) ${missing.map((c) => JSON.stringify(c)).join(', ')}`);
    colIdx = opts.columns.map((c) => t.columns.indexOf(c));
    colNames = opts.columns;
  }
  const withIndex = (opts.index ?? t.showIndexByDefault) && t.index !== null;
  const shown = t.rows.slice(0, maxRows);
  const cells = shown.map((r) => colIdx.map((i) => formatCell(r[i], digits)));
  // a column is right-aligned when all its non-empty cells are numeric
  const numericCol = colIdx.map((_, j) => cells.every((r) => r[j].text === '' || r[j].numeric) && cells.some((r) => r[j].numeric));
  const align = (j: number) => (numericCol[j] ? 'right' : 'left');
  const out: string[] = [];
  out.push(
    `<table class="cmrp-table" style="border-collapse:collapse;border-top:1.5px solid #222;border-bottom:1.5px solid #222;` +
      `font-family:${escapeHtml(FONT_FAMILY)};font-size:13px;color:#222;margin:4px 0;">`,
  );
  if (opts.caption !== undefined) {
    out.push(`<caption style="caption-side:top;text-align:left;font-weight:600;padding:4px 0;color:#222;">${escapeHtml(opts.caption)}</caption>`);
  }
  out.push('<thead><tr>');
  if (withIndex) out.push(`<th style="${TH}text-align:left;"></th>`);
  colNames.forEach((c, j) => out.push(`<th style="${TH}text-align:${align(j)};">${escapeHtml(c)}</th>`));
  out.push('</tr></thead><tbody>');
  cells.forEach((r, i) => {
    const bg = i % 2 === 1 ? 'background:#f7f7f7;' : 'background:#fff;';
    out.push(`<tr style="${bg}">`);
    if (withIndex) out.push(`<th style="${TD}text-align:left;font-weight:600;">${escapeHtml(formatCell(t.index![i], digits).text)}</th>`);
    r.forEach((c, j) => {
      const style = `${TD}text-align:${align(j)};${numericCol[j] ? 'font-variant-numeric:tabular-nums;' : ''}`;
      out.push(`<td style="${style}">${escapeHtml(c.text)}</td>`);
    });
    out.push('</tr>');
  });
  if (t.rows.length > shown.length) {
    const span = colNames.length + (withIndex ? 1 : 0);
    out.push(
      `<tr><td colspan="${span}" style="${TD}text-align:left;color:#777;font-style:italic;">` +
        `… ${t.rows.length - shown.length} more rows (${t.rows.length} in all)</td></tr>`,
    );
  }
  out.push('</tbody></table>');
  return out.join('');
}

/**
 * Show a table in the notebook and return its HTML (outside a notebook: prints a one-line summary).
 *   viz.showTable([{model: 'ours', acc: 0.812}, {model: 'base', acc: 0.75}], {caption: 'Table 2', digits: 3})
 */
/** Display a table in the notebook (returns nothing, so a last-line call prints no HTML string; `tableHtml` gives the HTML). */
export function showTable(data: TableInput, opts: TableOptions = {}): void {
  const html = tableHtml(data, opts);
  const p = displayProvider();
  if (p) p.display.html(html);
  else {
    const t = tabulate(data);
    const cols = opts.columns?.length ?? t.columns.length;
    textFallback(`[table]${opts.caption ? ` ${opts.caption}:` : ''} ${t.rows.length} rows × ${cols} columns (not in a notebook)`);
  }
}

/**
 * A danfo.js DataFrame from row objects. danfojs-node is loaded here, on first use, after
 * @tensorflow/tfjs-core: danfo brings an old pure-JS tfjs, and tfjs keeps one global engine,
 * which must be the one our tfjs-core creates.
 */
export function toDataFrame(rows: readonly object[]): DataFrame {
  if (!Array.isArray(rows) || rows.length === 0) throw new RangeError('toDataFrame needs a non-empty array of row objects');
  const danfo = loadDanfo();
  return new danfo.DataFrame(rows as Row[]);
}

type DanfoModule = typeof import('danfojs-node');

/** The danfojs-node module (DataFrame, Series, merge, concat, ...), loaded on first use as `toDataFrame` loads it. */
export function danfo(): DanfoModule {
  return loadDanfo();
}

let danfoModule: DanfoModule | null = null;

/** Console warnings danfo's bundled tfjs 3 prints while loading on top of our tfjs (all harmless here). */
const DANFO_LOAD_NOISE = [
  /^Platform \w+ has already been set\. Overwriting the platform/,
  /^The kernel '[^']*' for backend '[^']*' is already registered/,
  /^\w+ backend was already registered\. Reusing existing backend factory/,
];

/**
 * Load danfojs-node without letting its tfjs 3.21 take over ours. tfjs keeps its engine and its
 * kernel/gradient registries in process globals shared by every tfjs copy, so loading danfo:
 *  - would create the engine if ours had not (hence tfjs-core first),
 *  - would install its own CPU backend factory if none is registered (hence ours first),
 *  - silently re-registers ~170 CPU kernels (and gradients) over ours — so every kernel and
 *    gradient that existed before is put back afterwards. Kernels danfo adds that we lacked stay.
 */
function loadDanfo(): DanfoModule {
  if (danfoModule) return danfoModule;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const tf = require('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-cpu'); // registers our CPU backend + kernels; does not switch backends
  const backends = Object.keys(tf.engine().registryFactory);
  const kernels = backends.flatMap((b) => tf.getKernelsForBackend(b));
  const gradients = [...new Set(kernels.map((k) => k.kernelName))]
    .map((name) => tf.getGradient(name))
    .filter((g): g is NonNullable<typeof g> => g !== undefined);
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && DANFO_LOAD_NOISE.some((re) => re.test(args[0] as string))) return;
    warn.apply(console, args);
  };
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    danfoModule = require('danfojs-node') as DanfoModule;
  } finally {
    console.warn = warn;
  }
  for (const k of kernels) {
    if (tf.getKernel(k.kernelName, k.backendName) !== k) {
      tf.unregisterKernel(k.kernelName, k.backendName);
      tf.registerKernel(k);
    }
  }
  for (const g of gradients) {
    if (tf.getGradient(g.kernelName) !== g) {
      tf.unregisterGradient(g.kernelName);
      tf.registerGradient(g);
    }
  }
  return danfoModule;
}
