/** Training curves: per-task training loss (smoothed) and validation loss, from a trainer's history. */
import type { LogRow } from '../train/lm-trainer';
import { TASKS } from '../train/tasks';
import { lineFigure, Figure } from './figure';

/** Exponential moving average, as TensorBoard smooths curves. */
export function ema(values: readonly number[], alpha = 0.9): number[] {
  let m = values[0] ?? 0;
  return values.map((v) => (m = alpha * m + (1 - alpha) * v));
}

export function trainingCurvesFigure(history: readonly LogRow[], title = 'Loss per task'): Figure {
  const series = TASKS.flatMap((task) => {
    // a mixed batch logs each task's loss in `tasks`
    const rows = history
      .map((r) => ({ step: r.step, loss: r.tasks?.[task] ?? (r.task === task ? r.loss : undefined) }))
      .filter((r): r is { step: number; loss: number } => r.loss !== undefined);
    const val = history.filter((r) => r.val?.[task] !== undefined);
    return [
      ...(rows.length ? [{ name: `${task} (train, EMA)`, x: rows.map((r) => r.step), y: ema(rows.map((r) => r.loss)) }] : []),
      ...(val.length ? [{ name: `${task} (held-out)`, x: val.map((r) => r.step), y: val.map((r) => r.val![task]!), markers: true, dash: 'dot' }] : []),
    ];
  });
  return lineFigure(series, { title, xLabel: 'step', yLabel: 'cross-entropy (nats/token)' });
}
