/**
 * Where a finished experiment keeps its files, and the one reader of them: `readResults(dir)` is what
 * the CLI (merge, figures) and the notebooks read a run through, so a file of another format is
 * refused with its name wherever it is read.
 *
 *   <out>/results.json                             ExperimentResults
 *   <out>/cells/<character>/<method>/seed<s>.json  {spec_hash, result, report}
 *   <out>/models/<character>/<method>/seed<s>/     the cell's policy
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../util/errors';
import { readJsonFile } from '../../util/fs';
import type { EvalReport } from '../suite';
import { RESULTS_FORMAT, type ExperimentResults } from './results';

export const RESULTS_FILE = 'results.json';

export const cellFile = (out: string, character: string, method: string, seed: number): string => path.join(out, 'cells', character, method, `seed${seed}.json`);

export const cellModelDir = (out: string, character: string, method: string, seed: number): string => path.join(out, 'models', character, method, `seed${seed}`);

export const hasResults = (dir: string): boolean => fs.existsSync(path.join(dir, RESULTS_FILE));

/** DIR/results.json, checked to be experiment results. */
export function readResults(dir: string): ExperimentResults {
  const file = path.join(dir, RESULTS_FILE);
  const r = readJsonFile<ExperimentResults>(file, 'experiment results', '; run `npx cmrp experiment --out DIR` first');
  if (r.format !== RESULTS_FORMAT || !Array.isArray(r.cells)) throw new UserError(`${file}: format: expected "${RESULTS_FORMAT}" with cells, found ${JSON.stringify(r.format)}`);
  return r;
}

/** A cell's full evaluation report (what its metrics came from, and why some are unavailable), or null when the run kept none. */
export function readCellReport(out: string, character: string, method: string, seed: number): EvalReport | null {
  const file = cellFile(out, character, method, seed);
  if (!fs.existsSync(file)) return null;
  return readJsonFile<{ report?: EvalReport }>(file, 'an experiment cell').report ?? null;
}
