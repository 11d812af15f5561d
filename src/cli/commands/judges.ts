/**
 * `cmrp judges train` and `cmrp judges report`: the image judges (VQA, CLIP-T, identity, LPIPS
 * stand-ins) trained on a synthetic world, and their held-out figures measured afresh from data.
 */
import type { Command } from 'commander';
import { UserError } from '../../util/errors';
import { formatJudgesReport, reportJudges, trainJudges } from '../../judges/train';

interface TrainRaw {
  world?: string;
  eval?: string;
  out?: string;
  seed: string;
  smoke?: boolean;
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
  judges
    .command('train')
    .description('train the four judges on a synthetic world and save them (one folder, written atomically)')
    .option('--world <dir>', 'world corpus (`cmrp data synth --split world`; 1000 characters recommended)')
    .option('--eval <dir>', 'evaluation characters (`cmrp data synth`), for the held-out report only')
    .option('--out <dir>', 'judges folder to (re)write')
    .option('--seed <n>', 'random seed (held-out split, renders, weights, batches)', '0')
    .option('--smoke', 'small judges on a few characters, in seconds (tests, CI)')
    .option('--json', 'print the report as JSON on stdout')
    .option('--quiet', 'no training log on stderr')
    .action(async (raw: TrainRaw) => {
      const report = await trainJudges({ worldDir: need('--world', raw.world), evalDir: need('--eval', raw.eval), outDir: need('--out', raw.out), seed: parseSeed(raw.seed), smoke: Boolean(raw.smoke), log: logTo(raw.quiet || raw.json) });
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
}
