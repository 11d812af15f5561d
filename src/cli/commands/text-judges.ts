/**
 * `cmrp judges train-text` and `cmrp judges report-text`: train the text judges (style
 * attribution, line emotion/place) on a synthetic world, score them on held-out data, save them;
 * print the report of a saved checkpoint, or re-score it on data folders.
 */
import * as fs from 'node:fs';
import type { Command } from 'commander';
import { UserError } from '../../util/errors';
import { formatTextJudgesReport, loadTextJudges, reportTextJudges, trainTextJudges } from '../../judges/text';

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

function readConfig(file: string | undefined): unknown {
  if (!file) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`--config ${file}: cannot read (${(err as Error).message.split('\n')[0]})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError(`--config ${file}: not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
}

/** `--real DIR` -> DIR, `--no-real` -> null, neither -> undefined (../shared/rolescape20 when present). */
const realOption = (r: string | false | undefined): string | null | undefined => (r === false ? null : r);

/** Adds the commands to a `judges` group: pass the group, or the root program (the group is found or made). */
export function register(program: Command): void {
  const judges = program.name() === 'judges' ? program : (program.commands.find((c) => c.name() === 'judges') ?? program.command('judges').description('train and score the judges'));

  judges
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
    .option('--quiet', 'no training log on stderr')
    .action(async (o: TrainOptions) => {
      const report = await trainTextJudges({
        worldDir: o.world,
        evalDir: o.eval,
        outDir: o.out,
        seed: parseSeed(o.seed),
        smoke: Boolean(o.smoke),
        realDir: realOption(o.real),
        config: readConfig(o.config),
        log: o.quiet ? undefined : (line) => process.stderr.write(line + '\n'),
      });
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
