/** What `cmrp sft` and `cmrp baseline` share: default folders, and running SFT with a progress bar. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureSynthDataset } from '../data/synth';
import { defaultSynthDir, projectRoot } from '../util/paths';
import { UserError } from '../util/errors';
import { prepareSft, SftConfig } from '../train/sft';
import { formatLogRow } from '../train/lm-trainer';
import { progressBar } from './progress';

export const defaultBaseDir = (): string => path.join(projectRoot(), 'checkpoints', 'base');

/** --data, or the embedded synthetic dataset (built on first use). */
export async function resolveDataDir(data?: string): Promise<string> {
  if (data) {
    if (!fs.existsSync(data)) throw new UserError(`--data: ${data}: no such folder`);
    return data;
  }
  await ensureSynthDataset({ dir: defaultSynthDir(), seed: 0 });
  return defaultSynthDir();
}

/** Run (or resume) one SFT to the end and save it to `out`; returns seconds taken. */
export async function runSftToEnd(config: SftConfig, o: { base: string; data: string; character: string; out: string; quiet?: boolean }): Promise<number> {
  const t0 = Date.now();
  const run = await prepareSft(config, { baseDir: o.base, dataDir: o.data, character: o.character, outDir: o.out, log: (s) => console.log(s) });
  const { trainer } = run;
  const bar = progressBar(`sft ${run.character.id}`, config.train.steps - trainer.step, { quiet: o.quiet });
  await trainer.run(undefined, (row) => {
    bar.tick(1, `loss ${row.loss.toFixed(3)}`);
    if (row.step % config.train.log_interval === 0 || row.val) console.log(formatLogRow(row, config.train.steps));
  });
  bar.stop();
  run.model.dispose();
  return (Date.now() - t0) / 1000;
}
