/**
 * `cmrp judges train-text` and `cmrp judges report-text`: train the text judges (style
 * attribution, line emotion/place) on a synthetic world, score them on held-out data, save them;
 * print the report of a saved checkpoint, or re-score it on data folders.
 */
import type { Command } from 'commander';
import { UserError } from '../../util/errors';
import { readPresetOrFile } from '../../util/config-file';
import { formatTextJudgesReport, loadTextJudges, reportTextJudges, trainTextJudges } from '../../judges/text';
import { forceOption, textJudgesIdentity, withClaim } from '../out';

interface TrainOptions {
  world: string;
  eval: string;
  out: string;
  seed: string;
  real?: string | false;
  smoke?: boolean;
  config?: string;
  json?: boolean;
  quiet?: boolean;
  force?: boolean;
}

interface ReportOptions {
  judges: string;
  world?: string;
  eval?: string;
  real?: string | false;
  json?: boolean;
}

function parseSeed(raw: string): number {
  if (!/^\d+$/.test(String(raw).trim()) || Number(raw) > 0xffffffff) throw new UserError(`--seed must be a whole number from 0 to 4294967295, got "${raw}"`);
  return Number(raw);
}

/** The overrides file: a regular JSON file of at most 1 MB holding an object (read as every --config is). */
const readConfig = (file: string | undefined): unknown => (file ? readPresetOrFile(file, {}) : undefined);

/** `--real DIR` -> DIR, `--no-real` -> null, neither -> undefined (../shared/rolescape20 when present). */
const realOption = (r: string | false | undefined): string | null | undefined => (r === false ? null : r);

/** Adds the commands to a `judges` group: pass the group, or the root program (the group is found or made). */
export function register(program: Command): void {
  const judges = program.name() === 'judges' ? program : (program.commands.find((c) => c.name() === 'judges') ?? program.command('judges').description('train and score the judges'));

  const trainText = judges
    .command('train-text')
    .description('train the text judges (style attribution, line emotion and place) on a synthetic world; print held-out scores')
    .requiredOption('--world <dir>', 'synthetic world folder (`cmrp data synth --split world`): training and held-out characters')
    .requiredOption('--eval <dir>', 'synthetic evaluation folder (`cmrp data synth`): scored only, never trained on')
    .requiredOption('--out <dir>', 'checkpoint folder to (re)write atomically')
    .option('--seed <n>', 'random seed (weights, batches, the world split)', '0')
    .option('--real <dir>', 'real RoleScape-20 folder to score style on (default: ../shared/rolescape20 when present)')
    .option('--no-real', 'do not score real characters')
    .option('--smoke', 'tiny settings for tests (seconds)')
    .option('--config <file>', 'JSON with config overrides, e.g. {"style": {"steps": 100}} (unknown keys are an error)')
    .option('--json', 'print the report as JSON on stdout')
    .option('--quiet', 'no training log on stderr');
  forceOption(trainText).action(async (o: TrainOptions) => {
    const seed = parseSeed(o.seed);
    const config = readConfig(o.config);
    const report = await withClaim(o.out, { kind: 'text-judges' }, { force: o.force, legacy: textJudgesIdentity }, () => trainTextJudges({
      worldDir: o.world,
      evalDir: o.eval,
      outDir: o.out,
      seed,
      smoke: Boolean(o.smoke),
      realDir: realOption(o.real),
      config,
      log: o.quiet ? undefined : (line) => process.stderr.write(line + '\n'),
    }));
    process.stdout.write(o.json ? JSON.stringify(report) + '\n' : `${formatTextJudgesReport(report)}\nsaved to ${o.out}\n`);
  });

  judges
    .command('report-text')
    .description('print the held-out report of saved text judges; with --world and --eval, re-score them on those folders')
    .requiredOption('--judges <dir>', 'checkpoint folder written by `cmrp judges train-text`')
    .option('--world <dir>', 'world folder: score the characters the judges did not train on')
    .option('--eval <dir>', 'synthetic evaluation folder')
    .option('--real <dir>', 'real RoleScape-20 folder (default: ../shared/rolescape20 when present)')
    .option('--no-real', 'do not score real characters')
    .option('--json', 'print the report as JSON on stdout')
    .action(async (o: ReportOptions) => {
      if (Boolean(o.world) !== Boolean(o.eval)) throw new UserError('report-text: give both --world and --eval to re-score, or neither to print the saved report');
      let report;
      if (o.world && o.eval) {
        report = await reportTextJudges({ judgesDir: o.judges, worldDir: o.world, evalDir: o.eval, realDir: realOption(o.real) });
      } else {
        const loaded = await loadTextJudges(o.judges);
        loaded.emotion.dispose();
        if (!loaded.report) throw new UserError(`${o.judges}/report.json: missing; re-score with --world DIR --eval DIR`);
        report = loaded.report;
      }
      process.stdout.write(o.json ? JSON.stringify(report) + '\n' : formatTextJudgesReport(report) + '\n');
    });
}
