import type { Command } from 'commander';
import * as path from 'node:path';
import { resolveGrid, runExperiment, aggregate, markdownTable } from '../../eval/experiments';
import { UserError } from '../../util/errors';
import { projectRoot } from '../../util/paths';
import { defaultBaseDir, resolveDataDir } from '../customize';
import { progressBar } from '../progress';

export function register(program: Command): void {
  const root = projectRoot();
  program
    .command('experiment')
    .description('run a grid of methods x characters x seeds (cached per cell) and write results.json, report.md')
    .option('--grid <name|file>', 'built-in grid (main, smoke) or a JSON file of the GridSchema shape', 'main')
    .option('--characters <all|N|a,b,c>', "'all', the first N characters in id order, or a comma-separated list", '5')
    .option('--seeds <S>', 'seeds per cell', '1')
    .requiredOption('--out <dir>', 'results folder (cells are cached here)')
    .option('--data <dir>', 'a RoleScape-20 folder (default: the embedded synthetic dataset)')
    .option('--base <dir>', 'base checkpoint', defaultBaseDir())
    .option('--judges <dir>', 'image judges', path.join(root, 'checkpoints', 'judges'))
    .option('--text-judges <dir>', 'text judges', path.join(root, 'checkpoints', 'text-judges'))
    .option('--quiet', 'no progress bar', false)
    .action(async (o: { grid: string; characters: string; seeds: string; out: string; data?: string; base: string; judges: string; textJudges: string; quiet: boolean }) => {
      const grid = resolveGrid(o.grid);
      const seeds = Number(o.seeds);
      if (!Number.isInteger(seeds) || seeds < 1) throw new UserError(`--seeds: expected a positive whole number, found "${o.seeds}"`);
      const characters = o.characters === 'all' ? 'all' : /^\d+$/.test(o.characters) ? Number(o.characters) : o.characters.split(',').map((s) => s.trim());
      const data = await resolveDataDir(o.data);
      let bar: ReturnType<typeof progressBar> | null = null;
      const command = `npx cmrp ${process.argv.slice(2).join(' ')}`;
      const r = await runExperiment({
        grid, characters, seeds, out: o.out, dataDir: data, baseDir: o.base, judgesDir: o.judges, textJudgesDir: o.textJudges, command,
        log: (l) => console.error(l),
        onCell: (done, total, cell) => {
          bar ??= progressBar(`experiment ${grid.name}`, total, { quiet: o.quiet });
          bar.tick(1, `${cell.character} ${cell.method}${cell.cached ? ' (cached)' : ''}`);
        },
      });
      (bar as ReturnType<typeof progressBar> | null)?.stop();
      console.log(markdownTable(aggregate(r.cells, r.methods)));
      console.log(`experiment: ${r.cells.length} cells (${r.cells.filter((c) => c.cached).length} cached) in ${(r.seconds / 60).toFixed(1)} min; ${path.join(o.out, 'report.md')}`);
    });
}
