/**
 * A grid run from a notebook: the experiment runner with the notebook's folders filled in and a
 * progress bar over its cells (the synthetic world built first when it is the data). Its folder is
 * data/experiments/<out>, cached per cell.
 */
import { resolveGrid, type Grid } from '../eval/experiments/grid';
import { runExperiment, type ExperimentOptions } from '../eval/experiments/runner';
import type { ExperimentResults } from '../eval/experiments/results';
import { ensureSynthDataset } from '../data/synth';
import { cellProgress } from '../viz/progress';
import type { NotebookContext } from './context';

export interface GridRun {
  /** A grid, or the name or file `resolveGrid` takes. */
  grid: Grid | string;
  characters: ExperimentOptions['characters'];
  /** The run's folder under data/experiments/. */
  out: string;
  /** Recorded as the run's command (which notebook, which grid). */
  command: string;
  seeds?: number;
  /** Defaults: the synthetic world, checkpoints/judges, the runner's held-out judges. */
  dataDir?: string;
  judgesDir?: string;
  heldOutJudgesDir?: string | null;
}

export async function runGrid(nb: NotebookContext, o: GridRun): Promise<ExperimentResults> {
  const grid = typeof o.grid === 'string' ? resolveGrid(o.grid) : o.grid;
  if (!o.dataDir) await ensureSynthDataset({ dir: nb.synthDir, seed: 0 }); // built on first use, as the notebooks before this one do
  const bar = cellProgress(`${grid.name}: cells`);
  try {
    return await runExperiment({
      grid, characters: o.characters, seeds: o.seeds ?? 1, out: nb.paths.experiment(o.out), dataDir: o.dataDir ?? nb.synthDir,
      baseDir: nb.paths.base, judgesDir: o.judgesDir ?? nb.paths.judges, textJudgesDir: nb.paths.textJudges, heldOutJudgesDir: o.heldOutJudgesDir,
      command: o.command, log: console.log, onCell: bar.onCell,
    });
  } finally {
    bar.close();
  }
}
