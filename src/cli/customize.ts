/** What `cmrp sft` and `cmrp baseline` share: default folders, and running SFT with a progress bar. */
import * as path from 'node:path';
import { ensureSynthDataset } from '../data/synth';
import { defaultSynthDir, projectRoot } from '../util/paths';
import { assertDatasetDir } from '../data/rolescape/layout';
import type { Character } from '../data/rolescape';
import { prepareSft, SftConfig } from '../train/sft';
import { formatLogRow } from '../train/lm-trainer';
import { progressBar } from '../util/progress';

export const defaultBaseDir = (): string => path.join(projectRoot(), 'checkpoints', 'base');

/** --data, or the embedded synthetic dataset (built on first use). */
export async function resolveDataDir(data?: string): Promise<string> {
  if (data) {
    assertDatasetDir(data, '--data');
    return data;
  }
  await ensureSynthDataset({ dir: defaultSynthDir(), seed: 0 });
  return defaultSynthDir();
}

/** Run (or resume) one SFT to the end and save it to `out`; returns seconds taken. Log lines go to `log` (default stdout). */
export async function runSftToEnd(config: SftConfig, o: { base: string; data: string; character: string | Character; out: string; quiet?: boolean; log?: (s: string) => void }): Promise<number> {
  const t0 = Date.now();
  const log = o.log ?? ((s: string) => console.log(s));
  const run = await prepareSft(config, { baseDir: o.base, dataDir: o.data, character: o.character, outDir: o.out, log });
  const { trainer } = run;
  const bar = progressBar(`sft ${run.character.id}`, config.train.steps - trainer.step, { quiet: o.quiet });
  try {
    await trainer.run(undefined, (row) => {
      bar.tick(1, `loss ${row.loss.toFixed(3)}`);
      if (row.step % config.train.log_interval === 0 || row.val) log(formatLogRow(row, config.train.steps));
    });
  } finally {
    bar.stop();
    run.model.dispose();
  }
  return (Date.now() - t0) / 1000;
}
