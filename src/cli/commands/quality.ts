import type { Command } from 'commander';
import * as path from 'node:path';
import { qualityReport } from '../../eval/quality';
import { ensureWorld } from '../../train/pretrain';
import { ensureSynthDataset } from '../../data/synth';
import { projectRoot } from '../../util/paths';
import { wholeNumber } from '../options';

export function register(program: Command): void {
  const root = projectRoot();
  program
    .command('quality')
    .description('held-out quality of the committed judges and base model, computed fresh from the data')
    .option('--base <dir>', 'base model checkpoint', path.join(root, 'checkpoints', 'base'))
    .option('--judges <dir>', 'image judges', path.join(root, 'checkpoints', 'judges'))
    .option('--world <dir>', 'the world the judges were trained on (built when missing: 1000 characters, seed 0)', path.join(root, 'data', 'world1000'))
    .option('--eval <dir>', 'the evaluation characters (built when missing, seed 0)', path.join(root, 'data', 'synth'))
    .option('--prompts <n>', 'GRPO prompts drawn per evaluation character', wholeNumber(1, 1000), 5)
    .option('--json', 'print one JSON object', false)
    .action(async (o: { base: string; judges: string; world: string; eval: string; prompts: number; json: boolean }) => {
      await ensureWorld(o.world, 1000, 0);
      await ensureSynthDataset({ dir: o.eval, seed: 0 });
      const r = await qualityReport({
        baseDir: o.base, judgesDir: o.judges, worldDir: o.world, evalDir: o.eval,
        promptsPerCharacter: o.prompts, log: o.json ? undefined : (l) => console.error(l),
      });
      if (o.json) console.log(JSON.stringify(r));
      else for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(36)} ${typeof v === 'number' ? +v.toFixed(4) : v}`);
    });
}
