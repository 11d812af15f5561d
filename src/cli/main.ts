#!/usr/bin/env node
/**
 * `cmrp`: the command-line entry. Each command lives in src/cli/commands/<name>.ts and
 * registers itself here; all share the same zod configs as the notebooks.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { initBackend, describeBackend } from '../backend/select';
import { projectRoot } from '../util/paths';
import { commanderExit, userFacing } from './errors';
import * as dataValidate from './commands/data-validate';
import * as dataSynth from './commands/data-synth';
import * as notebooksRun from './commands/notebooks-run';
import * as tokenizersCmd from './commands/tokenizers';
import * as pretrainCmd from './commands/pretrain';
import * as benchCmd from './commands/bench';
import * as textJudgesCmd from './commands/text-judges';
import * as judgesCmd from './commands/judges';
import * as qualityCmd from './commands/quality';
import * as diversityScaleCmd from './commands/diversity-scale';
import * as identityBandCmd from './commands/identity-band';
import * as sftCmd from './commands/sft';
import * as baselineCmd from './commands/baseline';
import * as experimentCmd from './commands/experiment';
import * as evalCmd from './commands/eval';
import * as drawCmd from './commands/draw';
import * as grpoCmd from './commands/grpo';
import * as exportCmd from './commands/export';
import * as checkpointsCmd from './commands/checkpoints';

/** Commands that compute nothing with tensors: they do not start the compute backend. */
const NO_BACKEND = new Set(['data validate', 'data synth', 'experiment-figures', 'notebooks run', 'export official', 'checkpoints convert']);

const fullName = (c: Command): string => (c.parent && c.parent.parent ? `${fullName(c.parent)} ${c.name()}` : c.name());

function version(): string {
  try {
    return String((JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

/** `(required)` after the description of every mandatory option, in every command's --help. */
function markRequired(c: Command): void {
  for (const o of c.options as (Option & { mandatory?: boolean })[]) if (o.mandatory && !o.description.endsWith('(required)')) o.description = `${o.description} (required)`;
  for (const sub of c.commands) markRequired(sub);
}

export function buildProgram(): Command {
  const program = new Command('cmrp')
    .description('cmrp-lab: Customized Multimodal Role-Play on a laptop CPU')
    .version(version(), '--version', 'print the cmrp-lab version')
    .exitOverride() // usage errors end in exit 2 (see main), help and --version in 0
    .allowExcessArguments(false) // `cmrp sft extra ...` is a usage error, not a training run; inherited by every command made after
    .hook('preAction', async (_root, action) => {
      if (NO_BACKEND.has(fullName(action))) return;
      // printed once per command, on stderr so that --json output stays clean
      const info = await initBackend();
      process.stderr.write(describeBackend(info) + '\n');
    });
  const data = program.command('data').description('RoleScape-20 data: validate a folder, synthesize the embedded world');
  dataValidate.register(data);
  dataSynth.register(data);
  const notebooks = program.command('notebooks').description('execute the notebooks headless');
  notebooksRun.register(notebooks);
  tokenizersCmd.register(program);
  pretrainCmd.register(program);
  benchCmd.register(program);
  judgesCmd.register(program);
  textJudgesCmd.register(program);
  qualityCmd.register(program);
  diversityScaleCmd.register(program);
  identityBandCmd.register(program);
  sftCmd.register(program);
  baselineCmd.register(program);
  grpoCmd.register(program);
  exportCmd.register(program);
  evalCmd.register(program);
  drawCmd.register(program);
  checkpointsCmd.register(program);
  experimentCmd.register(program);
  experimentCmd.registerFigures(program);
  experimentCmd.registerMerge(program);
  markRequired(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return commanderExit(err); // commander printed its one line
    const u = userFacing(err);
    if (u) {
      process.stderr.write(`cmrp: ${u.message}\n`);
      return u.code;
    }
    throw err;
  }
}

if (require.main === module) {
  main(process.argv).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`cmrp: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(70);
    },
  );
}
