/**
 * One grid from runs made in lanes: the same grid on the same characters, each run with its own
 * seeds (`cmrp experiment --first-seed K --seeds S`), merged into one results file whose report
 * pairs and bootstraps over every character-seed pair. Runs that do not fit together are refused
 * with the file and the field that differ; nothing is averaged that was not run.
 */
import { UserError } from '../../util/errors';
import { RESULTS_FORMAT, type ExperimentResults } from './results';

/** The seeds a results file holds (older files name none: 0 .. seeds - 1). */
export function seedsOf(r: ExperimentResults): number[] {
  return r.seed_list ?? Array.from({ length: r.seeds }, (_, i) => i);
}

const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** `runs` as [file, results]; the first fixes grid, methods and characters. */
export function mergeResults(runs: readonly [string, ExperimentResults][]): ExperimentResults {
  if (runs.length < 2) throw new UserError(`experiment-merge: expected at least two results files, found ${runs.length}`);
  const [firstFile, first] = runs[0];
  const seen = new Map<number, string>();
  for (const [file, r] of runs) {
    if (r.format !== RESULTS_FORMAT || !Array.isArray(r.cells)) throw new UserError(`${file}: format: expected "${RESULTS_FORMAT}" with cells, found ${JSON.stringify(r.format)}`);
    if (r.grid !== first.grid) throw new UserError(`${file}: grid: expected "${first.grid}" as in ${firstFile}, found "${r.grid}"`);
    if (!same(r.methods, first.methods)) throw new UserError(`${file}: methods: expected ${first.methods.join(', ')} as in ${firstFile}, found ${r.methods.join(', ')}`);
    if (!same([...r.characters].sort(), [...first.characters].sort())) throw new UserError(`${file}: characters: expected ${first.characters.join(', ')} as in ${firstFile}, found ${r.characters.join(', ')}`);
    for (const s of seedsOf(r)) {
      if (seen.has(s)) throw new UserError(`${file}: seed ${s} is also in ${seen.get(s)}: each seed must come from one run`);
      seen.set(s, file);
    }
    const listed = new Set(seedsOf(r));
    const stray = r.cells.find((c) => !listed.has(c.seed));
    if (stray) throw new UserError(`${file}: cells: a cell of seed ${stray.seed} (${stray.character}, ${stray.method}) outside the file's seeds ${[...listed].join(', ')}`);
  }
  const seeds = [...seen.keys()].sort((a, b) => a - b);
  const cells = runs.flatMap(([, r]) => r.cells).sort((a, b) => a.seed - b.seed);
  return {
    format: RESULTS_FORMAT, grid: first.grid,
    command: runs.map(([, r]) => r.command).join(' ; '),
    characters: first.characters, seeds: seeds.length, seed_list: seeds,
    methods: first.methods, kinds: first.kinds, pairs: first.pairs, cells,
    seconds: runs.reduce((a, [, r]) => a + r.seconds, 0),
    finished: runs.map(([, r]) => r.finished).sort().at(-1)!,
  };
}
