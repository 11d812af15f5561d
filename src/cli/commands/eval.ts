/**
 * `cmrp eval --character NAME --model DIR --out FILE.json`: the CMRP evaluation suite for one policy
 * (a model checkpoint or a policy manifest) on one character. Data defaults to the embedded
 * synthetic world (built on first use). Prints the metrics table, then "eval: N s"; the report
 * (metrics, per-item details, config) is written atomically to --out. A model with non-finite
 * weights is refused (model/checkpoint.ts), and so is a character with data errors.
 */
import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCheckedCharacter } from '../../data/rolescape';
import { loadPolicy } from '../../eval/load-policy';
import { EVAL_REPORT_FORMAT, evaluatePolicy, formatEvalReport, resolveEvalConfig } from '../../eval/suite';
import { UserError } from '../../util/errors';
import { writeJsonAtomic } from '../../util/fs';
import { claimOutFile } from '../../util/run-out';
import { projectRoot } from '../../util/paths';
import { resolveDataDir } from '../customize';
import { defaultHeldOutJudgesDir } from '../../judges/heldout';
import { heldOutJudgesDir, wholeNumber } from '../options';
import { parseWorkers } from '../../parallel/pool';

interface Opts {
  character: string;
  model: string;
  data?: string;
  config: string;
  judges: string;
  textJudges: string;
  heldoutJudges?: string;
  shots?: number;
  workers?: number;
  out: string;
  quiet: boolean;
  force: boolean;
  allowInvalid: boolean;
  json: boolean;
}

/** An existing eval report (what --out may overwrite without --force). */
function isEvalReport(file: string): boolean {
  try {
    if (fs.statSync(file).size > 256 << 20) return false;
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { format?: unknown }).format === EVAL_REPORT_FORMAT;
  } catch {
    return false;
  }
}

export function register(program: Command): void {
  const root = projectRoot();
  program
    .command('eval')
    .description('evaluate a policy on one character: knowledge, memorization, style, VQA, text-to-image, multimodal role-play')
    .requiredOption('--character <name>', 'character id or folder name (e.g. a synthetic character such as Calmaric)')
    .requiredOption('--model <dir>', 'model checkpoint folder (config.json) or policy folder (policy.json)')
    .option('--data <dir>', 'RoleScape-20 folder (default: the embedded synthetic world, built when missing)')
    .option('--config <name|file>', 'preset (default, smoke) or a JSON file in the same shape', 'default')
    .option('--judges <dir>', 'image judges', path.join(root, 'checkpoints', 'judges'))
    .option('--text-judges <dir>', 'text judges', path.join(root, 'checkpoints', 'text-judges'))
    .option('--heldout-judges <dir|none>', 'held-out image judges for the *_heldout metrics (default: checkpoints/judges-heldout when present; a folder of <character>/ folders for leave-the-character-out real judges)')
    .option('--shots <k>', 'reference images: the first K training images (default: the config\'s shots)', wholeNumber(1, 1000))
    .option('--workers <n>', "threads that draw the text-to-image prompts (default: the config's workers, 0 = one per core; the numbers do not depend on it)", parseWorkers)
    .requiredOption('--out <file>', 'report JSON')
    .option('--force', 'replace an --out file that is not an eval report', false)
    .option('--allow-invalid', 'score even when the character has data errors (as `cmrp data validate` reports them)', false)
    .option('--json', 'print the metrics as one JSON object on stdout', false)
    .option('--quiet', 'no per-family timing lines on stderr', false)
    .action(async (o: Opts) => {
      const t0 = Date.now();
      const config = { ...resolveEvalConfig(o.config), ...(o.workers !== undefined ? { workers: o.workers } : {}) };
      const heldOutJudges = heldOutJudgesDir(o.heldoutJudges);
      claimOutFile(o.out, 'eval report', isEvalReport, { force: o.force });
      const dataDir = await resolveDataDir(o.data);
      const { character: c, characters } = await loadCheckedCharacter(dataDir, o.character, { allowInvalid: o.allowInvalid, all: true });
      const shots = o.shots ?? config.shots;
      if (shots > c.images.train.length) throw new UserError(`shots: ${shots} reference images asked for (--shots or the config's shots), but ${c.id} has ${c.images.train.length} valid training images`);
      const policy = await loadPolicy(o.model); // a missing, malformed or non-finite model fails here, in one line
      try {
        const report = await evaluatePolicy(policy, c, {
          judgesDir: o.judges, textJudgesDir: o.textJudges, config, shots: o.shots, characters,
          heldOutJudgesDir: heldOutJudges === undefined ? defaultHeldOutJudgesDir() : heldOutJudges,
          log: o.quiet ? undefined : (l) => console.error(l),
        });
        writeJsonAtomic(o.out, report);
        if (o.json) process.stdout.write(JSON.stringify({ command: 'eval', character: c.id, policy: report.policy, metrics: report.metrics, counts: report.counts, seconds: (Date.now() - t0) / 1000, out: o.out }) + '\n');
        else {
          console.log(formatEvalReport(report));
          console.log(`report: ${o.out}`);
        }
      } finally {
        policy.dispose();
      }
      if (!o.json) console.log(`eval: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    });
}
