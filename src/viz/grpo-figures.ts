/**
 * Character-GRPO figures from a trainer's history: reward per component (mean ± std band over the
 * step's rollouts) with the steps where the reward weights changed marked, and the optimization
 * diagnostics TRL and Flow-GRPO log (KL, clip fraction, entropy, share of zero-std groups); and the
 * what-if over a whole run: every stored step re-scored as if other weights had been in force.
 */
import type { GrpoRow, StoredStep } from '../train/grpo';
import type { GrpoConfig } from '../train/grpo-config';
import type { RewardConfig } from '../rewards/config';
import { whatIf } from '../rewards/what-if';
import { Figure, lineFigure, withLayout } from './figure';
import { ema } from './training-figures';

/** Steps whose reward config differs from the step before (the first step excluded). */
export function weightChanges(history: readonly GrpoRow[]): number[] {
  const key = (r: GrpoRow) => JSON.stringify(r.rewards);
  return history.filter((r, i) => i > 0 && key(r) !== key(history[i - 1])).map((r) => r.step);
}

function markSteps(fig: Figure, steps: readonly number[], label: string): Figure {
  if (!steps.length) return fig;
  return withLayout(fig, {
    shapes: steps.map((s) => ({ type: 'line', xref: 'x', yref: 'paper', x0: s - 0.5, x1: s - 0.5, y0: 0, y1: 1, line: { color: '#888888', width: 1, dash: 'dash' } })),
    annotations: steps.map((s) => ({ x: s - 0.5, y: 1, xref: 'x', yref: 'paper', text: label, showarrow: false, yanchor: 'bottom', font: { size: 10, color: '#555555' } })),
  });
}

/** Reward components (unweighted raw values, as logged) and the weighted total, per step. */
export function rewardCurvesFigure(history: readonly GrpoRow[], opts: { title?: string; smooth?: number } = {}): Figure {
  const steps = history.map((r) => r.step);
  const names = [...new Set(history.flatMap((r) => Object.keys(r.reward)))];
  const a = opts.smooth ?? 0;
  const series = names.map((n) => {
    const mean = history.map((r) => r.reward[n]?.mean ?? NaN);
    return { name: n === 'total' ? 'total (weighted)' : n, x: steps, y: a > 0 ? ema(mean, a) : mean, band: history.map((r) => r.reward[n]?.std ?? NaN), dash: n === 'total' ? 'solid' : undefined };
  });
  const fig = lineFigure(series, { title: opts.title ?? 'Character-GRPO: reward per component (band: ± std over the step\'s rollouts)', xLabel: 'step', yLabel: 'reward' });
  return markSteps(fig, weightChanges(history), 'weights changed');
}

export function grpoDiagnosticsFigure(history: readonly GrpoRow[], title = 'Character-GRPO: optimization'): Figure {
  const x = history.map((r) => r.step);
  const fig = lineFigure(
    [
      { name: 'KL to reference', x, y: history.map((r) => r.kl) },
      { name: 'clip ratio (region mean)', x, y: history.map((r) => r['clip_ratio/region_mean']) },
      { name: 'zero-std groups', x, y: history.map((r) => r.frac_reward_zero_std) },
      { name: 'entropy (nats)', x, y: history.map((r) => r.entropy) },
      { name: 'grad norm', x, y: history.map((r) => r.grad_norm) },
    ],
    { title, xLabel: 'step', yLabel: 'value' },
  );
  return markSteps(fig, weightChanges(history), 'weights changed');
}

/** One step of `runWhatIf`: how the step's groups would have ranked and been pushed under the new weights. */
export interface StepWhatIf {
  step: number;
  /** The weights in force at that step (from the history) and the ones asked about. */
  weights: RewardConfig['weights'];
  newWeights: RewardConfig['weights'];
  groups: number;
  /** Mean Kendall tau-b of old vs new totals over the groups (null when no group defines it). */
  meanKendallTau: number | null;
  /** Share of groups whose best sample changes. */
  rankChangedShare: number;
  /** Pearson correlation of the step's old and new advantages (null when either side is constant). */
  advantageCorrelation: number | null;
  signFlipShare: number;
  meanAbsAdvantageChange: number;
}

function pearson(a: readonly number[], b: readonly number[]): number | null {
  const n = a.length;
  if (n < 2) return null;
  const ma = a.reduce((x, y) => x + y, 0) / n, mb = b.reduce((x, y) => x + y, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) (sab += (a[i] - ma) * (b[i] - mb)), (saa += (a[i] - ma) ** 2), (sbb += (b[i] - mb) ** 2);
  return saa > 1e-24 && sbb > 1e-24 ? sab / Math.sqrt(saa * sbb) : null;
}

/**
 * "Had these weights been in force": every stored step of a GRPO run (its raw reward measurements,
 * kept by the trainer) re-weighted with `weights` in place of the weights recorded for that step,
 * with the run's own advantage normalization. No sampling, no judging.
 */
export function runWhatIf(
  run: { stored: readonly StoredStep[]; history: readonly GrpoRow[]; config: Pick<GrpoConfig, 'scale_rewards' | 'clip_advantages' | 'rewards'> },
  weights: Partial<RewardConfig['weights']>,
): StepWhatIf[] {
  const inForce = new Map(run.history.map((r) => [r.step, r.rewards]));
  const adv = { scale: run.config.scale_rewards, clip: run.config.clip_advantages ?? undefined };
  return run.stored.map((s) => {
    const old = inForce.get(s.step) ?? run.config.rewards;
    const next: RewardConfig = { ...old, weights: { ...old.weights, ...weights } };
    const w = whatIf(s.measurements, s.groups, old, next, adv);
    const oldA = w.groups.flatMap((g) => g.oldAdvantages), newA = w.groups.flatMap((g) => g.newAdvantages);
    return {
      step: s.step, weights: old.weights, newWeights: next.weights, groups: w.summary.groups, meanKendallTau: w.summary.meanKendallTau,
      rankChangedShare: w.summary.bestChangedShare, advantageCorrelation: pearson(oldA, newA),
      signFlipShare: w.summary.signFlipShare, meanAbsAdvantageChange: w.summary.meanAbsAdvantageChange,
    };
  });
}

/** `runWhatIf` per step: rank agreement, advantage correlation, groups whose best sample changes, sign flips. */
export function runWhatIfFigure(steps: readonly StepWhatIf[], title = 'What if these weights had been in force at every step'): Figure {
  const x = steps.map((s) => s.step);
  const orNaN = (v: number | null) => (v === null ? NaN : v);
  return lineFigure(
    [
      { name: 'advantage correlation (old vs new)', x, y: steps.map((s) => orNaN(s.advantageCorrelation)), markers: true },
      { name: 'mean Kendall tau of the group rankings', x, y: steps.map((s) => orNaN(s.meanKendallTau)), markers: true },
      { name: 'groups whose best sample changes', x, y: steps.map((s) => s.rankChangedShare), markers: true },
      { name: 'advantages that change sign', x, y: steps.map((s) => s.signFlipShare), markers: true },
    ],
    { title, xLabel: 'step', yLabel: 'share / correlation' },
  );
}
