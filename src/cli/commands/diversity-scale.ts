import type { Command } from 'commander';
import * as path from 'node:path';
import { diversityScale } from '../../eval/diversity-scale';
import { loadJudges } from '../../judges';
import { loadTokenizers } from '../../tokenizers';
import { ensureEvalFolder, readSynthIndex } from '../../data/synth';
import { projectRoot } from '../../util/paths';
import { chooseCharacters, wholeNumber } from '../options';
import { loadRoleScape } from '../../data/rolescape';

export function register(program: Command): void {
  const root = projectRoot();
  program
    .command('diversity-scale')
    .description("what t2i_diversity measures: the renderer's drawings of one prompt with the figure centred, moved, scaled or mirrored, scored by the suite's judges")
    .option('--judges <dir>', 'image judges', path.join(root, 'checkpoints', 'judges'))
    .option('--tokenizers <dir>', "drawings pass through this checkpoint's image tokenizer (as the suite's truth drawings do); 'none' for clean renders", path.join(root, 'checkpoints', 'base'))
    .option('--eval <dir>', 'the evaluation characters (data/synth is kept current; another folder is built when missing)', path.join(root, 'data', 'synth'))
    .option('--characters <all|N|a,b,c>', "as `cmrp experiment` takes them (>= 2); default: the main grid's 5", '5')
    .option('--prompts <n>', 'GRPO prompts per character', wholeNumber(1, 100), 8)
    .option('--samples <n>', 'drawings per prompt', wholeNumber(2, 64), 4)
    .option('--seed <n>', 'seed of the drawings and the bootstrap', wholeNumber(0, 2 ** 31), 0)
    .option('--json', 'print one JSON array', false)
    .action(async (o: { judges: string; tokenizers: string; eval: string; characters: string; prompts: number; samples: number; seed: number; json: boolean }) => {
      await ensureEvalFolder(o.eval);
      const tok = o.tokenizers === 'none' ? null : loadTokenizers(o.tokenizers);
      const characters = chooseCharacters((await loadRoleScape(o.eval)).characters, o.characters).map((c) => c.id);
      const rows = await diversityScale({
        judges: loadJudges(o.judges), index: readSynthIndex(o.eval), characters,
        promptsPerCharacter: o.prompts, samplesPerPrompt: o.samples, seed: o.seed, through: tok ? (px) => tok.image.reconstruct(px) : undefined,
      });
      if (o.json) return console.log(JSON.stringify(rows));
      const f = (x: { mean: number; lo: number; hi: number }) => `${x.mean.toFixed(3)} [${x.lo.toFixed(3)}, ${x.hi.toFixed(3)}]`;
      console.log(`n = ${rows[0].diversity.n} prompts per row (${characters.join(', ')}; ${o.samples} drawings each; ${tok ? 'through the image tokenizer' : 'clean renders'}); mean [95% bootstrap]`);
      console.log(`${'placement'.padEnd(36)} ${'diversity'.padEnd(22)} ${'identity_dino'.padEnd(22)} other_character`);
      for (const r of rows) console.log(`${r.placement.padEnd(36)} ${f(r.diversity).padEnd(22)} ${f(r.identity_dino).padEnd(22)} ${f(r.other_character)}`);
    });
}
