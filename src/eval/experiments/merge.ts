/**
 * One grid from runs made in lanes: the same grid and rows, each run on its own characters and
 * seeds (`cmrp experiment --characters a,b --first-seed K --seeds S`), merged into one results file
 * whose report pairs and bootstraps over every character-seed pair. Runs that do not fit together
 * (another grid or rows, a character-seed pair in two runs) are refused with the file and the field
 * that differ; nothing is averaged that was not run, and a character-seed pair no run made is
 * missing from the merged cells (the report marks the cells resting on fewer pairs).
 */
import { UserError } from '../../util/errors';
import { RESULTS_FORMAT, type ExperimentResults } from './results';

/** The seeds a results file holds (older files name none: 0 .. seeds - 1). */
export function seedsOf(r: ExperimentResults): number[] {
  return r.seed_list ?? Array.from({ length: r.seeds }, (_, i) => i);
}

const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** `runs` as [file, results]; the first fixes grid and methods. */
export function mergeResults(runs: readonly [string, ExperimentResults][]): ExperimentResults {
  if (runs.length < 2) throw new UserError(`experiment-merge: expected at least two results files, found ${runs.length}`);
  const [firstFile, first] = runs[0];
  const seen = new Map<string, string>(); // "character seed" -> file
  for (const [file, r] of runs) {
    if (r.format !== RESULTS_FORMAT || !Array.isArray(r.cells)) throw new UserError(`${file}: format: expected "${RESULTS_FORMAT}" with cells, found ${JSON.stringify(r.format)}`);
    if (r.grid !== first.grid) throw new UserError(`${file}: grid: expected "${first.grid}" as in ${firstFile}, found "${r.grid}"`);
    if (!same(r.methods, first.methods)) throw new UserError(`${file}: methods: expected ${first.methods.join(', ')} as in ${firstFile}, found ${r.methods.join(', ')}`);
    for (const c of r.characters)
      for (const s of seedsOf(r)) {
        const key = `${c} ${s}`;
        if (seen.has(key)) throw new UserError(`${file}: ${c} seed ${s} is also in ${seen.get(key)}: each character-seed pair must come from one run`);
        seen.set(key, file);
      }
    const listed = new Set(seedsOf(r));
    const stray = r.cells.find((c) => !listed.has(c.seed) || !r.characters.includes(c.character));
    if (stray) throw new UserError(`${file}: cells: a cell of ${stray.character} seed ${stray.seed} (${stray.method}) outside the file's characters ${r.characters.join(', ')} and seeds ${[...listed].join(', ')}`);
  }
  const seeds = [...new Set(runs.flatMap(([, r]) => seedsOf(r)))].sort((a, b) => a - b);
  const characters = [...new Set(runs.flatMap(([, r]) => r.characters))].sort((a, b) => a.localeCompare(b));
  const cells = runs.flatMap(([, r]) => r.cells).sort((a, b) => a.seed - b.seed || a.character.localeCompare(b.character));
  return {
    format: RESULTS_FORMAT, grid: first.grid,
    command: runs.map(([, r]) => r.command).join(' ; '),
    characters, seeds: seeds.length, seed_list: seeds,
    methods: first.methods, kinds: first.kinds, pairs: first.pairs, cells,
    seconds: runs.reduce((a, [, r]) => a + r.seconds, 0),
    finished: runs.map(([, r]) => r.finished).sort().at(-1)!,
  };
}
