/**
 * The one setup cell every notebook starts with:
 *   import * as cmrp from 'cmrp-lab'; const nb = await cmrp.notebookSetup();
 * It activates the compute backend and prints it (the notebook's first output), and returns the
 * notebook's context (context.ts: the mode, the folders, what to free) with the plumbing the
 * notebooks share, so that their cells read as the method: `nb.synth()`, `nb.ensureSft(hero)`,
 * `nb.runGrid({...})`, `nb.results('main')`, `nb.exportFigures({...})`.
 */
import * as path from 'node:path';
import { initBackend, describeBackend } from '../backend/select';
import { loadRoleScape, type Character } from '../data/rolescape';
import { ensureSynthDataset, type SynthIndex } from '../data/synth';
import { hasResults, readResults } from '../eval/experiments/read';
import type { ExperimentResults } from '../eval/experiments/results';
import type { JudgesReport } from '../judges';
import { readJsonFile } from '../util/fs';
import { defaultSynthDir, figuresDir, projectRoot, sharedRoleScapeDir } from '../util/paths';
import { exportFigure } from '../viz/export';
import type { Figure } from '../viz/figure';
import { notebookContext, type NotebookContext } from './context';
import { ensureSft, type EnsureSftOptions, type EnsuredSft } from './ensure-sft';
import { notebookPaths } from './paths';
import { runGrid, type GridRun } from './run-grid';

export interface NotebookSession extends NotebookContext {
  /** The synthetic world (built on first use, seed 0) and its characters. */
  synth(): Promise<{ index: SynthIndex; characters: Character[] }>;
  /** `character`'s Unified-SFT model (ensure-sft.ts): trained when its run is missing or unfinished, else loaded. */
  ensureSft(character: Character, opts?: EnsureSftOptions): Promise<EnsuredSft>;
  /** A grid run under data/experiments/ (run-grid.ts). */
  runGrid(o: GridRun): Promise<ExperimentResults>;
  /** The committed results/<name>/results.json, or null while that run is not there. */
  results(name: string): ExperimentResults | null;
  /** The image judges' held-out report, saved when they were trained (checkpoints/judges/report.json). */
  judgesReport(): JudgesReport;
  /** Each figure as self-contained HTML in `figuresDir` (nulls skipped), its path printed. */
  exportFigures(figs: Record<string, Figure | null | undefined>): void;
}

export async function notebookSetup(): Promise<NotebookSession> {
  const backend = await initBackend();
  const smoke = process.env.CMRP_SMOKE === '1';
  const root = projectRoot();
  const nb = notebookContext({ backend, smoke, root, synthDir: defaultSynthDir(), figuresDir: figuresDir(), realDir: sharedRoleScapeDir(), paths: notebookPaths(root, smoke) });
  console.log(`${describeBackend(backend)}${smoke ? ' | smoke config' : ''}`);
  return {
    ...nb,
    async synth() {
      const index = await ensureSynthDataset({ dir: nb.synthDir, seed: 0 });
      return { index, characters: (await loadRoleScape(nb.synthDir)).characters };
    },
    ensureSft: (character, opts) => ensureSft(nb, character, opts),
    runGrid: (o) => runGrid(nb, o),
    results: (name) => (hasResults(nb.paths.results(name)) ? readResults(nb.paths.results(name)) : null),
    judgesReport: () => readJsonFile<JudgesReport>(path.join(nb.paths.judges, 'report.json'), 'the judges report'),
    exportFigures(figs) {
      for (const [name, fig] of Object.entries(figs)) if (fig) console.log(exportFigure(fig, name, { dir: nb.figuresDir }).html);
    },
  };
}
