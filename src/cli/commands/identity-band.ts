import type { Command } from 'commander';
import * as path from 'node:path';
import { bandQuantiles, identityBandValues, BAND_SETS } from '../../rewards/calibrate';
import { RewardConfigSchema } from '../../rewards/config';
import { loadJudges } from '../../judges';
import { loadTokenizers } from '../../tokenizers';
import { ensureEvalFolder } from '../../data/synth';
import { loadRoleScape } from '../../data/rolescape';
import { projectRoot } from '../../util/paths';
import { chooseCharacters, wholeNumber } from '../options';

const pct = (part: number, all: number): string => (all ? `${((100 * part) / all).toFixed(1)}%` : 'n/a');

export function register(program: Command): void {
  const root = projectRoot();
  program
    .command('identity-band')
    .description("where the identity band's thresholds come from: s (max dino cosine to a character's band references) for copies, the character's other training images and other characters' images, as PNGs and as tokenizer reconstructions (training images only)")
    .option('--judges <dir>', 'image judges', path.join(root, 'checkpoints', 'judges'))
    .option('--tokenizers <dir>', "the checkpoint whose image tokenizer reconstructs (the policy's)", path.join(root, 'checkpoints', 'base'))
    .option('--eval <dir>', 'the evaluation characters (data/synth is kept current; another folder is built when missing)', path.join(root, 'data', 'synth'))
    .option('--characters <all|N|a,b,c>', 'as `cmrp experiment` takes them', 'all')
    .option('--shots <k>', 'reference images (the band references)', wholeNumber(1, 100), 10)
    .option('--json', 'print one JSON object', false)
    .action(async (o: { judges: string; tokenizers: string; eval: string; characters: string; shots: number; json: boolean }) => {
      await ensureEvalFolder(o.eval);
      const characters = chooseCharacters((await loadRoleScape(o.eval)).characters, o.characters);
      const judges = loadJudges(o.judges);
      const { image } = loadTokenizers(o.tokenizers);
      const { dino_threshold_low: low, dino_threshold_high: high } = RewardConfigSchema.parse({});
      const out: Record<string, unknown> = { characters: characters.length, shots: o.shots, dino_threshold_low: low, dino_threshold_high: high };
      try {
        for (const withReconstructions of [false, true]) {
          const v = await identityBandValues(judges, characters, image, { shots: o.shots, withReconstructions });
          const sets = Object.fromEntries(BAND_SETS.map((k) => [k, { ...bandQuantiles(v[k]), below_low: v[k].filter((x) => x < low).length, at_or_above_high: v[k].filter((x) => x >= high).length }]));
          out[withReconstructions ? 'band_pngs_and_reconstructions' : 'band_pngs'] = sets;
          if (o.json) continue;
          console.log(`band references = ${withReconstructions ? 'the reference PNGs + their reconstructions' : 'the reference PNGs'} (${characters.length} characters, K = ${o.shots}, training images only)`);
          console.log(`${'set'.padEnd(32)} ${'n'.padStart(5)}     p1     p5    p50    p95    p99  (min-max)   < ${low}   >= ${high}`);
          for (const k of BAND_SETS) {
            const b = sets[k];
            if (!b.n) { console.log(`${k.padEnd(32)} ${'0'.padStart(5)}`); continue; }
            const f = (x: number) => x.toFixed(3).padStart(6);
            console.log(`${k.padEnd(32)} ${String(b.n).padStart(5)} ${f(b.p1)} ${f(b.p5)} ${f(b.p50)} ${f(b.p95)} ${f(b.p99)}  (${b.min.toFixed(3)}-${b.max.toFixed(3)})  ${pct(b.below_low, b.n).padStart(6)}  ${pct(b.at_or_above_high, b.n).padStart(6)}`);
          }
        }
      } finally {
        judges.dispose();
      }
      if (o.json) console.log(JSON.stringify(out));
    });
}
