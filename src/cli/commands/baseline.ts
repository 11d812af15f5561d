import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveSftConfig, SftConfig } from '../../train/sft';
import { UserError } from '../../util/errors';
import { writeJsonAtomic } from '../../util/fs';
import { loadCharacter } from '../../data/rolescape';
import { POLICY_FORMAT } from '../../eval/load-policy';
import { defaultBaseDir, resolveDataDir, runSftToEnd } from '../customize';

const KINDS = ['prompt-only', 'image-only', 'text-only', 'separate'] as const;

export function register(program: Command): void {
  program
    .command('baseline')
    .description('make a baseline policy for a character, scored by `cmrp eval` like any model: prompt-only, image-only (DreamBooth-style), text-only, separate')
    .requiredOption('--kind <kind>', KINDS.join('|'))
    .requiredOption('--character <name>', 'character id in the dataset')
    .requiredOption('--out <dir>', 'where the baseline is written')
    .option('--data <dir>', 'a RoleScape-20 folder (default: the embedded synthetic dataset)')
    .option('--shots <k>', 'reference images K (default 10)')
    .option('--config <name|file>', 'SFT preset (default, smoke) or JSON file, for the finetuned baselines', 'default')
    .option('--base <dir>', 'base checkpoint', defaultBaseDir())
    .option('--text <dir>', 'separate: an existing text-only finetune to reuse')
    .option('--image <dir>', 'separate: an existing image-only finetune to reuse')
    .option('--quiet', 'no progress bar', false)
    .action(async (o: { kind: string; character: string; out: string; data?: string; shots?: string; config: string; base: string; text?: string; image?: string; quiet: boolean }) => {
      if (!(KINDS as readonly string[]).includes(o.kind)) throw new UserError(`--kind: "${o.kind}" is not one of ${KINDS.join(', ')}`);
      const data = await resolveDataDir(o.data);
      await loadCharacter(data, o.character); // fails early, naming the known characters
      if (!fs.existsSync(path.join(o.base, 'config.json'))) throw new UserError(`--base: ${o.base}: no model checkpoint there`);
      const shots = o.shots ? { shots: Number(o.shots) } : {};
      const sft = (d: SftConfig['data'], out: string) => runSftToEnd(resolveSftConfig(o.config, { ...shots, data: d }), { base: o.base, data, character: o.character, out, quiet: o.quiet });
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
      console.log(`baseline: ${o.kind} for ${o.character} in ${((Date.now() - t0) / 1000).toFixed(1)} s; saved to ${o.out}`);
    });
}
