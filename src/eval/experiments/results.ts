/**
 * Experiment results: one record per cell (character x method x seed), aggregated into
 * mean ± std per method and metric, each with its n (n = 1 shown as such, no "± 0"; a cell missing
 * for some characters marked), and written as a markdown report with the best value of each column
 * in bold among cells with n >= 2 (its direction: higher is better, except copy rate (lower) and the
 * catchphrase rate ratio (closest to 1)); paired differences with seeded 95% bootstrap intervals and
 * sign counts; the image metrics of GRPO rows under the reward and the held-out judges.
 */
import { HELDOUT_SUFFIX, IMAGE_METRIC_KEYS, METRIC_KEYS, heldOutKey, type Metrics } from '../suite/report';
import { TRUTH_T2I_KEYS } from '../suite/truth-drawings';
import { bootstrapMeanInterval, finite, mean, meanOrNull, signCount, std } from '../../util/stats';
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
  /** The code that made the cell (`codeVersion()`: commit, `+dirty` for local changes), as recorded then; absent for cells made before it was recorded. */
  code?: string | null;
}

export interface ExperimentResults {
  format: typeof RESULTS_FORMAT;
  grid: string;
  command: string;
  characters: string[];
  /** How many seeds; `seed_list` names them (absent in results made before it: seeds 0 .. seeds - 1). */
  seeds: number;
  seed_list?: number[];
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
  /** Sample std (n - 1); null for n < 2 (one value has no spread to show: never "± 0"). */
  std: number | null;
  n: number;
}

const valuesOf = (cells: readonly CellResult[], key: string): number[] => finite(cells.map((c) => (c.metrics as Record<string, number | null | undefined>)[key]));

/** mean ± sample std (n-1) of the non-null values of a metric, per method. */
export function aggregate(cells: readonly CellResult[], methods: readonly string[], keys: readonly string[] = METRIC_KEYS): Record<string, Record<string, Summary>> {
  const out: Record<string, Record<string, Summary>> = {};
  for (const m of methods) {
    out[m] = {};
    const own = cells.filter((c) => c.method === m);
    for (const k of keys) {
      const xs = valuesOf(own, k);
      out[m][k] = { mean: meanOrNull(xs), std: xs.length > 1 ? std(xs) : null, n: xs.length };
    }
  }
  return out;
}

/** How good a mean is (larger is better), for bolding the best of a column. */
export function goodness(key: string, value: number): number {
  const k = key.endsWith(HELDOUT_SUFFIX) ? key.slice(0, -HELDOUT_SUFFIX.length) : key;
  if (k === 't2i_copy_rate' || k === 't2i_memorized_rate') return -value;
  if (k === 'catchphrase_rate_ratio' || k === 'tic_rate_ratio') return -Math.abs(Math.log(Math.max(value, 1e-6)));
  return value;
}

/** Marks a cell resting on fewer character-seed pairs than the grid has. */
export const PARTIAL_MARK = '†';

/** One cell: `mean ± std (n=N)`; n = 1 as `mean (n=1)`; `†` when n is below `expected`. */
export function formatCell(s: Summary, expected?: number): string {
  if (s.mean === null) return '–';
  const partial = expected !== undefined && s.n < expected ? PARTIAL_MARK : '';
  return s.n > 1 && s.std !== null ? `${s.mean.toFixed(3)} ± ${s.std.toFixed(3)} (n=${s.n})${partial}` : `${s.mean.toFixed(3)} (n=${s.n})${partial}`;
}

/**
 * A markdown table: methods as rows, metrics as columns, every cell with its n. The best mean of a
 * column is bold only among cells with n >= 2 that rest on all `expected` pairs (a mean of one value,
 * or of another subset of characters, is not compared).
 */
export function markdownTable(summary: Record<string, Record<string, Summary>>, keys: readonly string[] = METRIC_KEYS, expected?: number): string {
  const methods = Object.keys(summary);
  const eligible = (s: Summary) => s.mean !== null && s.n >= 2 && (expected === undefined || s.n >= expected);
  const best: Record<string, number> = {};
  for (const k of keys) {
    const vals = methods.map((m) => summary[m][k]).filter(eligible).map((s) => goodness(k, s.mean!));
    if (vals.length) best[k] = Math.max(...vals);
  }
  const head = `| method | ${keys.join(' | ')} |\n| --- | ${keys.map(() => '---').join(' | ')} |`;
  const rows = methods.map((m) => `| ${mdText(m)} | ${keys.map((k) => {
    const s = summary[m][k];
    const cell = formatCell(s, expected);
    return eligible(s) && methods.length > 1 && goodness(k, s.mean!) === best[k] ? `**${cell}**` : cell;
  }).join(' | ')} |`);
  return [head, ...rows].join('\n');
}

export interface PairedDelta {
  mean: number | null;
  std: number | null;
  /** Cells (character x seed) where the method is better than the reference, by the metric's direction. */
  better: number;
  worse: number;
  ties: number;
  n: number;
  /** 95% percentile-bootstrap interval of the mean difference (seeded resampling of the pairs); null for n < 2. */
  ci: { lo: number; hi: number; level: number; resamples: number } | null;
  /** With several seeds per character: characters whose mean over their seeds is better (worse), by the metric's direction. */
  characters?: { better: number; worse: number; n: number };
}

/** Bootstrap resamples and level of the paired intervals. */
export const BOOTSTRAP = { resamples: 2000, level: 0.95 } as const;

/** A seed from a label (FNV-1a), so each (pair, metric) resamples its own deterministic stream. */
function seedOf(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Per metric: method minus reference, paired by character and seed: mean, std, bootstrap interval, sign counts. */
export function pairedDeltas(cells: readonly CellResult[], method: string, reference: string, keys: readonly string[] = METRIC_KEYS): Record<string, PairedDelta> {
  const out: Record<string, PairedDelta> = {};
  const key = (c: CellResult) => `${c.character}|${c.seed}`;
  const refs = new Map(cells.filter((c) => c.method === reference).map((c) => [key(c), c]));
  for (const k of keys) {
    const pairs: [number, number][] = [];
    const owners: string[] = []; // each pair's character
    for (const c of cells.filter((x) => x.method === method)) {
      const a = (c.metrics as Record<string, number | null>)[k], b = (refs.get(key(c))?.metrics as Record<string, number | null> | undefined)?.[k];
      if (typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b)) {
        pairs.push([a, b]);
        owners.push(c.character);
      }
    }
    const ds = pairs.map(([a, b]) => a - b);
    const signs = signCount(pairs, (x) => goodness(k, x));
    // per character: the mean over its seeds of method and reference, compared the same way
    const byChar = new Map<string, [number, number][]>();
    pairs.forEach((p, i) => byChar.set(owners[i], [...(byChar.get(owners[i]) ?? []), p]));
    const charMeans = [...byChar.values()].map((ps): [number, number] => [mean(ps.map((p) => p[0])), mean(ps.map((p) => p[1]))]);
    const charSigns = signCount(charMeans, (x) => goodness(k, x));
    const boot = ds.length >= 2 ? bootstrapMeanInterval(ds, { seed: seedOf(`${method}|${reference}|${k}`), ...BOOTSTRAP }) : null;
    out[k] = {
      mean: meanOrNull(ds), std: ds.length > 1 ? std(ds) : null, better: signs.better, worse: signs.worse, ties: signs.ties, n: ds.length,
      ci: boot ? { lo: boot.lo, hi: boot.hi, level: boot.level, resamples: boot.resamples } : null,
      ...(byChar.size < ds.length ? { characters: { better: charSigns.better, worse: charSigns.worse, n: charSigns.n } } : {}),
    };
  }
  return out;
}

const signed = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;

/** One paired cell: `+0.121 [+0.030, +0.210] 4/5 better, 1 worse`, with several seeds `...; characters 4/5 better`; n = 1: the difference and "n=1". */
export function formatDelta(d: PairedDelta): string {
  if (d.mean === null) return '–';
  const chars = d.characters ? `; characters ${d.characters.better}/${d.characters.n} better${d.characters.worse ? `, ${d.characters.worse} worse` : ''}` : '';
  const signs = `${d.better}/${d.n} better${d.worse ? `, ${d.worse} worse` : ''}${chars}`;
  return d.ci ? `${signed(d.mean)} [${signed(d.ci.lo)}, ${signed(d.ci.hi)}] ${signs}` : `${signed(d.mean)} (n=1) ${signs}`;
}

/** Markdown: one row per (method, reference) pair, each metric's `formatDelta` (mean [interval] sign counts). */
export function pairedMarkdownTable(r: ExperimentResults, pairs: readonly [string, string][] = r.pairs ?? [], keys: readonly string[] = METRIC_KEYS): string {
  const lines = [`| method - reference | ${keys.join(' | ')} |`, `| --- | ${keys.map(() => '---').join(' | ')} |`];
  for (const [m, ref] of pairs) {
    const d = pairedDeltas(r.cells, m, ref, keys);
    lines.push(`| ${mdText(m)} - ${mdText(ref)} | ${keys.map((k) => formatDelta(d[k])).join(' | ')} |`);
  }
  return lines.join('\n');
}

function pairedTable(r: ExperimentResults, pairs: readonly [string, string][], keys: readonly string[], title: string): string[] {
  if (!pairs.length) return [];
  return [title, '',
    `Mean difference, its ${100 * BOOTSTRAP.level}% bootstrap interval (${BOOTSTRAP.resamples} seeded resamples of the character-seed pairs; none for n = 1), and in how many pairs the method is better (worse) by the metric's direction; with several seeds, also in how many characters its mean over the seeds is. An interval that contains 0 does not separate the two.`, '',
    pairedMarkdownTable(r, pairs, keys), ''];
}

/** The main image metrics as reward-judge / held-out-judge column pairs. */
const BOTH_JUDGES_KEYS = IMAGE_METRIC_KEYS.slice(0, 8).flatMap((k) => [k, heldOutKey(k)]);

/**
 * GRPO rows (and what they are compared with) under the reward judges and the held-out judges: a
 * gain the reward judges see and the held-out ones do not is the policy pleasing its own judge.
 */
function judgeGapTables(r: ExperimentResults, expected: number): string[] {
  const grpoPairs = (r.pairs ?? []).filter(([m]) => r.kinds?.[m] === 'grpo');
  const rows = [...new Set(grpoPairs.flat())];
  const has = r.cells.some((c) => BOTH_JUDGES_KEYS.some((k) => k.endsWith(HELDOUT_SUFFIX) && typeof (c.metrics as Record<string, unknown>)[k] === 'number'));
  if (!rows.length || !has) return [];
  return [
    '## Image metrics under the reward judges and the held-out judges', '',
    'Each image metric twice: `name` scored by the reward judges GRPO optimized, `name_heldout` by the held-out judges (another seed and architecture, trained on none of the same characters; `cmrp judges train --role heldout`).', '',
    markdownTable(aggregate(r.cells, rows, BOTH_JUDGES_KEYS), BOTH_JUDGES_KEYS, expected), '',
    ...pairedTable(r, grpoPairs, BOTH_JUDGES_KEYS, '### GRPO gains under each judge set'),
  ];
}

/** Each drawing metric next to its value for the renderer's own drawings of the same prompts (synthetic characters). */
const TRUTH_KEYS = [...TRUTH_T2I_KEYS.flatMap((k) => [k, `${k}_truth`]), 't2i_memorized_rate'];

/**
 * The drawings against the data distribution: what a model that draws exactly like the renderer
 * would score (through the same tokenizer), and how many copies repeat a training image instead of
 * drawing the prompt.
 */
function truthTable(r: ExperimentResults, expected: number): string[] {
  const rows = r.methods.filter((m) => r.cells.some((c) => c.method === m && typeof (c.metrics as Record<string, unknown>).t2i_copy_rate_truth === 'number'));
  if (!rows.length) return [];
  return [
    '## Drawings against the renderer\'s own drawings of the same prompts', '',
    '`<name>_truth`: the metric on the synthetic renderer\'s drawings of the held-out prompts, passed through the policy\'s image tokenizer (the best a model that emits codes can draw). `t2i_memorized_rate`: the share of drawings within copy distance of a training image *and* nearer to it than to every renderer drawing of their own prompt (a repeated training image rather than the prompt drawn); `t2i_copy_rate` also counts faithful drawings of prompts that sit near a training image.', '',
    markdownTable(aggregate(r.cells, rows, TRUTH_KEYS), TRUTH_KEYS, expected), '',
  ];
}

/** Which code made the cells: one commit, or the counts per commit when a cache mixes them. */
export function codeLine(cells: readonly CellResult[]): string {
  const counts = new Map<string, number>();
  for (const c of cells) {
    const k = c.code ?? 'not recorded';
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const parts = [...counts].map(([k, v]) => `${k === 'not recorded' ? k : '`' + k.replace(/[^0-9a-z+]/g, '') + '`'} (${v} cell${v === 1 ? '' : 's'})`);
  return counts.size <= 1 ? `Code: every cell made at ${parts[0] ?? '–'}.` : `Code: **cells made by different code** (the cache keys cover inputs, not code): ${parts.join(', ')}.`;
}

export function markdownReport(r: ExperimentResults): string {
  const summary = aggregate(r.cells, r.methods);
  const n = r.characters.length * r.seeds;
  return [
    `# Experiment ${mdCode(r.grid)}`,
    '',
    `Command: ${mdCode(r.command)}`,
    `Characters (${r.characters.length}): ${r.characters.map(mdText).join(', ')}; seeds: ${r.seeds}${r.seed_list && (r.seed_list.length !== r.seeds || r.seed_list.some((s, i) => s !== i)) ? ` (${r.seed_list.join(', ')})` : ''}; cells: ${r.cells.length} (${r.cells.filter((c) => c.cached).length} from the cache); compute time of all cells ${(r.cells.reduce((a, c) => a + c.train_seconds + c.eval_seconds, 0) / 60).toFixed(1)} min as recorded when each was made; this invocation ${(r.seconds / 60).toFixed(1)} min; finished ${r.finished}.`,
    '',
    `Mean ± std over the character-seed pairs that have the metric (std with n-1), with n in each cell; a cell of n = 1 shows its value alone; ${PARTIAL_MARK}: the cell rests on fewer than the ${n} pairs of the grid (its mean is over another subset). Best per column in bold among cells with n >= 2 on all ${n} pairs: higher is better, except \`t2i_copy_rate\` and \`t2i_memorized_rate\` (lower) and \`catchphrase_rate_ratio\` (closest to 1).`,
    '',
    codeLine(r.cells),
    '',
    markdownTable(summary, METRIC_KEYS, n),
    '',
    ...pairedTable(r, r.pairs ?? [], METRIC_KEYS, '## Paired differences (method - reference, same character and seed)'),
    ...judgeGapTables(r, n),
    ...truthTable(r, n),
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
