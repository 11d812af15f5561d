/**
 * The project's one statistics module: means and sample standard deviations, ranks, ROC AUC,
 * Spearman, cosine (judge reports), and the paired comparisons of experiment reports: seeded
 * bootstrap intervals of a mean difference and sign counts. Everything else imports from here.
 */
import { Rng } from './rng';

/** Arithmetic mean; NaN for no values (see `meanOrNull`). */
export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** Mean, or null for no values. */
export function meanOrNull(xs: readonly number[]): number | null {
  return xs.length ? mean(xs) : null;
}

/** Sample standard deviation (n - 1); 0 for fewer than 2 values (use `summary` to keep n). */
export function std(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

export interface Summary {
  mean: number;
  std: number;
  n: number;
}

export function summary(xs: readonly number[]): Summary {
  return { mean: mean(xs), std: std(xs), n: xs.length };
}

/** The finite numbers among values that may be null or missing. */
export function finite(xs: readonly (number | null | undefined)[]): number[] {
  return xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
}

/** Average ranks (1-based), ties sharing the mean of their ranks. */
export function ranks(xs: readonly number[]): number[] {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(xs.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[order[k][1]] = avg;
    i = j + 1;
  }
  return r;
}

/** ROC AUC = P(score of a positive > score of a negative), ties counting half (Mann-Whitney U). */
export function rocAuc(scores: readonly number[], positive: readonly boolean[]): number {
  const r = ranks(scores);
  let nPos = 0, sumPos = 0;
  positive.forEach((p, i) => {
    if (p) nPos++, (sumPos += r[i]);
  });
  const nNeg = scores.length - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (sumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Pearson correlation of the ranks. */
export function spearman(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`spearman: ${a.length} vs ${b.length} values`);
  const ra = ranks(a), rb = ranks(b);
  const ma = mean(ra), mb = mean(rb);
  let num = 0, da = 0, db = 0;
  for (let i = 0; i < ra.length; i++) {
    num += (ra[i] - ma) * (rb[i] - mb);
    da += (ra[i] - ma) ** 2;
    db += (rb[i] - mb) ** 2;
  }
  return da > 0 && db > 0 ? num / Math.sqrt(da * db) : NaN;
}

/** Cosine of two vectors (0 when either is all zeros). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/** The q-quantile (0..1) of sorted values, linear between order statistics. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (!sorted.length) return NaN;
  const pos = q * (sorted.length - 1), lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export interface BootstrapInterval {
  /** The mean of the values themselves. */
  mean: number;
  lo: number;
  hi: number;
  /** Confidence level, e.g. 0.95. */
  level: number;
  resamples: number;
  n: number;
}

/**
 * Percentile bootstrap interval of the mean: `resamples` means of n values drawn with replacement,
 * from a seeded stream (same values and seed: the same interval). With n = 1 the interval is the
 * single value (no spread can be estimated: callers should show n). Null for no values.
 */
export function bootstrapMeanInterval(xs: readonly number[], o: { seed?: number; resamples?: number; level?: number } = {}): BootstrapInterval | null {
  if (!xs.length) return null;
  const resamples = o.resamples ?? 2000, level = o.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new Error(`bootstrapMeanInterval: level must be in (0, 1), got ${level}`);
  if (!(Number.isInteger(resamples) && resamples >= 1)) throw new Error(`bootstrapMeanInterval: resamples must be a positive whole number, got ${resamples}`);
  const rng = new Rng(o.seed ?? 0);
  const n = xs.length;
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += xs[Math.floor(rng.next() * n)];
    means[b] = s / n;
  }
  const sorted = Array.from(means).sort((a, b) => a - b);
  const alpha = (1 - level) / 2;
  return { mean: mean(xs), lo: quantileSorted(sorted, alpha), hi: quantileSorted(sorted, 1 - alpha), level, resamples, n };
}

export interface SignCount {
  /** Pairs where the method is better, worse, or tied by the metric's direction. */
  better: number;
  worse: number;
  ties: number;
  n: number;
}

/** Sign counts of paired comparisons; `goodness` maps a value to "larger is better". */
export function signCount(pairs: readonly (readonly [number, number])[], goodness: (x: number) => number = (x) => x): SignCount {
  let better = 0, worse = 0, ties = 0;
  for (const [a, b] of pairs) {
    const d = goodness(a) - goodness(b);
    if (d > 0) better++;
    else if (d < 0) worse++;
    else ties++;
  }
  return { better, worse, ties, n: pairs.length };
}
