/**
 * Experiment results: one record per cell (character x method x seed), aggregated into
 * mean ± std per method and metric, and written as a markdown report with the best value of each
 * column in bold (its direction: higher is better, except copy rate (lower) and the catchphrase
 * rate ratio (closest to 1)).
 */
import { METRIC_KEYS, type Metrics } from '../suite/report';
import { mdCode, mdText } from '../../util/markdown';

export const RESULTS_FORMAT = 'cmrp-experiment/1';

export interface CellResult {
  character: string;
  method: string;
  seed: number;
  metrics: Metrics;
  /** Seconds it took to make the policy (training) and to evaluate it, as recorded when the cell was made (kept for cached cells). */
  train_seconds: number;
  eval_seconds: number;
  cached: boolean;
}

export interface ExperimentResults {
  format: typeof RESULTS_FORMAT;
  grid: string;
  command: string;
  characters: string[];
  seeds: number;
  methods: string[];
  /** Each method's kind (prompt-only, unified-sft, grpo, ...), so readers need not guess it from the name. */
  kinds?: Record<string, string>;
  /** Method pairs compared character by character in the report: [method, reference]. */
  pairs?: [string, string][];
  cells: CellResult[];
  seconds: number;
  finished: string;
}

export interface Summary {
  mean: number | null;
  std: number | null;
  n: number;
}

/** mean ± sample std (n-1) of the non-null values of a metric, per method. */
export function aggregate(cells: readonly CellResult[], methods: readonly string[], keys: readonly string[] = METRIC_KEYS): Record<string, Record<string, Summary>> {
  const out: Record<string, Record<string, Summary>> = {};
  for (const m of methods) {
    out[m] = {};
    for (const k of keys) {
      const xs = cells.filter((c) => c.method === m).map((c) => (c.metrics as Record<string, number | null>)[k]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
      const mean = xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
      const std = xs.length > 1 && mean !== null ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1)) : xs.length === 1 ? 0 : null;
      out[m][k] = { mean, std, n: xs.length };
    }
  }
  return out;
}

/** How good a mean is (larger is better), for bolding the best of a column. */
export function goodness(key: string, value: number): number {
  if (key === 't2i_copy_rate') return -value;
  if (key === 'catchphrase_rate_ratio' || key === 'tic_rate_ratio') return -Math.abs(Math.log(Math.max(value, 1e-6)));
  return value;
}

const fmt = (s: Summary): string => (s.mean === null ? '–' : `${s.mean.toFixed(3)} ± ${(s.std ?? 0).toFixed(3)}`);

/** A markdown table: methods as rows, metrics as columns, best mean per column in bold. */
export function markdownTable(summary: Record<string, Record<string, Summary>>, keys: readonly string[] = METRIC_KEYS): string {
  const methods = Object.keys(summary);
  const best: Record<string, number> = {};
  for (const k of keys) {
    const vals = methods.map((m) => summary[m][k].mean).filter((x): x is number => x !== null);
    if (vals.length) best[k] = Math.max(...vals.map((v) => goodness(k, v)));
  }
  const head = `| method | ${keys.join(' | ')} |\n| --- | ${keys.map(() => '---').join(' | ')} |`;
  const rows = methods.map((m) => `| ${mdText(m)} | ${keys.map((k) => {
    const s = summary[m][k];
    const cell = fmt(s);
    return s.mean !== null && methods.length > 1 && goodness(k, s.mean) === best[k] ? `**${cell}**` : cell;
  }).join(' | ')} |`);
  return [head, ...rows].join('\n');
}

export interface PairedDelta {
  mean: number | null;
  std: number | null;
  /** Cells (character x seed) where the method is better than the reference, by the metric's direction. */
  better: number;
  n: number;
}

/** Per metric: method minus reference, paired by character and seed (mean ± sample std), and how often it is better. */
export function pairedDeltas(cells: readonly CellResult[], method: string, reference: string, keys: readonly string[] = METRIC_KEYS): Record<string, PairedDelta> {
  const out: Record<string, PairedDelta> = {};
  const key = (c: CellResult) => `${c.character}|${c.seed}`;
  const refs = new Map(cells.filter((c) => c.method === reference).map((c) => [key(c), c]));
  for (const k of keys) {
    const ds: number[] = [];
    let better = 0;
    for (const c of cells.filter((x) => x.method === method)) {
      const a = (c.metrics as Record<string, number | null>)[k], b = (refs.get(key(c))?.metrics as Record<string, number | null> | undefined)?.[k];
      if (typeof a !== 'number' || typeof b !== 'number') continue;
      ds.push(a - b);
      if (goodness(k, a) > goodness(k, b)) better++;
    }
    const mean = ds.length ? ds.reduce((x, y) => x + y, 0) / ds.length : null;
    const std = ds.length > 1 && mean !== null ? Math.sqrt(ds.reduce((x, d) => x + (d - mean) ** 2, 0) / (ds.length - 1)) : ds.length === 1 ? 0 : null;
    out[k] = { mean, std, better, n: ds.length };
  }
  return out;
}

function pairedTable(r: ExperimentResults): string[] {
  if (!r.pairs?.length) return [];
  const keys = METRIC_KEYS;
  const lines = ['## Paired differences (method - reference, same character and seed)', '', 'Mean ± std of the difference, and in how many cells the method is better by the metric\'s direction.', '',
    `| method - reference | ${keys.join(' | ')} |`, `| --- | ${keys.map(() => '---').join(' | ')} |`];
  for (const [m, ref] of r.pairs) {
    const d = pairedDeltas(r.cells, m, ref, keys);
    lines.push(`| ${mdText(m)} - ${mdText(ref)} | ${keys.map((k) => (d[k].mean === null ? '–' : `${d[k].mean! >= 0 ? '+' : ''}${d[k].mean!.toFixed(3)} ± ${d[k].std!.toFixed(3)} (${d[k].better}/${d[k].n})`)).join(' | ')} |`);
  }
  return [...lines, ''];
}

export function markdownReport(r: ExperimentResults): string {
  const summary = aggregate(r.cells, r.methods);
  const n = r.characters.length * r.seeds;
  return [
    `# Experiment ${mdCode(r.grid)}`,
    '',
    `Command: ${mdCode(r.command)}`,
    `Characters (${r.characters.length}): ${r.characters.map(mdText).join(', ')}; seeds: ${r.seeds}; cells: ${r.cells.length} (${r.cells.filter((c) => c.cached).length} from the cache); compute time of all cells ${(r.cells.reduce((a, c) => a + c.train_seconds + c.eval_seconds, 0) / 60).toFixed(1)} min as recorded when each was made; this invocation ${(r.seconds / 60).toFixed(1)} min; finished ${r.finished}.`,
    '',
    `Mean ± std over ${n} character-seed pairs (std with n-1). Best per column in bold: higher is better, except \`t2i_copy_rate\` (lower) and \`catchphrase_rate_ratio\` (closest to 1).`,
    '',
    markdownTable(summary),
    '',
    ...pairedTable(r),
    '## Time per cell (s)',
    '',
    '| method | train (mean) | eval (mean) |',
    '| --- | --- | --- |',
    ...r.methods.map((m) => {
      const cs = r.cells.filter((c) => c.method === m);
      const avg = (f: (c: CellResult) => number) => (cs.length ? (cs.reduce((a, c) => a + f(c), 0) / cs.length).toFixed(1) : '–');
      return `| ${mdText(m)} | ${avg((c) => c.train_seconds)} | ${avg((c) => c.eval_seconds)} |`;
    }),
    '',
  ].join('\n');
}
