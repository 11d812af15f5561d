/**
 * The Unified-SFT model of a character, as the notebooks need it: trained in its run folder when
 * the run is not there or not finished, else loaded from it (a finished run trains nothing). The
 * model is tracked by the notebook context and freed by its `dispose()`.
 */
import type { Character } from '../data/rolescape';
import { mean } from '../util/stats';
import { prepareSft, resolveSftConfig, type SftRun } from '../train/sft';
import { TASKS } from '../train/tasks';
import { liveTraining } from '../viz/live-training';
import { progressBar } from '../viz/progress';
import type { NotebookContext } from './context';

export interface EnsureSftOptions {
  /** 'curves': each task's loss (train, and held-out dotted) redrawn live over the bar; 'bar' (default): the bar alone. */
  display?: 'curves' | 'bar';
  /** The dataset (default the synthetic world) and the run folder (default `nb.paths.sftRun(character.id)`). */
  dataDir?: string;
  outDir?: string;
}

export interface EnsuredSft extends SftRun {
  dir: string;
}

const seriesOf = (kind: 'train' | 'held-out') => TASKS.map((t) => `${t} (${kind})`);

export async function ensureSft(nb: NotebookContext, character: Character, opts: EnsureSftOptions = {}): Promise<EnsuredSft> {
  const dir = opts.outDir ?? nb.paths.sftRun(character.id);
  const run = await prepareSft(resolveSftConfig(nb.preset), { baseDir: nb.paths.base, dataDir: opts.dataDir ?? nb.synthDir, character, outDir: dir, log: console.log });
  nb.track({ dispose: () => (run.model.adapters?.dispose(), run.model.dispose()) });
  const title = `Unified-SFT on ${character.id}`, left = run.trainer.config.steps - run.trainer.step;
  if (opts.display === 'curves') {
    const view = liveTraining(title, left, [...seriesOf('train'), ...seriesOf('held-out')], { yLabel: 'cross-entropy (nats/token)' });
    await run.trainer.run(undefined, (r) => {
      const point: Record<string, number> = {};
      for (const [t, v] of Object.entries(r.tasks ?? {})) point[`${t} (train)`] = v!;
      for (const [t, v] of Object.entries(r.val ?? {})) point[`${t} (held-out)`] = v!;
      view.push(r.step, point, `loss ${r.loss.toFixed(3)}`);
    });
    view.close();
  } else {
    const bar = progressBar(title, left);
    await run.trainer.run(undefined, () => bar.tick());
    bar.close();
  }
  const ms = run.trainer.history.map((r) => r.ms);
  console.log(`${run.trainer.step} steps, ${((mean(ms) * ms.length) / 1000).toFixed(1)} s of training (${mean(ms).toFixed(0)} ms/step)`);
  return { ...run, dir };
}
