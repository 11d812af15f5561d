/**
 * Character-GRPO figures from a trainer's history: reward per component (mean ± std band over the
 * step's rollouts) with the steps where the reward weights changed marked, and the optimization
 * diagnostics TRL and Flow-GRPO log (KL, clip fraction, entropy, share of zero-std groups).
 */
import type { GrpoRow } from '../train/grpo';
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
      { name: 'clip fraction', x, y: history.map((r) => r.clip_frac) },
      { name: 'zero-std groups', x, y: history.map((r) => r.frac_zero_std) },
      { name: 'entropy (nats)', x, y: history.map((r) => r.entropy) },
      { name: 'grad norm', x, y: history.map((r) => r.grad_norm) },
    ],
    { title, xLabel: 'step', yLabel: 'value' },
  );
  return markSteps(fig, weightChanges(history), 'weights changed');
}
