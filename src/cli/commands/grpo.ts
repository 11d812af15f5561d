import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GRPO_KEY_RENAMES, grpoIdentity, resolveGrpoConfig } from '../../train/grpo-config';
import { upgradeStoredKeys } from '../../util/deprecated-keys';
import { prepareGrpo } from '../../train/grpo-setup';
import { fromOfficialYaml } from '../../rewards';
import { loadCheckedCharacter } from '../../data/rolescape';
import { splitGrpoPrompts } from '../../data/grpo-split';
import { UserError } from '../../util/errors';
import { projectRoot } from '../../util/paths';
import { resolveDataDir } from '../customize';
import { progressBar } from '../../util/progress';
import { checkpointIdentity, claimRun, forceOption } from '../out';
import { parseWorkers } from '../../parallel/pool';
import { wholeNumber } from '../options';

interface Opts { character: string; model: string; out: string; data?: string; config: string; officialYaml?: string; steps?: number; workers?: number; judges: string; textJudges: string; quiet: boolean; force: boolean; allowInvalid: boolean; json: boolean }

export function register(program: Command): void {
  const root = projectRoot();
  const cmd = program
    .command('grpo')
    .description('Character-GRPO after Unified-SFT: on text-to-image (default) or whole role-play turns (config rollouts: roleplay); resumes when --out holds the run')
    .requiredOption('--character <name>', 'character id or folder name in the dataset')
    .requiredOption('--model <dir>', 'the Unified-SFT model (checkpoint or adapter folder)')
    .requiredOption('--out <dir>', 'where the GRPO model, grpo_history.jsonl and sample grids go')
    .option('--data <dir>', 'a RoleScape-20 folder (default: the embedded synthetic dataset)')
    .option('--config <name|file>', 'preset (default, smoke) or a JSON file of the GrpoSchema shape', 'default')
    .option('--official-yaml <file>', "take reward weights and thresholds from an official personalized_t2i_bagel.yaml's reward_weights block")
    .option('--steps <n>', 'train at most this many more steps in this invocation', wholeNumber(1, 1_000_000))
    .option('--workers <n>', "threads that draw the groups and compute the update (default: the config's workers, 0 = one per core; LoRA uses one)", parseWorkers)
    .option('--judges <dir>', 'image judges', path.join(root, 'checkpoints', 'judges'))
    .option('--text-judges <dir>', 'text judges (for the text-side rewards)', path.join(root, 'checkpoints', 'text-judges'))
    .option('--allow-invalid', 'train even when the character has data errors (as `cmrp data validate` reports them)', false)
    .option('--json', 'print the result as one JSON object on stdout (log lines go to stderr)', false)
    .option('--quiet', 'no progress bar', false);
  forceOption(cmd).action(async (o: Opts) => {
    const t0 = Date.now();
    const log = (l: string) => (o.json ? process.stderr.write(l + '\n') : console.log(l));
    let overrides: Record<string, unknown> = {};
    if (o.officialYaml) {
      if (!fs.existsSync(o.officialYaml) || !fs.statSync(o.officialYaml).isFile()) throw new UserError(`--official-yaml: ${o.officialYaml}: no such file`);
      overrides = { rewards: fromOfficialYaml(fs.readFileSync(o.officialYaml, 'utf8'), o.officialYaml) };
    }
    if (o.workers !== undefined) overrides = { ...overrides, workers: o.workers };
    const config = resolveGrpoConfig(o.config, overrides);
    const data = await resolveDataDir(o.data);
    const { character } = await loadCheckedCharacter(data, o.character, { allowInvalid: o.allowInvalid });
    const prompts = splitGrpoPrompts(character.grpo).train.length;
    if (config.rollouts === 't2i' && config.prompts_per_step > prompts) {
      throw new UserError(`prompts_per_step: ${config.prompts_per_step}, but ${character.id} has ${prompts} GRPO training prompts; use at most ${prompts}`);
    }
    const claim = claimRun(o.out, { kind: 'grpo', character: character.id, config: grpoIdentity(config), base: path.resolve(o.model) }, { force: o.force, legacy: checkpointIdentity, upgradeConfig: (c) => upgradeStoredKeys(c, GRPO_KEY_RENAMES) });
    const trainer = await prepareGrpo(config, { modelDir: o.model, dataDir: data, character, outDir: o.out, judgesDir: o.judges, textJudgesDir: o.textJudges, log });
    const todo = o.steps !== undefined ? Math.min(o.steps, config.steps - trainer.step) : config.steps - trainer.step;
    log(`grpo: ${trainer.workerCount} worker${trainer.workerCount > 1 ? 's' : ''}`);
    const bar = progressBar('grpo', todo, { quiet: o.quiet });
    const t1 = Date.now();
    try {
      await trainer.run(todo, (r) => {
        bar.tick(1, `reward ${r.reward.total.mean.toFixed(3)}`);
        if (r.step % 10 === 0 || r.step === config.steps) {
          const comps = Object.entries(r.reward).filter(([k]) => k !== 'total').map(([k, s]) => `${k} ${s.mean.toFixed(3)}`).join(', ');
          log(`step ${r.step}/${config.steps}: reward ${r.reward.total.mean.toFixed(3)} ± ${r.reward.total.std.toFixed(3)} (${comps}); zero-std groups ${(100 * r.frac_reward_zero_std).toFixed(0)}%, kl ${r.kl.toFixed(4)}, clip ${r['clip_ratio/region_mean'].toFixed(3)}, entropy ${r.entropy.toFixed(2)}, ${r.ms.toFixed(0)} ms (sample ${r.ms_sample.toFixed(0)}, reward ${r.ms_reward.toFixed(0)}, update ${r.ms_update.toFixed(0)})`);
        }
      });
    } finally {
      bar.stop();
    }
    if (trainer.step < config.steps) await trainer.save(o.out); // a partial run (--steps) resumes from here
    await trainer.dispose();
    trainer.parts.judges.dispose();
    claim.release();
    const last = trainer.history[trainer.history.length - 1];
    const seconds = (Date.now() - t1) / 1000;
    if (o.json) process.stdout.write(JSON.stringify({ command: 'grpo', character: character.id, steps_run: todo, step: trainer.step, steps: config.steps, seconds, reward: last?.reward ?? null, out: o.out }) + '\n');
    else console.log(`grpo: ${todo} steps in ${seconds.toFixed(1)} s (${((Date.now() - t0) / 1000).toFixed(1)} s with loading); step ${trainer.step}/${config.steps}; saved to ${o.out}`);
  });
}
