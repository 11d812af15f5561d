import type { Command } from 'commander';
import * as path from 'node:path';
import { assertBaseCheckpoint, resolveSftConfig } from '../../train/sft';
import { LM_CONFIG_KEY_RENAMES } from '../../train/lm-trainer';
import { upgradeStoredKeys } from '../../util/deprecated-keys';
import { parseWorkers } from '../../parallel/pool';
import { checkTrainConfig } from '../../train/lm-trainer';
import { loadCheckedCharacter } from '../../data/rolescape';
import { UserError } from '../../util/errors';
import { defaultBaseDir, resolveDataDir, runSftToEnd } from '../customize';
import { checkpointIdentity, claimRun, forceOption, runConfig } from '../out';
import { wholeNumber } from '../options';

interface Opts { character: string; out: string; data?: string; shots?: number; config: string; lora: boolean; base: string; workers?: number; quiet: boolean; force: boolean; allowInvalid: boolean; json: boolean }

export function register(program: Command): void {
  const cmd = program
    .command('sft')
    .description('Unified-SFT: customize the base model to one character (all tasks, K reference images); resumes when --out holds the run')
    .requiredOption('--character <name>', 'character id or folder name in the dataset')
    .requiredOption('--out <dir>', 'where the finetuned model (or LoRA adapter) is saved')
    .option('--data <dir>', 'a RoleScape-20 folder (default: the embedded synthetic dataset, built on first use)')
    .option('--shots <k>', 'reference images K (default 10)', wholeNumber(1, 1000))
    .option('--config <name|file>', 'preset (default, smoke) or a JSON file of the SftSchema shape', 'default')
    .option('--lora', 'train LoRA adapters (saved apart from the base) instead of all weights', false)
    .option('--base <dir>', 'base checkpoint', defaultBaseDir())
    .option('--workers <n>', 'data-parallel workers, one thread each (default: the config\'s train.workers, 0 = one per core; LoRA trains on one)', parseWorkers)
    .option('--allow-invalid', 'train even when the character has data errors (as `cmrp data validate` reports them)', false)
    .option('--json', 'print the result as one JSON object on stdout', false)
    .option('--quiet', 'no progress bar', false);
  forceOption(cmd).action(async (o: Opts) => {
    const overrides = { ...(o.shots !== undefined ? { shots: o.shots } : {}), ...(o.lora ? { mode: 'lora' as const } : {}), ...(o.workers !== undefined ? { train: { workers: o.workers } } : {}) };
    const config = resolveSftConfig(o.config, overrides);
    checkTrainConfig(config.train); // cross-field checks before any data is read
    const data = await resolveDataDir(o.data);
    const { character } = await loadCheckedCharacter(data, o.character, { allowInvalid: o.allowInvalid });
    if (config.shots > character.images.train.length) {
      throw new UserError(`shots: ${config.shots} reference images asked for (--shots or the config's shots), but ${character.id} has ${character.images.train.length} valid training images`);
    }
    assertBaseCheckpoint(o.base); // before --out is claimed: a refused run writes nothing
    const claim = claimRun(o.out, { kind: 'sft', character: character.id, config: runConfig(config), base: path.resolve(o.base) }, { force: o.force, legacy: checkpointIdentity, upgradeConfig: (c) => upgradeStoredKeys(c, LM_CONFIG_KEY_RENAMES) });
    const log = o.json ? (s: string) => process.stderr.write(s + '\n') : undefined;
    const seconds = await runSftToEnd(config, { base: o.base, data, character, out: o.out, quiet: o.quiet, log });
    claim.release();
    if (o.json) process.stdout.write(JSON.stringify({ command: 'sft', character: character.id, steps: config.train.steps, seconds, out: o.out }) + '\n');
    else console.log(`sft: ${character.id} ${config.train.steps} steps in ${seconds.toFixed(1)} s; saved to ${o.out}`);
  });
}
