/**
 * Figures of an experiment's results (results.json, `ExperimentResults`): pure functions, no I/O.
 *
 *   methodBarsFigure         one group of bars per metric, one bar per method: mean ± std over cells
 *   pairedDeltaFigure        method - reference, paired by character and seed, per metric (95% bootstrap interval)
 *   shotsCurveFigure         a metric against K (reference images) over the sft-k* rows
 *   rewardTermEffectsFigure  each grpo-* row minus grpo-official on the text-to-image metrics
 *   experimentFigures        the set worth writing for a grid (only those its rows allow)
 *
 * Every number comes from results.ts (`aggregate`, `pairedDeltas`): null metrics are skipped, and
 * each bar's hover says how many cells it rests on.
 */
import { aggregate, pairedDeltas, type ExperimentResults, type PairedDelta, type Summary } from '../eval/experiments/results';
import { METRIC_KEYS } from '../eval/suite/report';
import { barFigure, DEFAULT_HEIGHT, lineFigure, PALETTE, type Figure, type FigureOptions, type PlotlyTrace } from './figure';

/** Metric families, one figure each (13 metrics x many methods do not fit one chart). */
export const TEXT_KEYS: readonly string[] = ['knowledge_mcq_acc', 'memorization', 'style_attribution', 'catchphrase_rate_ratio', 'vqa_acc'];
export const IMAGE_KEYS: readonly string[] = ['t2i_identity_clip_i', 't2i_identity_dino', 't2i_clip_t', 't2i_vqa_score', 't2i_diversity', 't2i_copy_rate', 'mmrp_identity', 'mmrp_consistency'];
/** The text-to-image metrics the GRPO reward terms aim at. */
export const T2I_REWARD_KEYS: readonly string[] = ['t2i_vqa_score', 't2i_clip_t', 't2i_identity_dino', 't2i_diversity'];
/** What K (reference images) can move: the image metrics. */
export const SHOTS_KEYS: readonly string[] = ['t2i_identity_dino', 't2i_copy_rate', 't2i_diversity', 't2i_clip_t', 't2i_vqa_score', 'mmrp_identity'];
/** The K-shot rows of the ablations grid: K -> method. */
export const SHOT_ROWS: Readonly<Record<number, string>> = { 1: 'sft-k1', 3: 'sft-k3', 5: 'sft-k5', 10: 'sft-k10' };

const orNaN = (x: number | null): number => (x === null ? NaN : x);
const hasCells = (r: ExperimentResults, method: string): boolean => r.cells.some((c) => c.method === method);
const unitOf = (r: ExperimentResults): string => (r.seeds > 1 ? 'character-seed pairs' : 'characters');

const HATCHES = ['', '/', '.', 'x', '\\', '+'];

/**
 * Attach [std, n, ...] per bar as customdata and a hover line using it. More series than palette
 * colours (the ablations grid has 15 rows) repeat the colours with a hatch, and the figure grows so
 * the legend fits.
 */
function withHover(fig: Figure, custom: unknown[][][], template: string, height?: number): Figure {
  const data = fig.data.map((t, i): PlotlyTrace => {
    const hatch = HATCHES[Math.floor(i / PALETTE.length) % HATCHES.length];
    const marker = hatch ? { ...(t.marker as object), pattern: { shape: hatch, fillmode: 'overlay', fgcolor: '#ffffff', size: 6, solidity: 0.35 } } : t.marker;
    return { ...t, marker, customdata: custom[i], hovertemplate: template };
  });
  const fits = Math.max(DEFAULT_HEIGHT, 140 + 24 * fig.data.length);
  return { ...fig, data, layout: { ...fig.layout, height: height ?? Math.max(Number(fig.layout?.height ?? 0), fits) } };
}

/** Keys (of `keys`) with at least one number in the results. */
export function keysWithData(r: ExperimentResults, keys: readonly string[]): string[] {
  const s = aggregate(r.cells, r.methods, keys);
  return keys.filter((k) => r.methods.some((m) => s[m][k].n > 0));
}

/** Grouped bars: one group per metric, one bar per method, mean over characters x seeds ± std. */
export function methodBarsFigure(r: ExperimentResults, keys: readonly string[] = METRIC_KEYS, { methods: only, ...opts }: FigureOptions & { methods?: string[] } = {}): Figure {
  const methods = (only ?? r.methods).filter((m) => hasCells(r, m));
  const s = aggregate(r.cells, methods, keys);
  const series = methods.map((m) => ({ name: m, values: keys.map((k) => orNaN(s[m][k].mean)), errors: keys.map((k) => orNaN(s[m][k].std)) }));
  const fig = barFigure([...keys], series, { title: `${r.grid}: mean ± std over ${unitOf(r)}`, yLabel: 'score', showLegend: true, ...opts });
  const custom = methods.map((m) => keys.map((k) => [s[m][k].std, s[m][k].n]));
  return withHover(fig, custom, '%{fullData.name}<br>%{x}: %{y:.3f} ± %{customdata[0]:.3f} (n=%{customdata[1]})<extra></extra>', opts.height);
}

/** Grouped bars: per metric, the mean paired difference method - reference, with its 95% bootstrap interval (results.ts `pairedDeltas`); null when no pair has data. */
export function pairedDeltaFigure(r: ExperimentResults, pairs: readonly [string, string][] = r.pairs ?? [], keys: readonly string[] = METRIC_KEYS, opts: FigureOptions = {}): Figure | null {
  const present = pairs.filter(([m, ref]) => hasCells(r, m) && hasCells(r, ref));
  if (!present.length) return null;
  const deltas = present.map(([m, ref]) => pairedDeltas(r.cells, m, ref, keys));
  if (deltas.every((d) => keys.every((k) => d[k].n === 0))) return null;
  const series = present.map(([m, ref], i) => deltaBars(`${m} − ${ref}`, keys.map((k) => deltas[i][k])));
  const fig = barFigure([...keys], series, { title: `${r.grid}: paired difference (method − reference, same character and seed), 95% bootstrap interval`, yLabel: 'difference', showLegend: true, ...opts, layout: { yaxis: zeroLine, ...opts.layout } });
  return withHover(fig, deltas.map((d) => keys.map((k) => deltaCustom(d[k]))), `%{fullData.name}<br>%{x}: ${DELTA_HOVER(unitOf(r))}<extra></extra>`, opts.height);
}

const zeroLine = { zeroline: true, zerolinecolor: '#444444', zerolinewidth: 1 };
/** Hover data of a paired difference: its bootstrap interval (null for n < 2), better-for count, n. */
const deltaCustom = (d: PairedDelta): unknown[] => [d.ci?.lo ?? null, d.ci?.hi ?? null, d.better, d.n];
const DELTA_HOVER = (unit: string) => `%{y:+.3f} [%{customdata[0]:+.3f}, %{customdata[1]:+.3f}]<br>better for %{customdata[2]}/%{customdata[3]} ${unit}`;
/** A bar of paired differences with its 95% bootstrap interval as the error bar (none for n < 2). */
function deltaBars(name: string, ds: readonly PairedDelta[]): { name: string; values: number[]; errors: number[]; errorsMinus: number[] } {
  return {
    name,
    values: ds.map((d) => orNaN(d.mean)),
    errors: ds.map((d) => (d.ci && d.mean !== null ? d.ci.hi - d.mean : NaN)),
    errorsMinus: ds.map((d) => (d.ci && d.mean !== null ? d.mean - d.ci.lo : NaN)),
  };
}

/**
 * Metric against K (the number of reference images the SFT row trained on), ± std; rows absent
 * from the results are skipped, and with fewer than 2 rows there is no curve (null).
 */
export function shotsCurveFigure(r: ExperimentResults, rows: Readonly<Record<number, string>> = SHOT_ROWS, keys: readonly string[] = SHOTS_KEYS, opts: FigureOptions = {}): Figure | null {
  const shots = Object.keys(rows).map(Number).sort((a, b) => a - b).filter((k) => hasCells(r, rows[k]));
  if (shots.length < 2) return null;
  const s = aggregate(r.cells, shots.map((k) => rows[k]), keys);
  const at = (k: string, f: (x: Summary) => number | null) => shots.map((K) => orNaN(f(s[rows[K]][k])));
  const used = keys.filter((k) => shots.some((K) => s[rows[K]][k].n > 0));
  const fig = lineFigure(used.map((k) => ({ name: k, x: shots, y: at(k, (x) => x.mean), markers: true })), {
    title: `${r.grid}: metric against K reference images (mean ± std over ${unitOf(r)})`, xLabel: 'K (reference images)', yLabel: 'score', showLegend: true, ...opts,
    layout: { xaxis: { tickmode: 'array', tickvals: shots }, ...opts.layout },
  });
  const data = fig.data.map((t, i): PlotlyTrace => ({
    ...t,
    error_y: { type: 'data', array: at(used[i], (x) => x.std).map((v) => (Number.isFinite(v) ? v : null)), visible: true, thickness: 1.2, width: 4 },
    customdata: shots.map((K) => [s[rows[K]][used[i]].std, s[rows[K]][used[i]].n, rows[K]]),
    hovertemplate: '%{fullData.name}<br>%{customdata[2]} (K=%{x}): %{y:.3f} ± %{customdata[0]:.3f} (n=%{customdata[1]})<extra></extra>',
  }));
  return { ...fig, data };
}

/**
 * Grouped bars: for each grpo-* row (one group), its mean paired difference to `reference` on the
 * text-to-image metrics (one bar each) ± std; null when the reference or every other grpo row is missing.
 */
export function rewardTermEffectsFigure(r: ExperimentResults, reference = 'grpo-official', keys: readonly string[] = T2I_REWARD_KEYS, opts: FigureOptions = {}): Figure | null {
  const rows = r.methods.filter((m) => isGrpoRow(r, m) && m !== reference && hasCells(r, m));
  if (!hasCells(r, reference) || !rows.length) return null;
  const deltas = rows.map((m) => pairedDeltas(r.cells, m, reference, keys));
  const series = keys.map((k) => deltaBars(k, deltas.map((d) => d[k])));
  const fig = barFigure(rows, series, { title: `${r.grid}: each GRPO variant − ${reference} (same character and seed), 95% bootstrap interval`, yLabel: 'difference', ...opts, layout: { yaxis: zeroLine, ...opts.layout } });
  return withHover(fig, keys.map((k) => deltas.map((d) => deltaCustom(d[k]))), `%{x}<br>%{fullData.name}: ${DELTA_HOVER(unitOf(r))}<extra></extra>`, opts.height);
}

/** Whether a row is a Character-GRPO row: its recorded kind, or (results written before kinds were) a `grpo` name. */
export function isGrpoRow(r: Pick<ExperimentResults, 'kinds'>, method: string): boolean {
  return r.kinds ? r.kinds[method] === 'grpo' : /(^|-)grpo(-|$)/.test(method);
}

/** Up to 6 pairs fit one chart; more (the ablations grid) are split into the GRPO rows and the rest. */
function pairGroups(r: ExperimentResults, pairs: readonly [string, string][]): [string, [string, string][]][] {
  const grpo = pairs.filter(([m]) => isGrpoRow(r, m)), other = pairs.filter(([m]) => !isGrpoRow(r, m));
  return pairs.length <= 6 || !grpo.length || !other.length ? [['', [...pairs]]] : [['-grpo', grpo], ['-other', other]];
}

/** The figures worth writing for a grid, by file stem; only those its rows and metrics allow. */
export function experimentFigures(r: ExperimentResults): Record<string, Figure> {
  const out: Record<string, Figure | null> = {};
  for (const [family, keys] of [['text', TEXT_KEYS], ['image', IMAGE_KEYS]] as const) {
    const used = keysWithData(r, keys);
    if (!used.length) continue;
    out[`methods-${family}`] = methodBarsFigure(r, used, { title: `${r.grid}: ${family} metrics, mean ± std over ${unitOf(r)}` });
    for (const [suffix, pairs] of pairGroups(r, r.pairs ?? [])) {
      out[`deltas-${family}${suffix}`] = pairedDeltaFigure(r, pairs, used.filter((k) => pairs.some(([m, ref]) => pairedDeltas(r.cells, m, ref, [k])[k].n > 0)));
    }
  }
  out['shots-curve'] = shotsCurveFigure(r);
  out['reward-term-effects'] = rewardTermEffectsFigure(r);
  return Object.fromEntries(Object.entries(out).filter((e): e is [string, Figure] => e[1] !== null));
}
