import type { Command } from 'commander';
import * as path from 'node:path';
import { exportOfficial } from '../../export';
import { UserError } from '../../util/errors';
import { resolveDataDir } from '../customize';
import { loadCheckedCharacter } from '../../data/rolescape';
import { claimRun, exportIdentity, forceOption } from '../out';
import type { OutClaim } from '../../util/run-out';
import { wholeNumber } from '../options';

/** `cmrp export official`: one character's SFT and GRPO files for the official UniCharacter pipeline. */
export function register(program: Command): void {
  const group = program.command('export').description('export to other pipelines');
  const cmd = group
    .command('official')
    .description("write one character's Unified-SFT data and dataset config, Character-GRPO prompts and config, as the official UniCharacter code reads them, with a README of the commands")
    .requiredOption('--character <name>', 'character id or folder name in the dataset')
    .requiredOption('--out <dir>', 'the export folder (replaced atomically when it holds an export of this character)')
    .option('--data <dir>', 'a RoleScape-20 folder (default: the embedded synthetic dataset)')
    .option('--sft-config <name|file>', 'SFT preset (default, smoke) or a JSON file of the SftSchema shape: shots, task_weights, mandatory_t2i', 'default')
    .option('--grpo-config <name|file>', 'GRPO preset (default, smoke) or a JSON file of the GrpoSchema shape', 'default')
    .option('--official-yaml <file>', "reward weights and thresholds from this personalized_t2i_bagel.yaml (as cmrp grpo --official-yaml); its other settings fill the exported yaml")
    .option('--shots <k>', 'reference images K (overrides the SFT config)', wholeNumber(1, 1000))
    .option('--allow-invalid', 'export even when the character has data errors (as `cmrp data validate` reports them)', false)
    .option('--json', 'print the summary as one JSON object on stdout', false);
  forceOption(cmd).action(async (o: { character: string; out: string; data?: string; sftConfig: string; grpoConfig: string; officialYaml?: string; shots?: number; force: boolean; allowInvalid: boolean; json: boolean }) => {
      const shots = o.shots;
      const data = await resolveDataDir(o.data);
      const { character } = await loadCheckedCharacter(data, o.character, { allowInvalid: o.allowInvalid });
      if (shots !== undefined && shots > character.images.train.length) throw new UserError(`--shots: ${shots}, but ${character.id} has ${character.images.train.length} valid training images`);
      let claim: OutClaim | undefined;
      const command = ['npx cmrp export official', ...process.argv.slice(process.argv.indexOf('official') + 1).map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a))].join(' ');
      const res = await exportOfficial({
        character, dataDir: data, outDir: o.out, sftConfig: o.sftConfig, grpoConfig: o.grpoConfig, officialYaml: o.officialYaml, shots,
        command: process.argv.includes('official') ? command : undefined,
        warn: (m) => process.stderr.write(`warning: ${m}\n`),
        beforeWrite: () => (claim = claimRun(o.out, { kind: 'export', character: character.id }, { force: o.force, legacy: exportIdentity })),
      });
      claim?.release();
      const c = res.counts;
      if (o.json) {
        process.stdout.write(JSON.stringify({ command: 'export official', character: res.character, references: res.references.length, counts: c, train_prompts: res.trainPrompts, eval_prompts: res.evalPrompts, warnings: res.warnings, files: res.files.length, out: res.outDir }) + '\n');
        return;
      }
      console.log(`export: ${res.character}: K = ${res.references.length} reference images; SFT records t2i ${c.t2i + c.pure_t2i + c.t2i_generation_instruction_only} (dialogue ${c.t2i}, instructions ${c.pure_t2i + c.t2i_generation_instruction_only}), vlm ${c.vlm + c.vlm_extension}, knowledge ${c.knowledge_qa}, vqa ${c.vqa}; GRPO prompts ${res.trainPrompts} (held out: ${res.evalPrompts}); ${res.warnings.length} warning(s)`);
      console.log(`export: ${res.files.length} files in ${res.outDir}; commands in ${path.join(res.outDir, 'README.md')}`);
    });
}
