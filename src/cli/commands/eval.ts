/**
 * `cmrp eval --character NAME --model DIR --out FILE.json`: the CMRP evaluation suite for one policy
 * (a model checkpoint or a policy manifest) on one character. Data defaults to the embedded
 * synthetic world (built on first use). Prints the metrics table, then "eval: N s"; the report
 * (metrics, per-item details, config) is written atomically to --out.
 */
import type { Command } from 'commander';
import * as path from 'node:path';
import { loadRoleScape } from '../../data/rolescape';
import { loadPolicy } from '../../eval/load-policy';
import { evaluatePolicy, formatEvalReport, resolveEvalConfig } from '../../eval/suite';
import { UserError } from '../../util/errors';
import { writeJsonAtomic } from '../../util/fs';
import { projectRoot } from '../../util/paths';
import { resolveDataDir } from '../customize';
import { defaultHeldOutJudgesDir } from '../../judges/heldout';

interface Opts {
  character: string;
  model: string;
  data?: string;
  config: string;
  judges: string;
  textJudges: string;
  heldoutJudges?: string;
  shots?: string;
  out: string;
  quiet: boolean;
}

export function register(program: Command): void {
  const root = projectRoot();
  program
    .command('eval')
    .description('evaluate a policy on one character: knowledge, memorization, style, VQA, text-to-image, multimodal role-play')
    .requiredOption('--character <name>', 'character id (e.g. a synthetic character such as Calmaric)')
    .requiredOption('--model <dir>', 'model checkpoint folder (config.json) or policy folder (policy.json)')
    .option('--data <dir>', 'RoleScape-20 folder (default: the embedded synthetic world, built when missing)')
    .option('--config <name|file>', 'preset (default, smoke) or a JSON file in the same shape', 'default')
    .option('--judges <dir>', 'image judges', path.join(root, 'checkpoints', 'judges'))
    .option('--text-judges <dir>', 'text judges', path.join(root, 'checkpoints', 'text-judges'))
    .option('--heldout-judges <dir|none>', 'held-out image judges for the *_heldout metrics (default: checkpoints/judges-heldout when present; a folder of <character>/ folders for leave-the-character-out real judges)')
    .option('--shots <k>', 'reference images: the first K training images (default: the config\'s shots)')
    .requiredOption('--out <file>', 'report JSON')
    .option('--quiet', 'no per-family timing lines on stderr', false)
    .action(async (o: Opts) => {
      const t0 = Date.now();
      const config = resolveEvalConfig(o.config);
      const shots = o.shots === undefined ? undefined : Number(o.shots);
      if (shots !== undefined && !(Number.isInteger(shots) && shots >= 1)) throw new UserError(`--shots: expected a positive whole number, found "${o.shots}"`);
      const policy = await loadPolicy(o.model); // a missing or malformed model folder fails first, in one line
      try {
        const dataDir = await resolveDataDir(o.data);
        const { characters } = await loadRoleScape(dataDir);
        const c = characters.find((x) => x.id === o.character) ?? characters.find((x) => x.id.toLowerCase() === o.character.toLowerCase());
        if (!c) throw new UserError(`unknown character "${o.character}" in ${dataDir}; known: ${characters.map((x) => x.id).sort().join(', ') || '(none)'}`);
        const report = await evaluatePolicy(policy, c, {
          judgesDir: o.judges, textJudgesDir: o.textJudges, config, shots, characters,
          heldOutJudgesDir: o.heldoutJudges === 'none' ? null : o.heldoutJudges ?? defaultHeldOutJudgesDir(),
          log: o.quiet ? undefined : (l) => console.error(l),
        });
        writeJsonAtomic(o.out, report);
        console.log(formatEvalReport(report));
        console.log(`report: ${o.out}`);
      } finally {
        policy.dispose();
      }
      console.log(`eval: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    });
}
