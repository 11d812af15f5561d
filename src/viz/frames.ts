/**
 * Experiment results as danfo.js DataFrames, and the notebooks' tables made from them by danfo
 * operations (groupby/agg, query, merge) instead of hand-written loops:
 *
 *   resultsFrame(r)                 one row per cell: method, character, seed, one column per metric (null -> NaN)
 *   metricsFrame(r)                 one row per cell and metric that has a number: method, character, seed, metric, value
 *   summaryFrame(r)                 mean, sample std (n-1, NaN for n < 2) and n per method and metric (groupby + agg)
 *   pairedDeltaFrame(r, pairs)      method - reference per metric, paired by character and seed (merge + groupby)
 *   pivotFrame(df, row, col, val)   a long frame turned wide (one query + one merge per column value)
 *   meanStdTable(r)                 the "mean ± std" table by method x metric (summaryFrame, then pivotFrame)
 *   sideBySideFrame(sides)          means by metric x "<side> <method>" over several runs (summaryFrame each, concat, pivotFrame)
 *   frameBarsFigure(df, category)   grouped bars of a wide frame: one group per row, one bar per numeric column
 *
 * The numbers equal results.ts's `aggregate` and `pairedDeltas` (test/viz-frames.test.ts).
 * danfojs-node is loaded on first use (table.ts `danfo()`).
 */
import type { DataFrame } from 'danfojs-node';
import type { CellResult, ExperimentResults } from '../eval/experiments/results';
import { METRIC_KEYS } from '../eval/suite/report';
import { barFigure, type BarOptions, type Figure } from './figure';
import { danfo, toDataFrame } from './table';

/** What the frames need of a run: its cells (and, optionally, its methods' order). */
export type ResultsLike = { cells: readonly Pick<CellResult, 'character' | 'method' | 'seed' | 'metrics'>[]; methods?: readonly string[] };

/** A column's values (`df.column`: `df['mean']` would be the method `mean`). */
const col = (df: DataFrame, name: string): any[] => df.column(name).values as any[]; // eslint-disable-line @typescript-eslint/no-explicit-any

/** `df` with column `name` set to `values` (a new frame; danfo's addColumn replaces an existing column only in place). */
function withColumn(df: DataFrame, name: string, values: unknown[]): DataFrame {
  if (!df.columns.includes(name)) return df.addColumn(name, values as never, { inplace: false });
  const copy = df.copy();
  copy.addColumn(name, values as never, { inplace: true });
  return copy;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);

/** One row per cell: method, character, seed and one column per metric of `keys` (null or missing -> NaN). */
export function resultsFrame(r: ResultsLike, keys: readonly string[] = METRIC_KEYS): DataFrame {
  if (!r.cells.length) throw new RangeError('resultsFrame: the results have no cells');
  return toDataFrame(r.cells.map((c) => ({
    method: c.method, character: c.character, seed: c.seed,
    ...Object.fromEntries(keys.map((k) => [k, num((c.metrics as Record<string, unknown>)[k])])),
  })));
}

/** One row per cell and metric with a finite value (long form: danfo's groupby skips nothing, so the nulls go here). */
export function metricsFrame(r: ResultsLike, keys: readonly string[] = METRIC_KEYS): DataFrame {
  const rows = r.cells.flatMap((c) => keys
    .map((k) => ({ method: c.method, character: c.character, seed: c.seed, metric: k, value: num((c.metrics as Record<string, unknown>)[k]) }))
    .filter((x) => Number.isFinite(x.value)));
  if (!rows.length) throw new RangeError(`metricsFrame: no cell has a number for ${keys.join(', ')}`);
  return toDataFrame(rows);
}

/**
 * Rows of `df` whose columns take the listed values, sorted by them: `orderBy(df, [['method', methods], ['metric', keys]])`
 * keeps the rows whose method is among `methods` and metric among `keys`, methods first, then metrics
 * (one `query` and one `sortValues` on a rank column).
 */
export function orderBy(df: DataFrame, by: readonly (readonly [string, readonly string[]])[]): DataFrame {
  const ranks = by.map(([col, values]) => [col, new Map(values.map((v, i) => [v, i]))] as const);
  const rowsOf = (d: DataFrame, c: string) => col(d, c).map(String);
  const keep = df.shape[0] === 0 ? [] : ranks.map(([col, rank]) => rowsOf(df, col).map((v) => rank.has(v))).reduce((a, b) => a.map((x, i) => x && b[i]));
  if (!keep.some(Boolean)) return df.shape[0] === 0 ? df : df.query(keep.map(() => false)).resetIndex();
  const kept = df.query(keep).resetIndex();
  let order: number[] = Array(kept.shape[0]).fill(0);
  for (const [col, rank] of ranks) order = rowsOf(kept, col).map((v, i) => order[i] * (rank.size + 1) + rank.get(v)!);
  return withColumn(kept, '__order', order).sortValues('__order', { ascending: true }).drop({ columns: ['__order'] }).resetIndex();
}

/** std of n = 1 is no spread: NaN (as `aggregate`'s null), not danfo's 0. */
function finishStats(df: DataFrame, prefix: string, group: string[]): DataFrame {
  const n = col(df, `${prefix}_count`);
  const std = col(df, `${prefix}_std`).map((s, i) => (n[i] > 1 ? s : NaN));
  const out = withColumn(df, `${prefix}_std`, std).rename({ [`${prefix}_mean`]: 'mean', [`${prefix}_std`]: 'std', [`${prefix}_count`]: 'n' });
  return out.loc({ columns: [...group, 'mean', 'std', 'n'] });
}

/**
 * Mean, sample std and n per method and metric over the cells that have the metric:
 * `metricsFrame(r).groupby(['method', 'metric']).agg({value: ['mean', 'std', 'count']})`.
 * Rows follow `methods` (default the run's order) and then `keys`.
 */
export function summaryFrame(r: ResultsLike, keys: readonly string[] = METRIC_KEYS, methods: readonly string[] = r.methods ?? [...new Set(r.cells.map((c) => c.method))]): DataFrame {
  const long = metricsFrame(r, keys);
  const g = long.groupby(['method', 'metric']).agg({ value: ['mean', 'std', 'count'] });
  const stats = finishStats(g, 'value', ['method', 'metric']);
  return orderBy(stats, [['method', methods], ['metric', keys]]);
}

/**
 * Long to wide: one row per value of `row`, one column per value of `column` holding `value`
 * (each column one `query`, joined by an outer `merge` on `row`). `rows`/`columns` fix the order
 * (and which appear); absent combinations are NaN.
 */
export function pivotFrame(df: DataFrame, row: string, column: string, value: string, order: { rows?: readonly string[]; columns?: readonly string[] } = {}): DataFrame {
  const dfd = danfo();
  const colValues = order.columns ?? [...new Set(col(df, column).map(String))];
  const rowValues = order.rows ?? [...new Set(col(df, row).map(String))];
  let wide: DataFrame = toDataFrame(rowValues.map((v) => ({ [row]: v })));
  for (const c of colValues) {
    const part = orderBy(df, [[column, [c]]]);
    if (part.shape[0] === 0) {
      wide = withColumn(wide, c, rowValues.map(() => NaN));
      continue;
    }
    const renamed = part.loc({ columns: [row, value] }).rename({ [value]: c });
    wide = dfd.merge({ left: wide, right: renamed, on: [row], how: 'left' });
  }
  const out = orderBy(wide, [[row, rowValues]]);
  // a left merge leaves null where a row has no value: NaN, like every other missing number here
  for (const c of colValues) out.addColumn(c, col(out, c).map((v) => (v === null || v === undefined ? NaN : v)), { inplace: true });
  return out;
}

/** "mean ± std (n)" strings by method x metric: `summaryFrame`, a label column, `pivotFrame`. */
export function meanStdTable(r: ResultsLike, keys: readonly string[] = METRIC_KEYS, opts: { methods?: readonly string[]; digits?: number } = {}): DataFrame {
  const methods = opts.methods ?? r.methods ?? [...new Set(r.cells.map((c) => c.method))];
  const s = summaryFrame(r, keys, methods);
  const d = opts.digits ?? 3;
  const mean = col(s, 'mean'), std = col(s, 'std');
  const label = mean.map((m, i) => (Number.isFinite(std[i]) ? `${m.toFixed(d)} ± ${std[i].toFixed(d)}` : m.toFixed(d)));
  const used = keys.filter((k) => col(s, 'metric').includes(k));
  const t = pivotFrame(withColumn(s, 'mean ± std', label), 'method', 'metric', 'mean ± std', { rows: methods.filter((m) => col(s, 'method').includes(m)), columns: used });
  for (const k of used) t.addColumn(k, col(t, k).map((v) => (typeof v === 'string' ? v : '–')), { inplace: true });
  return t;
}

/**
 * Per pair [method, reference] and metric: the mean, sample std and n of method - reference over
 * the characters and seeds where both have the metric (`merge` on character, seed and metric, a
 * `sub`, `groupby` + `agg`). Columns: pair, method, reference, metric, mean, std, n.
 */
export function pairedDeltaFrame(r: ResultsLike, pairs: readonly (readonly [string, string])[], keys: readonly string[] = METRIC_KEYS): DataFrame {
  const dfd = danfo();
  const long = metricsFrame(r, keys);
  const parts: DataFrame[] = [];
  for (const [m, ref] of pairs) {
    const a = orderBy(long, [['method', [m]]]), b = orderBy(long, [['method', [ref]]]);
    if (!a.shape[0] || !b.shape[0]) continue;
    const joined = dfd.merge({ left: a, right: b, on: ['character', 'seed', 'metric'], how: 'inner' });
    if (!joined.shape[0]) continue;
    const d = withColumn(joined, 'delta', joined.column('value').sub(joined.column('value_1')).values as number[]);
    const g = finishStats(d.groupby(['metric']).agg({ delta: ['mean', 'std', 'count'] }), 'delta', ['metric']);
    const n = g.shape[0];
    parts.push(withColumn(withColumn(withColumn(g, 'pair', Array(n).fill(`${m} − ${ref}`)), 'method', Array(n).fill(m)), 'reference', Array(n).fill(ref)));
  }
  if (!parts.length) throw new RangeError(`pairedDeltaFrame: no pair has cells of both sides (${pairs.map((p) => p.join(' vs ')).join('; ')})`);
  const all = parts.length === 1 ? parts[0] : (dfd.concat({ dfList: parts, axis: 0 }) as DataFrame).resetIndex();
  return orderBy(all, [['pair', pairs.map(([m, ref]) => `${m} − ${ref}`)], ['metric', keys]]).loc({ columns: ['pair', 'method', 'reference', 'metric', 'mean', 'std', 'n'] });
}

/** One run of a side-by-side table: its columns are "<label> <method>" for `methods` (default the run's) that have cells. */
export type FrameSide = { label: string; results: ResultsLike; methods?: readonly string[] };

const methodsOf = (s: FrameSide): string[] => {
  const present = new Set(s.results.cells.map((c) => c.method));
  return (s.methods ?? s.results.methods ?? [...present]).filter((m) => present.has(m));
};

/**
 * Means by metric (rows, in `keys` order) x "<label> <method>" (columns, sides then methods):
 * `summaryFrame` per side, a `heading` column (not `column`: danfo makes every column a property, shadowing
 * the method of that name), `concat`, `pivotFrame(…, 'metric', 'heading', 'mean')`.
 * A metric no cell of a method has is NaN. `complete` keeps only the metrics every side has a number
 * for (what a bar chart can compare). `note` adds a column `note.column` that says, for each metric
 * side `note.side` has no number for, why (`note.why[metric]`, else `note.otherwise`); '' elsewhere.
 */
export function sideBySideFrame(sides: readonly FrameSide[], keys: readonly string[] = METRIC_KEYS,
  opts: { complete?: boolean; note?: { side: string; column: string; why: Readonly<Record<string, string>>; otherwise: string } } = {}): DataFrame {
  const dfd = danfo();
  const used = sides.filter((s) => methodsOf(s).length);
  // summaryFrame refuses a run without a single number (danfo cannot group an empty frame): its columns stay NaN
  const sums = used.map((s) => (s.results.cells.some((c) => keys.some((k) => Number.isFinite(num((c.metrics as Record<string, unknown>)[k]))))
    ? summaryFrame(s.results, keys, methodsOf(s)) : null));
  const has = new Map(used.map((s, i) => [s.label, new Set<string>(sums[i] ? col(sums[i]!, 'metric') : [])]));
  const rows = keys.filter((k) => !opts.complete || used.every((s) => has.get(s.label)!.has(k)));
  if (!rows.length) throw new RangeError(`sideBySideFrame: no metric of ${keys.join(', ')} has a number on every side (${used.map((s) => s.label).join(', ')})`);
  const parts = used.flatMap((s, i) => (sums[i] ? [withColumn(sums[i]!, 'heading', col(sums[i]!, 'method').map((m) => `${s.label} ${m}`))] : []));
  const long = !parts.length ? toDataFrame([{ metric: '', heading: '', mean: NaN }]) // nothing to pivot: every column NaN
    : parts.length === 1 ? parts[0] : (dfd.concat({ dfList: parts, axis: 0 }) as DataFrame).resetIndex();
  const wide = pivotFrame(long, 'metric', 'heading', 'mean', { rows, columns: used.flatMap((s) => methodsOf(s).map((m) => `${s.label} ${m}`)) });
  if (!opts.note) return wide;
  const { side, column, why, otherwise } = opts.note;
  const known = has.get(side) ?? new Set<string>();
  return withColumn(wide, column, rows.map((k) => (known.has(k) ? '' : why[k] ?? otherwise)));
}

/** Grouped bars of a wide frame: one group per row (labelled by `category`), one bar per column of numbers (default every one). */
export function frameBarsFigure(df: DataFrame, category: string, opts: BarOptions & { columns?: readonly string[] } = {}): Figure {
  const { columns, ...bar } = opts;
  const series = (columns ?? df.columns.filter((c) => c !== category && col(df, c).every((v) => typeof v === 'number')))
    .map((c) => ({ name: c, values: col(df, c) as number[] }));
  return barFigure(col(df, category).map(String), series, { showLegend: true, ...bar });
}
