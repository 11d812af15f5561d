import type { Command } from 'commander';
import * as path from 'node:path';
import { exportOfficial } from '../../export';
import { UserError } from '../../util/errors';
import { resolveDataDir } from '../customize';

/** `cmrp export official`: one character's SFT and GRPO files for the official UniCharacter pipeline. */
export function register(program: Command): void {
  const group = program.command('export').description('export to other pipelines');
  group
    .command('official')
    .description("write one character's Unified-SFT data and dataset config, Character-GRPO prompts and config, as the official UniCharacter code reads them, with a README of the commands")
    .requiredOption('--character <name>', 'character id in the dataset')
    .requiredOption('--out <dir>', 'the export folder (replaced atomically)')
    .option('--data <dir>', 'a RoleScape-20 folder (default: the embedded synthetic dataset)')
    .option('--sft-config <name|file>', 'SFT preset (default, smoke) or a JSON file of the SftSchema shape: shots, task_weights, mandatory_t2i', 'default')
    .option('--grpo-config <name|file>', 'GRPO preset (default, smoke) or a JSON file of the GrpoSchema shape', 'default')
    .option('--official-yaml <file>', "reward weights and thresholds from this personalized_t2i_bagel.yaml (as cmrp grpo --official-yaml); its other settings fill the exported yaml")
    .option('--shots <k>', 'reference images K (overrides the SFT config)')
    .action(async (o: { character: string; out: string; data?: string; sftConfig: string; grpoConfig: string; officialYaml?: string; shots?: string }) => {
      const shots = o.shots === undefined ? undefined : Number(o.shots);
      if (shots !== undefined && (!Number.isInteger(shots) || shots < 1)) throw new UserError(`--shots: expected a positive integer, found "${o.shots}"`);
      const data = await resolveDataDir(o.data);
      const command = ['npx cmrp export official', ...process.argv.slice(process.argv.indexOf('official') + 1).map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a))].join(' ');
      const res = await exportOfficial({
        character: o.character, dataDir: data, outDir: o.out, sftConfig: o.sftConfig, grpoConfig: o.grpoConfig, officialYaml: o.officialYaml, shots,
        command: process.argv.includes('official') ? command : undefined,
        warn: (m) => process.stderr.write(`warning: ${m}\n`),
      });
      const c = res.counts;
      console.log(`export: ${res.character}: K = ${res.references.length} reference images; SFT records t2i ${c.t2i + c.pure_t2i + c.t2i_generation_instruction_only} (dialogue ${c.t2i}, instructions ${c.pure_t2i + c.t2i_generation_instruction_only}), vlm ${c.vlm + c.vlm_extension}, knowledge ${c.knowledge_qa}, vqa ${c.vqa}; GRPO prompts ${res.trainPrompts} (held out: ${res.evalPrompts}); ${res.warnings.length} warning(s)`);
      console.log(`export: ${res.files.length} files in ${res.outDir}; commands in ${path.join(res.outDir, 'README.md')}`);
    });
}
