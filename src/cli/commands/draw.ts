/**
 * `cmrp draw --character NAME --model DIR --out FILE.png`: what a policy draws for the character's
 * held-out text-to-image prompts (the evaluation's prompts, its sampling and its prompt context), one
 * row per prompt: the first reference image, then the samples. Same seed, same picture. For looking
 * at a model, not for scoring it (`cmrp eval` scores).
 */
import type { Command } from 'commander';
import * as fs from 'node:fs';
import { loadCheckedCharacter } from '../../data/rolescape';
import { checkPngHeader } from '../../data/rolescape/png';
import { referenceImages } from '../../data/shots';
import { loadPolicy } from '../../eval/load-policy';
import { PolicySession, sampling } from '../../eval/suite/session';
import { EvalConfigSchema } from '../../eval/suite/config';
import { gatherT2i } from '../../eval/suite/t2i';
import { heldOutGrpo } from '../../eval/suite/items';
import { imageToModelSize, modelImageToPng } from '../../tokenizers/image-io';
import { drawingsGrid } from '../../viz/image-figures';
import { Rng } from '../../util/rng';
import { UserError } from '../../util/errors';
import { writeFileAtomic } from '../../util/fs';
import { claimOutFile } from '../../util/run-out';
import { resolveDataDir } from '../customize';
import { wholeNumber } from '../options';

interface Opts { character: string; model: string; data?: string; prompts: number; samples: number; seed: number; temperature: string; out: string; force: boolean; allowInvalid: boolean }

/** A PNG may be replaced (a figure this command wrote before); any other file needs --force. */
function isPng(file: string): boolean {
  try {
    const fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(33); // signature + IHDR
    const n = fs.readSync(fd, head, 0, head.length, 0);
    fs.closeSync(fd);
    return checkPngHeader(head.subarray(0, n)).ok;
  } catch {
    return false;
  }
}

export function register(program: Command): void {
  program
    .command('draw')
    .description("draw a policy's held-out text-to-image prompts for one character into a PNG grid (reference, then samples; one row per prompt)")
    .requiredOption('--character <name>', 'character id or folder name in the dataset')
    .requiredOption('--model <dir>', 'model checkpoint folder (config.json) or policy folder (policy.json)')
    .requiredOption('--out <file>', 'the PNG to write')
    .option('--data <dir>', 'a RoleScape-20 folder (default: the embedded synthetic dataset)')
    .option('--prompts <n>', 'held-out prompts, in the evaluation order', wholeNumber(1, 100), 4)
    .option('--samples <n>', 'drawings per prompt', wholeNumber(1, 32), 6)
    .option('--seed <n>', 'sampling seed', wholeNumber(0, 2 ** 31 - 1), 1)
    .option('--temperature <t>', "sampling temperature (default: the evaluation's draw_temperature; 0: greedy)", String(EvalConfigSchema.parse({}).draw_temperature))
    .option('--force', 'replace an --out file that is not a PNG', false)
    .option('--allow-invalid', 'draw even when the character has data errors (as `cmrp data validate` reports them)', false)
    .action(async (o: Opts) => {
      const temperature = Number(o.temperature);
      if (!(Number.isFinite(temperature) && temperature >= 0 && temperature <= 10)) throw new UserError(`--temperature: expected a number from 0 to 10, found "${o.temperature}"`);
      if (!o.out.toLowerCase().endsWith('.png')) throw new UserError(`--out ${o.out}: expected a .png file`);
      claimOutFile(o.out, 'drawing grid', isPng, { force: o.force });
      const t0 = Date.now();
      const { character: c } = await loadCheckedCharacter(await resolveDataDir(o.data), o.character, { allowInvalid: o.allowInvalid });
      const prompts = heldOutGrpo(c).slice(0, o.prompts);
      if (!prompts.length) throw new UserError(`${c.id}: no held-out text-to-image prompts (its grpo/ file is empty)`);
      const refs = referenceImages(c, 1);
      const reference = await modelImageToPng(await imageToModelSize(refs[0].path));
      const policy = await loadPolicy(o.model);
      try {
        const groups = await gatherT2i(new PolicySession(policy, c), prompts, o.samples, sampling(new Rng(o.seed), temperature, 0));
        const png = await drawingsGrid(groups.map((g) => ({ label: g.prompt.text.slice(0, 48), reference, drawings: g.drawings })));
        writeFileAtomic(o.out, png);
      } finally {
        policy.dispose();
      }
      console.log(`draw: ${prompts.length} prompts x ${o.samples} samples of ${policy.name} for ${c.id} in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${o.out}`);
    });
}
