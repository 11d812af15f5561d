import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertBaseCheckpoint, resolveSftConfig, SftConfig } from '../../train/sft';
import { UserError } from '../../util/errors';
import { writeJsonAtomic } from '../../util/fs';
import { loadCheckedCharacter } from '../../data/rolescape';
import { claimRun, forceOption } from '../out';
import { wholeNumber } from '../options';
import { POLICY_FORMAT } from '../../eval/load-policy';
import { defaultBaseDir, resolveDataDir, runSftToEnd } from '../customize';

const KINDS = ['prompt-only', 'image-only', 'text-only', 'separate'] as const;

export function register(program: Command): void {
  const cmd = program
    .command('baseline')
    .description('make a baseline policy for a character, scored by `cmrp eval` like any model: prompt-only, image-only (DreamBooth-style), text-only, separate')
    .requiredOption('--kind <kind>', KINDS.join('|'))
    .requiredOption('--character <name>', 'character id or folder name in the dataset')
    .requiredOption('--out <dir>', 'where the baseline is written')
    .option('--data <dir>', 'a RoleScape-20 folder (default: the embedded synthetic dataset)')
    .option('--shots <k>', 'reference images K (default 10)', wholeNumber(1, 1000))
    .option('--config <name|file>', 'SFT preset (default, smoke) or JSON file, for the finetuned baselines', 'default')
    .option('--base <dir>', 'base checkpoint', defaultBaseDir())
    .option('--text <dir>', 'separate: an existing text-only finetune to reuse')
    .option('--image <dir>', 'separate: an existing image-only finetune to reuse')
    .option('--allow-invalid', 'proceed even when the character has data errors (as `cmrp data validate` reports them)', false)
    .option('--quiet', 'no progress bar', false);
  forceOption(cmd).action(async (o: { kind: string; character: string; out: string; data?: string; shots?: number; config: string; base: string; text?: string; image?: string; quiet: boolean; force: boolean; allowInvalid: boolean }) => {
      if (!(KINDS as readonly string[]).includes(o.kind)) throw new UserError(`--kind: "${o.kind}" is not one of ${KINDS.join(', ')}`);
      const data = await resolveDataDir(o.data);
      const { character } = await loadCheckedCharacter(data, o.character, { allowInvalid: o.allowInvalid }); // fails early, naming the known characters
      assertBaseCheckpoint(o.base);
      const shots = o.shots !== undefined ? { shots: o.shots } : {};
      const config = resolveSftConfig(o.config, shots);
      claimRun(o.out, { kind: `baseline-${o.kind}`, character: character.id, config, base: path.resolve(o.base) }, { force: o.force });
      const sft = (d: SftConfig['data'], out: string) => runSftToEnd(resolveSftConfig(o.config, { ...shots, data: d }), { base: o.base, data, character, out, quiet: o.quiet });
      const t0 = Date.now();
      if (o.kind === 'prompt-only') {
        writeJsonAtomic(path.join(o.out, 'policy.json'), { format: POLICY_FORMAT, kind: 'prompt-only', model: path.relative(path.resolve(o.out), path.resolve(o.base)), reference_images: 0 });
      } else if (o.kind === 'image-only' || o.kind === 'text-only') {
        await sft(o.kind, o.out);
      } else {
        const text = o.text ?? path.join(o.out, 'text-only');
        const image = o.image ?? path.join(o.out, 'image-only');
        if (!o.text) await sft('text-only', text);
        if (!o.image) await sft('image-only', image);
        const rel = (p: string) => path.relative(path.resolve(o.out), path.resolve(p));
        writeJsonAtomic(path.join(o.out, 'policy.json'), { format: POLICY_FORMAT, kind: 'separate', text: rel(text), image: rel(image) });
      }
      console.log(`baseline: ${o.kind} for ${character.id} in ${((Date.now() - t0) / 1000).toFixed(1)} s; saved to ${o.out}`);
    });
}
