import type { Command } from 'commander';
import * as path from 'node:path';
import { PRETRAIN_PRESETS, preparePretrain, resolvePretrainConfig, worldDirFor } from '../../train/pretrain';
import { formatLogRow, LM_CONFIG_KEY_RENAMES } from '../../train/lm-trainer';
import { upgradeStoredKeys } from '../../util/deprecated-keys';
import { parseWorkers } from '../../parallel/pool';
import { progressBar } from '../../util/progress';
import { projectRoot } from '../../util/paths';
import { checkpointIdentity, claimRun, forceOption, runConfig } from '../out';
import { wholeNumber } from '../options';

export function register(program: Command): void {
  const cmd = program
    .command('pretrain')
    .description('pretrain the base unified model on the synthetic world corpus (resumes when --out holds a checkpoint)')
    .option('--config <name|file>', `preset (${Object.keys(PRETRAIN_PRESETS).join(', ')}) or a JSON file in the same shape`, 'base')
    .requiredOption('--out <dir>', 'checkpoint folder (weights, config, tokenizers, history.jsonl)')
    .option('--world <dir>', 'where the world corpus is (built there when missing; default data/world for 240 characters, data/world<N> for N)')
    .option('--steps <n>', 'train at most this many more steps in this invocation', wholeNumber(1, 1_000_000))
    .option('--workers <n>', 'data-parallel workers, one thread each (default: the config\'s train.workers, 0 = one per core)', parseWorkers)
    .option('--quiet', 'no progress bar', false);
  forceOption(cmd).action(async (opts: { config: string; out: string; world?: string; steps?: number; workers?: number; quiet: boolean; force: boolean }) => {
    const config = resolvePretrainConfig(opts.config);
    if (opts.workers !== undefined) config.train.workers = opts.workers;
    // a resume may extend the schedule (train.steps: the base's warm restart) and change the workers, nothing else
    const id = runConfig(config);
    const { steps: _steps, ...train } = id.train;
    const claim = claimRun(opts.out, { kind: 'pretrain', config: { ...id, train } }, { force: opts.force, legacy: checkpointIdentity, upgradeConfig: (c) => upgradeStoredKeys(c, LM_CONFIG_KEY_RENAMES) });
    const t0 = Date.now();
    const worldDir = opts.world ?? worldDirFor(path.join(projectRoot(), 'data'), config.world_characters, config.world_placement);
    const run = await preparePretrain(config, { outDir: opts.out, worldDir, log: (s) => console.log(s) });
    const { trainer } = run;
    const todo = opts.steps !== undefined ? Math.min(opts.steps, config.train.steps - trainer.step) : config.train.steps - trainer.step;
    const bar = progressBar('pretrain', todo, { quiet: opts.quiet });
    try {
      await trainer.run(todo, (row) => {
        bar.tick(1, `loss ${row.loss.toFixed(3)}`);
        if (row.step % config.train.log_interval === 0 || row.val) console.log(formatLogRow(row, config.train.steps));
      });
    } finally {
      bar.stop();
      await trainer.dispose(); // the data-parallel workers, also when stopped early (--steps) or by an error
    }
    claim.release();
    console.log(`pretrain: step ${trainer.step}/${config.train.steps} in ${((Date.now() - t0) / 1000).toFixed(1)} s; checkpoint in ${opts.out}`);
  });
}
