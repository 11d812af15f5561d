/**
 * A live view of a training run in a notebook: its curves redrawn as steps arrive (`liveLinePlot`)
 * under a progress bar with the steps done, the rate and the time left (`progressBar`).
 *
 *   const view = viz.liveTraining('Unified-SFT on Calmaric', remainingSteps, ['loss'], { yLabel: 'nats' });
 *   await trainer.run(undefined, (r) => view.push(r.step, { loss: r.loss }, `loss ${r.loss.toFixed(3)}`));
 *   view.close();
 */
import type { Figure } from './figure';
import { liveLinePlot, type LivePlotOptions } from './live';
import { progressBar } from './progress';

export interface LiveTraining {
  /** One step: its point per series (missing names skipped) and the bar's status line. */
  push(step: number, point: Record<string, number>, status?: string): void;
  /** Final redraw of both; idempotent. */
  close(): void;
  /** The curves at full resolution (for `exportFigure`). */
  figure(): Figure;
}

/** `steps`: how many steps the bar counts (those still to run); `series`: the curves' names. */
export function liveTraining(title: string, steps: number, series: readonly string[], opts: LivePlotOptions = {}): LiveTraining {
  const plot = liveLinePlot(title, series, { xLabel: 'step', ...opts });
  const bar = progressBar(title, steps);
  return {
    push(step, point, status) {
      plot.push(step, point);
      bar.tick(1, status);
    },
    close() {
      bar.close();
      plot.close();
    },
    figure: () => plot.figure(),
  };
}
