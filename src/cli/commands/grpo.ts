import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveGrpoConfig } from '../../train/grpo-config';
import { prepareGrpo } from '../../train/grpo-setup';
import { fromOfficialYaml } from '../../rewards';
import { UserError } from '../../util/errors';
import { projectRoot } from '../../util/paths';
import { resolveDataDir } from '../customize';
import { progressBar } from '../progress';

export function register(program: Command): void {
  const root = projectRoot();
  program
    .command('grpo')
    .description('Character-GRPO after Unified-SFT: on text-to-image (default) or whole role-play turns (config rollouts: roleplay); resumes when --out holds the run')
    .requiredOption('--character <name>', 'character id in the dataset')
    .requiredOption('--model <dir>', 'the Unified-SFT model (checkpoint or adapter folder)')
    .requiredOption('--out <dir>', 'where the GRPO model, grpo_history.jsonl and sample grids go')
    .option('--data <dir>', 'a RoleScape-20 folder (default: the embedded synthetic dataset)')
    .option('--config <name|file>', 'preset (default, smoke) or a JSON file of the GrpoSchema shape', 'default')
    .option('--official-yaml <file>', "take reward weights and thresholds from an official personalized_t2i_bagel.yaml's reward_weights block")
    .option('--steps <n>', 'train at most this many more steps in this invocation')
    .option('--judges <dir>', 'image judges', path.join(root, 'checkpoints', 'judges'))
    .option('--text-judges <dir>', 'text judges (for the text-side rewards)', path.join(root, 'checkpoints', 'text-judges'))
    .option('--quiet', 'no progress bar', false)
    .action(async (o: { character: string; model: string; out: string; data?: string; config: string; officialYaml?: string; steps?: string; judges: string; textJudges: string; quiet: boolean }) => {
      const t0 = Date.now();
      let overrides: Record<string, unknown> = {};
      if (o.officialYaml) {
        if (!fs.existsSync(o.officialYaml)) throw new UserError(`--official-yaml: ${o.officialYaml}: no such file`);
        overrides = { rewards: fromOfficialYaml(fs.readFileSync(o.officialYaml, 'utf8'), o.officialYaml) };
      }
      const config = resolveGrpoConfig(o.config, overrides);
      const data = await resolveDataDir(o.data);
      const trainer = await prepareGrpo(config, { modelDir: o.model, dataDir: data, character: o.character, outDir: o.out, judgesDir: o.judges, textJudgesDir: o.textJudges, log: (l) => console.log(l) });
      const todo = o.steps ? Math.min(Number(o.steps), config.steps - trainer.step) : config.steps - trainer.step;
      const bar = progressBar('grpo', todo, { quiet: o.quiet });
      const t1 = Date.now();
      await trainer.run(todo, (r) => {
        bar.tick(1, `reward ${r.reward.total.mean.toFixed(3)}`);
        if (r.step % 10 === 0 || r.step === config.steps) {
          const comps = Object.entries(r.reward).filter(([k]) => k !== 'total').map(([k, s]) => `${k} ${s.mean.toFixed(3)}`).join(', ');
          console.log(`step ${r.step}/${config.steps}: reward ${r.reward.total.mean.toFixed(3)} ± ${r.reward.total.std.toFixed(3)} (${comps}); zero-std groups ${(100 * r.frac_zero_std).toFixed(0)}%, kl ${r.kl.toFixed(4)}, clip ${r.clip_frac.toFixed(3)}, entropy ${r.entropy.toFixed(2)}, ${r.ms.toFixed(0)} ms (sample ${r.ms_sample.toFixed(0)}, reward ${r.ms_reward.toFixed(0)}, update ${r.ms_update.toFixed(0)})`);
        }
      });
      bar.stop();
      if (trainer.step < config.steps) await trainer.save(o.out); // a partial run (--steps) resumes from here
      trainer.parts.judges.dispose();
      console.log(`grpo: ${todo} steps in ${((Date.now() - t1) / 1000).toFixed(1)} s (${((Date.now() - t0) / 1000).toFixed(1)} s with loading); step ${trainer.step}/${config.steps}; saved to ${o.out}`);
    });
}
