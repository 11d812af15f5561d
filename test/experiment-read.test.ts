/** readResults is the one reader of a finished run (CLI merge and figures, notebooks): it returns what the runner wrote and refuses anything else by file and field. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cellFile, cellModelDir, hasResults, readCellReport, readResults, RESULTS_FILE } from '../src/eval/experiments/read';
import { RESULTS_FORMAT, type ExperimentResults } from '../src/eval/experiments/results';

test('readResults: a results file round-trips; a missing or foreign file is one clear message naming it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmrp-read-'));
  try {
    assert.equal(hasResults(dir), false);
    assert.throws(() => readResults(dir), (e: Error) => e.message.startsWith(`${path.join(dir, RESULTS_FILE)}: cannot read experiment results`));
    const r: ExperimentResults = { format: RESULTS_FORMAT, grid: 'g', command: 'test', characters: ['A'], seeds: 1, methods: ['m'], cells: [{ character: 'A', method: 'm', seed: 0, metrics: {} as ExperimentResults['cells'][number]['metrics'], train_seconds: 1, eval_seconds: 2, cached: false }], seconds: 3, finished: 'now' };
    fs.writeFileSync(path.join(dir, RESULTS_FILE), JSON.stringify(r));
    assert.equal(hasResults(dir), true);
    assert.deepEqual(readResults(dir), r);
    fs.writeFileSync(path.join(dir, RESULTS_FILE), JSON.stringify({ ...r, format: 'cmrp-judges-report/1' }));
    assert.throws(() => readResults(dir), (e: Error) => e.message === `${path.join(dir, RESULTS_FILE)}: format: expected "${RESULTS_FORMAT}" with cells, found "cmrp-judges-report/1"`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a cell\'s files sit where the runner writes them; its report is read back, or null when the run kept none', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cmrp-read-'));
  try {
    assert.equal(cellFile(out, 'Bo', 'unified-sft', 0), path.join(out, 'cells', 'Bo', 'unified-sft', 'seed0.json'));
    assert.equal(cellModelDir(out, 'Bo', 'unified-sft', 2), path.join(out, 'models', 'Bo', 'unified-sft', 'seed2'));
    assert.equal(readCellReport(out, 'Bo', 'unified-sft', 0), null);
    fs.mkdirSync(path.dirname(cellFile(out, 'Bo', 'unified-sft', 0)), { recursive: true });
    fs.writeFileSync(cellFile(out, 'Bo', 'unified-sft', 0), JSON.stringify({ spec_hash: 'x', report: { unavailable: { vqa_acc: 'no labels' } } }));
    assert.deepEqual(readCellReport(out, 'Bo', 'unified-sft', 0)?.unavailable, { vqa_acc: 'no labels' });
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
