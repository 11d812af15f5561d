import type { Command } from 'commander';
import { resolveSftConfig } from '../../train/sft';
import { parseWorkers } from '../../parallel/pool';
import { defaultBaseDir, resolveDataDir, runSftToEnd } from '../customize';

export function register(program: Command): void {
  program
    .command('sft')
    .description('Unified-SFT: customize the base model to one character (all tasks, K reference images); resumes when --out holds the run')
    .requiredOption('--character <name>', 'character id (folder name) in the dataset')
    .requiredOption('--out <dir>', 'where the finetuned model (or LoRA adapter) is saved')
    .option('--data <dir>', 'a RoleScape-20 folder (default: the embedded synthetic dataset, built on first use)')
    .option('--shots <k>', 'reference images K (default 10)')
    .option('--config <name|file>', 'preset (default, smoke) or a JSON file of the SftSchema shape', 'default')
    .option('--lora', 'train LoRA adapters (saved apart from the base) instead of all weights', false)
    .option('--base <dir>', 'base checkpoint', defaultBaseDir())
    .option('--workers <n>', 'data-parallel workers, one thread each (default: the config\'s train.workers, 0 = one per core; LoRA trains on one)')
    .option('--quiet', 'no progress bar', false)
    .action(async (o: { character: string; out: string; data?: string; shots?: string; config: string; lora: boolean; base: string; workers?: string; quiet: boolean }) => {
      const overrides = { ...(o.shots ? { shots: Number(o.shots) } : {}), ...(o.lora ? { mode: 'lora' as const } : {}), ...(o.workers !== undefined ? { train: { workers: parseWorkers(o.workers) } } : {}) };
      const config = resolveSftConfig(o.config, overrides);
      const data = await resolveDataDir(o.data);
      const seconds = await runSftToEnd(config, { base: o.base, data, character: o.character, out: o.out, quiet: o.quiet });
      console.log(`sft: ${o.character} ${config.train.steps} steps in ${seconds.toFixed(1)} s; saved to ${o.out}`);
    });
}
