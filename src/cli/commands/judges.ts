/**
 * `cmrp judges train` and `cmrp judges report`: the image judges (VQA, CLIP-T, identity, LPIPS
 * stand-ins) trained on a synthetic world, and their held-out figures measured afresh from data.
 * `cmrp judges train-real` / `report-real`: the identity judge retrained on a real RoleScape-20
 * folder's training images, scored on its test images against the synthetic one (judges/real/).
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../util/errors';
import { projectRoot } from '../../util/paths';
import { formatJudgesReport, reportJudges, trainJudges } from '../../judges';
import { formatRealJudgesReport, reportRealJudges, trainRealJudges } from '../../judges/real';
import { HELDOUT_SEED, trainHeldOutJudges } from '../../judges/heldout';
import { readPresetOrFile } from '../../util/config-file';
import { JUDGES_PRESETS, resolveJudgesConfig, type JudgesConfigInput } from '../../judges/image/config';
import { forceOption, judgesIdentity, realJudgesIdentity, withClaim } from '../out';

interface TrainRaw {
  world?: string;
  eval?: string;
  out?: string;
  seed?: string;
  role: string;
  rewardJudges: string;
  config?: string;
  smoke?: boolean;
  json?: boolean;
  quiet?: boolean;
  force?: boolean;
}

interface TrainRealRaw {
  data?: string;
  leaveOut?: string;
  baseJudges?: string;
  out?: string;
  seed: string;
  smoke?: boolean;
  json?: boolean;
  quiet?: boolean;
  force?: boolean;
}

interface ReportRealRaw {
  judges?: string;
  data?: string;
  json?: boolean;
  quiet?: boolean;
}

interface ReportRaw {
  judges?: string;
  world?: string;
  eval?: string;
  json?: boolean;
  quiet?: boolean;
}

function need(flag: string, v: string | undefined): string {
  if (!v) throw new UserError(`${flag} DIR is required`);
  return v;
}

function parseSeed(raw: string): number {
  if (!/^\d+$/.test(String(raw).trim()) || Number(raw) > 0xffffffff) throw new UserError(`--seed must be a whole number from 0 to 4294967295, got "${raw}"`);
  return Number(raw);
}

const logTo = (quiet: boolean | undefined) => (quiet ? undefined : (line: string) => process.stderr.write(line + '\n'));

/** `judges` is the `cmrp judges` command group. */
export function register(program: Command): void {
  const judges = program.commands.find((c) => c.name() === 'judges') ?? program.command('judges').description('image judges: VQA, CLIP-T, identity (DINO / CLIP-I) and LPIPS stand-ins');
  const train = judges
    .command('train')
    .description('train the four judges on a synthetic world and save them (one folder, written atomically)')
    .option('--world <dir>', 'world corpus (`cmrp data synth --split world`; 1000 characters recommended)')
    .option('--eval <dir>', 'evaluation characters (`cmrp data synth`), for the held-out report only')
    .option('--out <dir>', 'judges folder to (re)write')
    .option('--seed <n>', `random seed (held-out split, renders, weights, batches); default 0, or ${HELDOUT_SEED} with --role heldout`)
    .option('--role <role>', 'reward (the judges GRPO optimizes) or heldout (evaluation only: another seed and architecture, none of the reward judges\' characters)', 'reward')
    .option('--reward-judges <dir>', 'with --role heldout: the reward judges whose characters are left out', path.join(projectRoot(), 'checkpoints', 'judges'))
    .option('--config <name|file>', `a preset (${Object.keys(JUDGES_PRESETS).join(', ')}) or a JSON file of judges config fields over the defaults (judges/image/config.ts), e.g. {"placement": {"shift_x": 24}}`)
    .option('--smoke', 'small judges on a few characters, in seconds (tests, CI)')
    .option('--json', 'print the report as JSON on stdout')
    .option('--quiet', 'no training log on stderr');
  forceOption(train).action(async (raw: TrainRaw) => {
    if (raw.role !== 'reward' && raw.role !== 'heldout') throw new UserError(`--role: expected "reward" or "heldout", found "${raw.role}"`);
    const config = raw.config === undefined ? undefined : (readPresetOrFile(raw.config, JUDGES_PRESETS) as JudgesConfigInput);
    if (config) resolveJudgesConfig(Boolean(raw.smoke), config, raw.config); // refuse a bad file before any work, naming it
    const common = { worldDir: need('--world', raw.world), evalDir: need('--eval', raw.eval), outDir: need('--out', raw.out), smoke: Boolean(raw.smoke), config, log: logTo(raw.quiet || raw.json) };
    const seed = raw.seed === undefined ? (raw.role === 'heldout' ? HELDOUT_SEED : 0) : parseSeed(raw.seed);
    const report = await withClaim(common.outDir, { kind: 'judges', config: { role: raw.role } }, { force: raw.force, legacy: judgesIdentity }, () =>
      raw.role === 'heldout' ? trainHeldOutJudges({ ...common, seed, rewardJudgesDir: raw.rewardJudges }) : trainJudges({ ...common, seed }),
    );
    process.stdout.write((raw.json ? JSON.stringify(report) : formatJudgesReport(report)) + '\n');
  });
  judges
    .command('report')
    .description('held-out figures of trained judges, computed afresh from the world and eval data')
    .option('--judges <dir>', 'judges folder written by `cmrp judges train`')
    .option('--world <dir>', 'the world they were trained on (its held-out characters are evaluated)')
    .option('--eval <dir>', 'evaluation characters')
    .option('--json', 'print the report as JSON on stdout')
    .option('--quiet', 'no progress lines on stderr')
    .action(async (raw: ReportRaw) => {
      const report = await reportJudges({ judgesDir: need('--judges', raw.judges), worldDir: need('--world', raw.world), evalDir: need('--eval', raw.eval), log: logTo(raw.quiet || raw.json) });
      process.stdout.write((raw.json ? JSON.stringify(report) : formatJudgesReport(report)) + '\n');
    });
  const trainReal = judges
    .command('train-real')
    .description('retrain the identity judge on the TRAINING images of a real RoleScape-20 folder (vqa, clip, lpips copied from the base judges); report retrained vs base on its TEST images')
    .option('--data <dir>', 'RoleScape-20 folder (read only), e.g. ../shared/rolescape20')
    .option('--base-judges <dir>', 'the synthetic judges to start from and copy', path.join(projectRoot(), 'checkpoints', 'judges'))
    .option('--out <dir>', 'judges folder to (re)write, e.g. data/judges-real')
    .option('--seed <n>', 'random seed (views, batches, weights)', '0')
    .option('--leave-out <names>', 'comma-separated characters whose images are never trained on (a held-out judge for them: --base-judges checkpoints/judges-heldout --out DIR/NAME)')
    .option('--smoke', 'a few steps, in seconds (tests, CI)')
    .option('--json', 'print the report as JSON on stdout')
    .option('--quiet', 'no training log on stderr');
  forceOption(trainReal).action(async (raw: TrainRealRaw) => {
    const leaveOut = raw.leaveOut?.split(',').map((x) => x.trim()).filter(Boolean);
    const o = { dataDir: need('--data', raw.data), baseJudgesDir: need('--base-judges', raw.baseJudges), outDir: need('--out', raw.out), seed: parseSeed(raw.seed), smoke: Boolean(raw.smoke), leaveOut, log: logTo(raw.quiet || raw.json) };
    const report = await withClaim(o.outDir, { kind: 'judges-real' }, { force: raw.force, legacy: realJudgesIdentity }, () => trainRealJudges(o));
    process.stdout.write((raw.json ? JSON.stringify(report) : formatRealJudgesReport(report)) + '\n');
  });
  judges
    .command('report-real')
    .description('the report of judges from `train-real`, computed afresh on the real TEST images')
    .option('--judges <dir>', 'judges folder written by `cmrp judges train-real`')
    .option('--data <dir>', 'RoleScape-20 folder (default: the one the judges were trained on)')
    .option('--json', 'print the report as JSON on stdout')
    .option('--quiet', 'no progress lines on stderr')
    .action(async (raw: ReportRealRaw) => {
      const report = await reportRealJudges({ judgesDir: need('--judges', raw.judges), dataDir: raw.data, log: logTo(raw.quiet || raw.json) });
      process.stdout.write((raw.json ? JSON.stringify(report) : formatRealJudgesReport(report)) + '\n');
    });
}
