import type { Command } from 'commander';
import * as path from 'node:path';
import { preparePretrain, resolvePretrainConfig } from '../../train/pretrain';
import { formatLogRow } from '../../train/lm-trainer';
import { progressBar } from '../progress';
import { projectRoot } from '../../util/paths';
import { checkpointIdentity, claimRun, forceOption } from '../out';
import { wholeNumber } from '../options';

export function register(program: Command): void {
  const cmd = program
    .command('pretrain')
    .description('pretrain the base unified model on the synthetic world corpus (resumes when --out holds a checkpoint)')
    .option('--config <name|file>', 'preset (base, smoke) or a JSON file in the same shape', 'base')
    .requiredOption('--out <dir>', 'checkpoint folder (weights, config, tokenizers, history.jsonl)')
    .option('--world <dir>', 'where the world corpus is (built there when missing)', path.join(projectRoot(), 'data', 'world'))
    .option('--steps <n>', 'train at most this many more steps in this invocation', wholeNumber(1, 1_000_000))
    .option('--quiet', 'no progress bar', false);
  forceOption(cmd).action(async (opts: { config: string; out: string; world: string; steps?: number; quiet: boolean; force: boolean }) => {
    const config = resolvePretrainConfig(opts.config);
    // a resume may extend the schedule (train.steps: the base's warm restart), nothing else
    const { steps: _steps, ...train } = config.train;
    const claim = claimRun(opts.out, { kind: 'pretrain', config: { ...config, train } }, { force: opts.force, legacy: checkpointIdentity });
    const t0 = Date.now();
    const run = await preparePretrain(config, { outDir: opts.out, worldDir: opts.world, log: (s) => console.log(s) });
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
    }
    claim.release();
    console.log(`pretrain: step ${trainer.step}/${config.train.steps} in ${((Date.now() - t0) / 1000).toFixed(1)} s; checkpoint in ${opts.out}`);
  });
}
