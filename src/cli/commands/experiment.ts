import type { Command } from 'commander';
import * as path from 'node:path';
import { resolveGrid, selectMethods, runExperiment, aggregate, markdownTable, markdownReport, mergeResults, readResults, RESULTS_FILE, type ExperimentResults } from '../../eval/experiments';
import { gateCharacter, loadRoleScape } from '../../data/rolescape';
import { claimRun, experimentIdentity, forceOption } from '../out';
import { chooseCharacters, heldOutJudgesDir, wholeNumber } from '../options';
import { mdCode } from '../../util/markdown';
import { experimentFigures } from '../../viz/experiment-figures';
import { exportFigures, rasterExportAvailable, registerChromiumRasterizer, type ExportedFigure } from '../../viz/export';
import { writeFileAtomic, writeJsonAtomic } from '../../util/fs';
import { UserError } from '../../util/errors';
import { projectRoot } from '../../util/paths';
import { defaultBaseDir, resolveDataDir } from '../customize';
import { progressBar } from '../../util/progress';

export function register(program: Command): void {
  const root = projectRoot();
  const cmd = program
    .command('experiment')
    .description('run a grid of methods x characters x seeds (cached per cell) and write results.json, report.md and figures/')
    .option('--grid <name|file>', 'built-in grid (main, ablations, demo, real, or one of them with -smoke) or a JSON file of the GridSchema shape', 'main')
    .option('--methods <a,b,c>', "only these rows of the grid, with the rows they build on (lanes split by rows; merged runs must name the same rows)")
    .option('--characters <all|N|a,b,c>', "'all', the first N characters in id order, or a comma-separated list of ids or folder names", '5')
    .option('--seeds <S>', 'seeds per cell', wholeNumber(1, 100), 1)
    .option('--first-seed <K>', 'run seeds K .. K+S-1 (lanes of one grid, merged by `cmrp experiment-merge`)', wholeNumber(0, 100000), 0)
    .requiredOption('--out <dir>', 'results folder (cells are cached here)')
    .option('--data <dir>', 'a RoleScape-20 folder (default: the embedded synthetic dataset)')
    .option('--base <dir>', 'base checkpoint', defaultBaseDir())
    .option('--judges <dir>', 'image judges', path.join(root, 'checkpoints', 'judges'))
    .option('--text-judges <dir>', 'text judges', path.join(root, 'checkpoints', 'text-judges'))
    .option('--heldout-judges <dir|none>', 'held-out image judges for the *_heldout metrics (default: checkpoints/judges-heldout when present; a folder of <character>/ folders for leave-the-character-out real judges)')
    .option('--allow-invalid', 'run even when a chosen character has data errors (as `cmrp data validate` reports them)', false)
    .option('--json', 'print the aggregate as one JSON object on stdout', false)
    .option('--quiet', 'no progress bar', false);
  forceOption(cmd).action(async (o: { grid: string; methods?: string; characters: string; seeds: number; firstSeed: number; out: string; data?: string; base: string; judges: string; textJudges: string; heldoutJudges?: string; quiet: boolean; force: boolean; allowInvalid: boolean; json: boolean }) => {
      const full = resolveGrid(o.grid);
      const grid = o.methods === undefined ? full : selectMethods(full, o.methods.split(',').map((s) => s.trim()).filter(Boolean));
      const heldOutJudges = heldOutJudgesDir(o.heldoutJudges);
      const seeds = o.seeds;
      const data = await resolveDataDir(o.data);
      // the chosen characters, by id or folder name, each gated on its data as `data validate` checks it
      const { characters: all, issues } = await loadRoleScape(data);
      const chosen = chooseCharacters(all, o.characters);
      for (const c of chosen) gateCharacter(c, issues, { allowInvalid: o.allowInvalid });
      const characters = chosen.map((c) => c.id);
      const claim = claimRun(o.out, { kind: 'experiment', config: { grid: grid.name } }, { force: o.force, legacy: experimentIdentity });
      let bar: ReturnType<typeof progressBar> | null = null;
      const command = `npx cmrp ${process.argv.slice(2).join(' ')}`;
      const r = await runExperiment({
        grid, characters, seeds, firstSeed: o.firstSeed, out: o.out, dataDir: data, baseDir: o.base, judgesDir: o.judges, textJudgesDir: o.textJudges, heldOutJudgesDir: heldOutJudges, command,
        log: (l) => console.error(l),
        onCell: (done, total, cell) => {
          bar ??= progressBar(`experiment ${grid.name}`, total, { quiet: o.quiet });
          bar.tick(1, `${cell.character} ${cell.method}${cell.cached ? ' (cached)' : ''}`);
        },
      });
      (bar as ReturnType<typeof progressBar> | null)?.stop();
      const table = aggregate(r.cells, r.methods);
      if (o.json) process.stdout.write(JSON.stringify({ command: 'experiment', grid: r.grid, characters: r.characters, seeds: r.seeds, cells: r.cells.length, cached: r.cells.filter((c) => c.cached).length, aggregate: table, out: o.out }) + '\n');
      else console.log(markdownTable(table));
      await writeFigures(r, path.join(o.out, 'figures'));
      claim.release();
      const summary = `experiment: ${r.cells.length} cells (${r.cells.filter((c) => c.cached).length} cached) in ${(r.seconds / 60).toFixed(1)} min; ${path.join(o.out, 'report.md')}`;
      if (o.json) console.error(summary);
      else console.log(summary);
    });
}

/** `cmrp experiment-merge DIR... --out DIR`: one grid from runs of its seeds in lanes (eval/experiments/merge.ts). */
export function registerMerge(program: Command): void {
  program
    .command('experiment-merge <dirs...>')
    .description('merge finished runs of one grid on different characters or seeds (each DIR/results.json) into one results.json, report.md and figures/')
    .requiredOption('--out <dir>', 'folder of the merged results (may be one of the inputs)')
    .action(async (dirs: string[], o: { out: string }) => {
      const runs = dirs.map((d): [string, ExperimentResults] => [path.join(d, RESULTS_FILE), readResults(d)]);
      const r = mergeResults(runs);
      writeJsonAtomic(path.join(o.out, RESULTS_FILE), r);
      writeFileAtomic(path.join(o.out, 'report.md'), markdownReport(r));
      await writeFigures(r, path.join(o.out, 'figures'));
      console.log(`experiment-merge: ${r.cells.length} cells, characters ${r.characters.join(', ')}, seeds ${(r.seed_list ?? []).join(', ')}; ${path.join(o.out, 'report.md')}`);
    });
}

/** `cmrp experiment-figures DIR`: the figures of a finished run, from its results.json alone. */
export function registerFigures(program: Command): void {
  program
    .command('experiment-figures <dir>')
    .description('write the figures of a finished experiment (DIR/results.json) into DIR/figures/')
    .action(async (dir: string) => {
      await writeFigures(readResults(dir), path.join(dir, 'figures'));
    });
}

/**
 * The grid's figures (viz/experiment-figures.ts) into `dir`: HTML always, PNG and SVG when headless
 * Chromium is found (one browser for all of them); `dir/index.md` lists them. A failed image render
 * costs the images, not the run.
 */
async function writeFigures(r: ExperimentResults, dir: string): Promise<void> {
  const raster = rasterExportAvailable() || registerChromiumRasterizer();
  if (!raster) console.error('figures: HTML only (no headless Chromium for PNG/SVG; install chromium or set CMRP_CHROMIUM)');
  const lines = [`# Figures of ${mdCode(r.grid)}`, '', `From ${r.cells.length} cells; command: ${mdCode(r.command)}`, ''];
  const figs = experimentFigures(r);
  let written: Record<string, ExportedFigure>;
  try {
    written = await exportFigures(figs, { dir, images: raster ? ['png', 'svg'] : [] });
  } catch (err) {
    console.error(`figures: PNG/SVG failed (${(err as Error).message.split('\n')[0]}); HTML only`);
    written = await exportFigures(figs, { dir });
  }
  for (const [name, files] of Object.entries(written)) {
    for (const f of [files.html, files.png, files.svg]) if (f) console.error(`figure: ${f}`);
    const links = (['png', 'svg'] as const).filter((k) => files[k]).map((k) => `[${k}](${name}.${k})`);
    lines.push(`- [${name}](${name}.html)${links.length ? ` (${links.join(', ')})` : ''}`, ...(files.png ? ['', `  ![${name}](${name}.png)`, ''] : []));
  }
  writeFileAtomic(path.join(dir, 'index.md'), lines.join('\n') + '\n');
  console.error(`figures: ${path.join(dir, 'index.md')}`);
}
